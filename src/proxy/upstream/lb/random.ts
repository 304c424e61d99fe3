/**
 * Envoy's `RANDOM`: a uniformly random usable host. As in Envoy, endpoint weights do not bias the
 * pick (only locality weights do, through the locality choice of the shared base).
 */
import type { HostSet, UpstreamHost } from '../host.js';
import { DEFAULT_LB_CONFIG, type LbConfig } from './lb-config.js';
import { PickingLoadBalancer } from './picking-balancer.js';
import type { HostSource } from './priority-state.js';

export class RandomLoadBalancer extends PickingLoadBalancer {
  protected readonly weightOf = (h: UpstreamHost): number => h.weight;

  constructor(hosts: HostSet, cfg: LbConfig = DEFAULT_LB_CONFIG) {
    super(hosts, { ...cfg, slowStart: null }, null);
    this.refresh();
  }

  protected override weighted(): boolean {
    return false;
  }

  protected pick(src: HostSource): UpstreamHost {
    const hosts = src.hosts;
    return hosts[Math.floor(Math.random() * hosts.length)]!;
  }
}
