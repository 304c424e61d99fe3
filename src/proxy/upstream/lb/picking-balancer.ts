/**
 * The common half of the non-hashing balancers (round robin, least request, random), Envoy's
 * "zone aware" base: on every host set refresh it rebuilds the priority state (priority loads, panic,
 * locality schedules) and the per-source state of the subclass; a pick chooses a source — a level by
 * a random roll when several levels carry load, then a locality when locality weighting applies — and
 * lets the subclass choose a host in it. The common case (one level, no locality) is one branch and a
 * subclass pick, with no allocation.
 */
import type { HostSet, UpstreamHost } from '../host.js';
import { EdfScheduler } from './edf.js';
import type { LbConfig } from './lb-config.js';
import type { LoadBalancer } from './load-balancer.js';
import { buildPriorityState, type HostSource, type PriorityState } from './priority-state.js';
import { SlowStartHistory, SlowStartTracker } from './slow-start.js';
import { RebuildGuard } from './priority-state.js';

export abstract class PickingLoadBalancer implements LoadBalancer {
  readonly usesHash = false;
  protected state!: PriorityState;
  protected readonly slowStart: SlowStartTracker | null;
  private slowStartNow = false;
  /** When the tables need rebuilding. */
  private readonly guard = new RebuildGuard();
  protected readonly makeSource = (hosts: readonly UpstreamHost[]): HostSource => {
    const src: HostSource = { hosts, rr: 0, edf: null };
    if (hosts.length > 1 && this.weighted(hosts)) src.edf = new EdfScheduler(hosts, this.weightOf);
    return src;
  };

  constructor(
    protected readonly hostSet: HostSet,
    protected readonly cfg: LbConfig,
    history: SlowStartHistory | null,
  ) {
    this.slowStart = cfg.slowStart === null ? null : new SlowStartTracker(cfg.slowStart, history ?? new SlowStartHistory(), cfg.now);
    hostSet.onRefresh(() => this.refresh());
  }

  /** Rebuilds from the host set (called on every refresh; subclasses call it once constructed). */
  refresh(): void {
    if (!this.guard.stale(this.hostSet.hosts)) return;
    const ss = this.slowStart;
    if (ss !== null) {
      ss.update(this.hostSet.hosts);
      this.slowStartNow = ss.active();
    }
    this.state = buildPriorityState(this.hostSet.hosts, this.cfg, this.makeSource);
  }

  /** The slow start tracker, for the factory to seal the cluster's history after the first build. */
  get slowStartTracker(): SlowStartTracker | null {
    return this.slowStart;
  }

  chooseHost(): UpstreamHost | null {
    const st = this.state;
    const src = st.single !== null && st.single.localities === null ? st.single.source : st.chooseSource(Math.floor(Math.random() * 100));
    if (src === null || src.hosts.length === 0) return null;
    return this.pick(src);
  }

  /** A host of `src` (never empty). */
  protected abstract pick(src: HostSource): UpstreamHost;

  /** The weight the EDF schedule uses for `h` right now. */
  protected abstract readonly weightOf: (h: UpstreamHost) => number;

  /** Whether `hosts` need the weighted (EDF) schedule: their weights differ or one is ramping up. */
  protected weighted(hosts: readonly UpstreamHost[]): boolean {
    if (this.slowStartNow) return true;
    const w = hosts[0]!.weight;
    for (let i = 1; i < hosts.length; i++) if (hosts[i]!.weight !== w) return true;
    return false;
  }
}
