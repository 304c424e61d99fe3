/**
 * Envoy's priority and locality logic shared by every balancer, computed when the host set refreshes
 * (never per request):
 *
 * - **priority health**: per level `min(100, overprovisioning × healthy / total)` (host counts, or
 *   weights with `weighted_priority_health`), so with the default factor 1.4 a level keeps all of its
 *   load until fewer than ~72% of its hosts are healthy, then spills the rest to the next levels;
 * - **priority load**: the health of each level in order, normalised by the total health (capped at
 *   100), rounding leftovers to the first healthy level; a request picks a level by `hash % 100`;
 * - **panic**: unless the total health is 100%, a level whose healthy share is below
 *   `healthy_panic_threshold` balances over all of its hosts, healthy or not; when every level panics
 *   the load follows host counts instead of health;
 * - **localities** (`locality_weighted_lb_config`): a level picks a locality by EDF over
 *   `locality weight × min(1, overprovisioning × healthy share)`, then a host inside it.
 *
 * Balancers attach their own per-source state (round robin index, EDF) through `makeSource`.
 */
import type { UpstreamHost } from '../host.js';
import { EdfScheduler } from './edf.js';
import type { LbConfig } from './lb-config.js';

/** A list of hosts one pick chooses among, with the balancer's state for it. */
export interface HostSource {
  readonly hosts: readonly UpstreamHost[];
  /** Round robin position. */
  rr: number;
  /** Weighted schedule, when weights differ or a host is in slow start; else null. */
  edf: EdfScheduler<UpstreamHost> | null;
}

export type SourceFactory = (hosts: readonly UpstreamHost[]) => HostSource;

export interface LocalityGroup {
  readonly key: string;
  /** The locality's configured weight. */
  readonly weight: number;
  /** Weight scaled by the locality's health (0 when it has no healthy host). */
  readonly effectiveWeight: number;
  readonly hosts: readonly UpstreamHost[];
  readonly healthy: readonly UpstreamHost[];
  readonly source: HostSource;
}

export interface PriorityLevel {
  readonly priority: number;
  readonly hosts: readonly UpstreamHost[];
  readonly healthy: readonly UpstreamHost[];
  /** Health in percent after overprovisioning, capped at 100. */
  readonly health: number;
  readonly panic: boolean;
  /** What a pick at this level draws from when no locality applies: all hosts in panic, else healthy. */
  readonly source: HostSource;
  /** Locality schedule (locality weighted balancing, not in panic, some locality with weight); else null. */
  readonly localities: EdfScheduler<LocalityGroup> | null;
}

export class PriorityState {
  /** Levels 0..max priority (a level may have no hosts). */
  readonly levels: readonly PriorityLevel[];
  /** Percent of requests per level; sums to 100. */
  readonly load: readonly number[];
  /** The only level that gets load, or null when several do (requests then roll `hash % 100`). */
  readonly single: PriorityLevel | null;
  /** Any level is in panic. */
  readonly anyPanic: boolean;

  constructor(levels: PriorityLevel[], load: number[]) {
    this.levels = levels;
    this.load = load;
    const loaded = levels.filter((_, i) => load[i]! > 0);
    this.single = loaded.length === 1 ? loaded[0]! : null;
    this.anyPanic = levels.some((l) => l.panic);
  }

  /** The level for a request with this (53-bit) hash or random number. */
  chooseLevel(hash: number): PriorityLevel {
    if (this.single !== null) return this.single;
    const r = (hash % 100) + 1;
    let acc = 0;
    const load = this.load;
    for (let i = 0; i < load.length; i++) {
      acc += load[i]!;
      if (r <= acc) return this.levels[i]!;
    }
    return this.levels[0]!;
  }

  /** The hosts a non-hashing pick draws from for this hash / random number; null when there is none. */
  chooseSource(hash: number): HostSource | null {
    const level = this.chooseLevel(hash);
    const loc = level.localities;
    if (loc !== null) {
      const g = loc.pick();
      if (g !== null) return g.source;
    }
    return level.source.hosts.length === 0 ? null : level.source;
  }
}

/** Which hosts are usable, as a string (`'1101'`): balancers rebuild only when it changes. */
/**
 * Whether a balancer's tables are stale: a refresh that changed no usable flag keeps them; a new host
 * list (DNS re-resolution replaces it) never does.
 */
export class RebuildGuard {
  private signature: string | null = null;
  private builtFrom: readonly UpstreamHost[] | null = null;

  /** True (and remembered) when `hosts` differ from the last build. */
  stale(hosts: readonly UpstreamHost[]): boolean {
    const sig = usableSignature(hosts);
    if (sig === this.signature && hosts === this.builtFrom) return false;
    this.signature = sig;
    this.builtFrom = hosts;
    return true;
  }
}

export function usableSignature(hosts: readonly UpstreamHost[]): string {
  let s = '';
  for (const h of hosts) s += h.usable ? '1' : '0';
  return s;
}

/** Hosts grouped by priority level (0..max), in their original order. */
export function hostsByPriority(hosts: readonly UpstreamHost[]): UpstreamHost[][] {
  let max = -1;
  for (const h of hosts) if (h.priority > max) max = h.priority;
  const out: UpstreamHost[][] = [];
  for (let p = 0; p <= max; p++) out.push([]);
  for (const h of hosts) out[h.priority]!.push(h);
  if (out.length === 0) out.push([]);
  return out;
}

/** Hosts grouped by locality key, in order of first appearance. */
export function groupByLocality(hosts: readonly UpstreamHost[]): { key: string; weight: number; hosts: UpstreamHost[] }[] {
  const groups = new Map<string, { key: string; weight: number; hosts: UpstreamHost[] }>();
  for (const h of hosts) {
    let g = groups.get(h.locality);
    if (g === undefined) groups.set(h.locality, (g = { key: h.locality, weight: h.localityWeight, hosts: [] }));
    g.hosts.push(h);
  }
  return [...groups.values()];
}

export function buildPriorityState(hosts: readonly UpstreamHost[], cfg: LbConfig, makeSource: SourceFactory): PriorityState {
  const byPriority = hostsByPriority(hosts);
  const of = cfg.overprovisioningFactor;
  const n = byPriority.length;
  const healthyLists: UpstreamHost[][] = [];
  const health: number[] = [];
  for (const list of byPriority) {
    const healthy = list.filter((h) => h.usable);
    healthyLists.push(healthy);
    if (list.length === 0) {
      health.push(0);
      continue;
    }
    let healthyWeight = healthy.length;
    let totalWeight = list.length;
    if (cfg.weightedPriorityHealth) {
      healthyWeight = 0;
      totalWeight = 0;
      for (const h of healthy) healthyWeight += h.weight;
      for (const h of list) totalWeight += h.weight;
    }
    health.push(Math.min(100, Math.floor((of * healthyWeight) / totalWeight)));
  }

  const load = new Array<number>(n).fill(0);
  const totalHealth = Math.min(100, health.reduce((a, b) => a + b, 0));
  if (totalHealth > 0) {
    let remaining = 100;
    let firstHealthy = -1;
    for (let p = 0; p < n; p++) {
      if (firstHealthy < 0 && health[p]! > 0) firstHealthy = p;
      load[p] = Math.min(remaining, Math.floor((health[p]! * 100) / totalHealth));
      remaining -= load[p]!;
    }
    if (remaining > 0) load[firstHealthy]! += remaining;
  }

  const threshold = cfg.panicThreshold;
  const panic = new Array<boolean>(n).fill(false);
  if (threshold === 0 && totalHealth === 0) {
    load[0] = 100;
  } else {
    let totalPanic = true;
    for (let p = 0; p < n; p++) {
      const count = byPriority[p]!.length;
      const healthyPercent = count === 0 ? 0 : (100 * healthyLists[p]!.length) / count;
      panic[p] = totalHealth === 100 ? false : healthyPercent < threshold;
      totalPanic &&= panic[p]!;
    }
    if (totalPanic) {
      // Every level is in panic: the load follows host counts, health aside.
      const total = hosts.length;
      load.fill(0);
      if (total === 0) load[0] = 100;
      else {
        let remaining = 100;
        let firstNonEmpty = -1;
        for (let p = 0; p < n; p++) {
          const count = byPriority[p]!.length;
          if (firstNonEmpty < 0 && count > 0) firstNonEmpty = p;
          load[p] = Math.floor((100 * count) / total);
          remaining -= load[p]!;
        }
        load[firstNonEmpty]! += remaining;
      }
    }
  }

  const levels: PriorityLevel[] = [];
  for (let p = 0; p < n; p++) {
    const all = byPriority[p]!;
    const healthy = healthyLists[p]!;
    const inPanic = panic[p]!;
    let localities: EdfScheduler<LocalityGroup> | null = null;
    if (cfg.localityWeighted && !inPanic) {
      const groups: LocalityGroup[] = [];
      for (const g of groupByLocality(all)) {
        const gHealthy = g.hosts.filter((h) => h.usable);
        const ratio = gHealthy.length / g.hosts.length;
        const effectiveWeight = gHealthy.length === 0 ? 0 : g.weight * Math.min(1, (of / 100) * ratio);
        if (effectiveWeight > 0) groups.push({ key: g.key, weight: g.weight, effectiveWeight, hosts: g.hosts, healthy: gHealthy, source: makeSource(gHealthy) });
      }
      if (groups.length > 0) localities = new EdfScheduler(groups, (g) => g.effectiveWeight);
    }
    levels.push({
      priority: p,
      hosts: all,
      healthy,
      health: health[p]!,
      panic: inPanic,
      source: makeSource(inPanic ? all : healthy),
      localities,
    });
  }
  return new PriorityState(levels, load);
}
