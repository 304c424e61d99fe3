/**
 * Weighted round robin (Envoy's `ROUND_ROBIN`): plain rotation over the usable hosts when their
 * `load_balancing_weight`s are equal, an EDF schedule when they differ or a host is in slow start
 * (weight 2 is picked twice as often as weight 1, interleaved). Priorities, panic and localities come
 * from the shared base.
 */
import type { HostSet, UpstreamHost } from '../host.js';
import { DEFAULT_LB_CONFIG, type LbConfig } from './lb-config.js';
import { PickingLoadBalancer } from './picking-balancer.js';
import type { HostSource } from './priority-state.js';
import type { SlowStartHistory } from './slow-start.js';

export class RoundRobinLoadBalancer extends PickingLoadBalancer {
  protected readonly weightOf: (h: UpstreamHost) => number;

  constructor(hosts: HostSet, cfg: LbConfig = DEFAULT_LB_CONFIG, history: SlowStartHistory | null = null) {
    super(hosts, cfg, history);
    const ss = this.slowStart;
    this.weightOf = ss === null ? (h) => h.weight : (h) => ss.scale(h, h.weight);
    this.refresh();
  }

  protected pick(src: HostSource): UpstreamHost {
    if (src.edf !== null) return src.edf.pick()!;
    const hosts = src.hosts;
    if (src.rr >= hosts.length) src.rr = 0;
    return hosts[src.rr++]!;
  }
}
