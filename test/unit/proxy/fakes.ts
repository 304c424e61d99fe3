/** Cluster objects for router unit tests: real UpstreamCluster instances with no hosts. */
import type { Dispatcher } from 'undici';
import { HostSet, UpstreamHost } from '../../../src/proxy/upstream/host.js';
import { RoundRobinLoadBalancer } from '../../../src/proxy/upstream/lb/round-robin.js';
import { ClusterSet, UpstreamCluster } from '../../../src/proxy/upstream/upstream-cluster.js';
import { clusterStatsFor, createProxyStats } from '../../../src/proxy/stats.js';
import type { LogEntry } from '../../e2e/proxy-harness.js';
import type { Logger } from '../../../src/proxy/logger.js';

export function fakeClusters(...names: string[]): ClusterSet {
  const stats = createProxyStats();
  const map = new Map<string, UpstreamCluster>();
  for (const n of names) {
    const hs = new HostSet([]);
    map.set(n, new UpstreamCluster(n, clusterStatsFor(stats, n), hs, new RoundRobinLoadBalancer(hs), 5000));
  }
  return new ClusterSet(map);
}

export function fakeHost(address: string, priority = 0): UpstreamHost {
  return new UpstreamHost(address, 80, null, 1, priority, {} as Dispatcher);
}

export function memoryLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  return {
    entries,
    info: (msg, fields) => entries.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => entries.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => entries.push({ level: 'error', msg, fields }),
  };
}
