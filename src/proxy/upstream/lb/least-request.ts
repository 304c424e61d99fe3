/**
 * Envoy's `LEAST_REQUEST`. Equal weights: power of `choice_count` choices (default 2) — draw that many
 * random usable hosts and keep the one with the fewest active requests (P2C). Different weights (or a
 * host in slow start): an EDF schedule whose weights are re-read at every pick as
 * `load_balancing_weight / (active_requests + 1) ^ active_request_bias` (bias 1.0 by default), so a
 * busy host is picked less often but never starves. Active requests are counted on each host by the
 * router while a request is in flight.
 */
import type { HostSet, UpstreamHost } from '../host.js';
import { DEFAULT_LB_CONFIG, type LbConfig } from './lb-config.js';
import { PickingLoadBalancer } from './picking-balancer.js';
import type { HostSource } from './priority-state.js';
import type { SlowStartHistory } from './slow-start.js';

export class LeastRequestLoadBalancer extends PickingLoadBalancer {
  protected readonly weightOf: (h: UpstreamHost) => number;
  private readonly choices: number;

  constructor(hosts: HostSet, cfg: LbConfig = DEFAULT_LB_CONFIG, history: SlowStartHistory | null = null) {
    super(hosts, cfg, history);
    this.choices = cfg.choiceCount;
    const bias = cfg.activeRequestBias;
    const dynamic =
      bias === 0
        ? (h: UpstreamHost) => h.weight
        : bias === 1
          ? (h: UpstreamHost) => h.weight / (h.activeRequests + 1)
          : (h: UpstreamHost) => h.weight / Math.pow(h.activeRequests + 1, bias);
    const ss = this.slowStart;
    this.weightOf = ss === null ? dynamic : (h) => ss.scale(h, dynamic(h));
    this.refresh();
  }

  protected pick(src: HostSource): UpstreamHost {
    if (src.edf !== null) return src.edf.pick()!;
    const hosts = src.hosts;
    const n = hosts.length;
    let best = hosts[Math.floor(Math.random() * n)]!;
    for (let i = 1; i < this.choices; i++) {
      const h = hosts[Math.floor(Math.random() * n)]!;
      if (h.activeRequests < best.activeRequests) best = h;
    }
    return best;
  }
}
