/** Hosts, host sets and statistics for the load balancer unit tests. */
import assert from 'node:assert/strict';
import type { Dispatcher } from 'undici';
import { toStruct } from '../../../../src/xds/envoy-types.js';
import { HostSet, UpstreamHost } from '../../../../src/proxy/upstream/host.js';
import { DEFAULT_LB_CONFIG, type LbConfig } from '../../../../src/proxy/upstream/lb/lb-config.js';

export interface HostSpec {
  weight?: number;
  priority?: number;
  locality?: string;
  localityWeight?: number;
  lb?: Record<string, unknown>;
  unhealthy?: boolean;
  port?: number;
}

let nextPort = 10_000;

/** A host `10.0.0.<n>`; `name` is kept in `hostname` so tests can read picks easily. */
export function host(name: string, spec: HostSpec = {}): UpstreamHost {
  const h = new UpstreamHost(`10.0.${Math.floor(nextPort / 250) % 250}.${nextPort % 250}`, spec.port ?? nextPort++, name, spec.weight ?? 1, spec.priority ?? 0, {} as Dispatcher);
  h.locality = spec.locality ?? '';
  h.localityWeight = spec.localityWeight ?? 0;
  if (spec.lb !== undefined) h.metadata = { 'envoy.lb': toStruct(spec.lb) };
  h.edsUnhealthy = spec.unhealthy === true;
  return h;
}

export function hosts(n: number, prefix = 'h', spec: HostSpec = {}): UpstreamHost[] {
  return Array.from({ length: n }, (_, i) => host(`${prefix}${i}`, spec));
}

export function hostSet(list: UpstreamHost[]): HostSet {
  return new HostSet(list);
}

export function config(over: Partial<LbConfig> = {}): LbConfig {
  return { ...DEFAULT_LB_CONFIG, ...over };
}

/** Picks `n` times and counts picks by hostname (`null` for no host). */
export function countPicks(pick: () => UpstreamHost | null, n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const h = pick();
    const k = h === null ? 'null' : h.hostname!;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/**
 * Asserts `count` of `n` Bernoulli draws is consistent with probability `p`: within 6 standard
 * deviations (a false failure has odds below one in 10^8).
 */
export function assertShare(count: number, n: number, p: number, what: string): void {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  const lo = mean - 6 * sd;
  const hi = mean + 6 * sd;
  assert.ok(count >= lo && count <= hi, `${what}: ${count} of ${n} is outside [${lo.toFixed(0)}, ${hi.toFixed(0)}] (expected share ${p.toFixed(4)})`);
}

/** A controllable monotonic clock. */
export function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}
