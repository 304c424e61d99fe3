/**
 * Name resolution for STRICT_DNS clusters. Every name is resolved before the config that needs it is
 * swapped in (Envoy's cluster warming) and cached; the STRICT_DNS refresher (strict-dns.ts) then
 * re-resolves it every `dns_refresh_rate` and the cluster's hosts follow the answers.
 *
 * The resolver is node's `dns.lookup` (which honours /etc/hosts, as the system resolver does). With
 * `respect_dns_ttl` it asks DNS itself (`resolve4` / `resolve6` with TTLs) so the records' TTL can set
 * the refresh interval, falling back to `lookup` for names DNS does not know (/etc/hosts). Tests and
 * embedders inject their own resolver (`DnsResolver`). A failed resolution never removes hosts: the
 * last answer stays (Envoy's behaviour).
 */
import { lookup, resolve4, resolve6 } from 'node:dns/promises';
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

/** One resolution: the addresses, and the smallest record TTL when the resolver knows it. */
export interface DnsAnswer {
  addresses: string[];
  ttlMs?: number;
}

/**
 * Resolves a name. `wantTtl` asks for record TTLs (respect_dns_ttl). Example (a test):
 * `async (name) => ({ addresses: name === 'svc.test' ? ['127.0.0.1'] : [] })`.
 */
export type DnsResolver = (name: string, family: LookupFamily, wantTtl: boolean) => Promise<DnsAnswer>;

export const systemResolver: DnsResolver = async (name, family, wantTtl) => {
  if (wantTtl) {
    // DNS itself, for the TTLs; a name it does not know (an /etc/hosts name, say) falls to lookup.
    const records: { address: string; ttl: number }[] = [];
    if (family !== 6) records.push(...(await resolve4(name, { ttl: true }).catch(() => [])));
    if (family !== 4) records.push(...(await resolve6(name, { ttl: true }).catch(() => [])));
    if (records.length > 0) return { addresses: records.map((r) => r.address), ttlMs: Math.min(...records.map((r) => r.ttl)) * 1000 };
  }
  const addrs = await lookup(name, { all: true, family });
  return { addresses: addrs.map((a) => a.address) };
};

export class DnsCache {
  private readonly resolved = new Map<string, string[]>();
  /** The last answer's TTL by name, when the resolver reported one. */
  private readonly ttls = new Map<string, number>();

  constructor(private readonly resolver: DnsResolver = systemResolver) {}

  /** Cached addresses of a name, or undefined when it was never resolved successfully. */
  get(name: string, family: LookupFamily): string[] | undefined {
    if (isIP(name) !== 0) return [name];
    return this.resolved.get(`${family}/${name}`);
  }

  /** The TTL (ms) of the last answer for a name, when the resolver reported one. */
  ttlOf(name: string, family: LookupFamily): number | undefined {
    return this.ttls.get(`${family}/${name}`);
  }

  /**
   * Resolves the names not cached yet (`wantTtl`: ask for record TTLs); failures are returned, never
   * thrown.
   */
  async ensure(names: Iterable<[string, LookupFamily, boolean?]>, timeoutMs: number): Promise<{ name: string; error: Error }[]> {
    const failures: { name: string; error: Error }[] = [];
    const jobs: Promise<void>[] = [];
    const seen = new Set<string>();
    for (const [name, family, wantTtl] of names) {
      const key = `${family}/${name}`;
      if (isIP(name) !== 0 || this.resolved.has(key) || seen.has(key)) continue;
      seen.add(key);
      jobs.push(
        this.resolve(name, family, timeoutMs, wantTtl === true).then(
          () => undefined,
          (error: Error) => {
            failures.push({ name, error });
          },
        ),
      );
    }
    await Promise.all(jobs);
    return failures;
  }

  /**
   * Resolves a name again and caches the answer; `changed` says whether the address set differs from
   * the cached one. Rejects on failure (or an empty answer), leaving the cache as it was.
   */
  async resolve(name: string, family: LookupFamily, timeoutMs: number, wantTtl: boolean): Promise<{ changed: boolean; ttlMs: number | undefined }> {
    if (isIP(name) !== 0) return { changed: false, ttlMs: undefined };
    const answer = await withTimeout(this.resolver(name, family, wantTtl), timeoutMs, name);
    const addresses = [...new Set(answer.addresses)];
    if (addresses.length === 0) throw new Error(`DNS resolution of ${name} returned no address`);
    const key = `${family}/${name}`;
    const before = this.resolved.get(key);
    const changed = before === undefined || before.length !== addresses.length || before.some((a) => !addresses.includes(a));
    if (changed) this.resolved.set(key, addresses);
    if (answer.ttlMs !== undefined) this.ttls.set(key, answer.ttlMs);
    else this.ttls.delete(key);
    return { changed, ttlMs: answer.ttlMs };
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
