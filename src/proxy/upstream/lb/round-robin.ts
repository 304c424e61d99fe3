/** Round robin over the usable hosts (Envoy's default `ROUND_ROBIN`; endpoint weights not yet applied). */
import type { HostSet, UpstreamHost } from '../host.js';
import type { LoadBalancer } from './load-balancer.js';

export class RoundRobinLoadBalancer implements LoadBalancer {
  private next = 0;

  constructor(private readonly hosts: HostSet) {}

  chooseHost(): UpstreamHost | null {
    const usable = this.hosts.usable;
    const n = usable.length;
    if (n === 0) return null;
    if (this.next >= n) this.next = 0;
    return usable[this.next++]!;
  }
}
