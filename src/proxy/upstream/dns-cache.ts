/**
 * Name resolution for STRICT_DNS clusters with node:dns (`lookup`, which honours /etc/hosts). Every
 * name is resolved once, before the config that needs it is swapped in (Envoy's cluster warming),
 * and cached; later configs reuse the cached addresses.
 *
 * TODO(dns-refresh): periodic re-resolution per `dns_refresh_rate` (Envoy default 5 s) and honouring
 * record TTLs; today a name is re-resolved only when a failure left it uncached.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Cluster } from '../../xds/envoy-types.js';

export type LookupFamily = 0 | 4 | 6;

export function familyOf(policy: Cluster['dns_lookup_family']): LookupFamily {
  switch (policy) {
    case 'V4_ONLY':
      return 4;
    case 'V6_ONLY':
      return 6;
    default:
      return 0;
  }
}

export class DnsCache {
  private readonly resolved = new Map<string, string[]>();

  /** Cached addresses of a name, or undefined when it was never resolved successfully. */
  get(name: string, family: LookupFamily): string[] | undefined {
    if (isIP(name) !== 0) return [name];
    return this.resolved.get(`${family}/${name}`);
  }

  /** Resolves the names not cached yet; failures are returned, never thrown. */
  async ensure(names: Iterable<[string, LookupFamily]>, timeoutMs: number): Promise<{ name: string; error: Error }[]> {
    const failures: { name: string; error: Error }[] = [];
    const jobs: Promise<void>[] = [];
    const seen = new Set<string>();
    for (const [name, family] of names) {
      const key = `${family}/${name}`;
      if (isIP(name) !== 0 || this.resolved.has(key) || seen.has(key)) continue;
      seen.add(key);
      jobs.push(
        withTimeout(lookup(name, { all: true, family }), timeoutMs, name).then(
          (addrs) => {
            this.resolved.set(key, [...new Set(addrs.map((a) => a.address))]);
          },
          (error: Error) => {
            failures.push({ name, error });
          },
        ),
      );
    }
    await Promise.all(jobs);
    return failures;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DNS resolution of ${name} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
