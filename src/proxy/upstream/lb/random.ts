/** Uniform random pick among the usable hosts (Envoy's `RANDOM`). */
import type { HostSet, UpstreamHost } from '../host.js';
import type { LoadBalancer } from './load-balancer.js';

export class RandomLoadBalancer implements LoadBalancer {
  constructor(private readonly hosts: HostSet) {}

  chooseHost(): UpstreamHost | null {
    const usable = this.hosts.usable;
    if (usable.length === 0) return null;
    return usable[Math.floor(Math.random() * usable.length)]!;
  }
}
