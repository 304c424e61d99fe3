/**
 * Envoy's `envoy.filters.network.tcp_proxy` as a filter chain of a listener, compiled once per config:
 * the destination (`cluster`, or `weighted_clusters` picked at random by weight per connection; with
 * an `envoy.filters.network.sni_cluster` filter before it, the cluster named by the connection's SNI),
 * `metadata_match` (subset load balancing, merged with a weighted cluster's own), `idle_timeout`
 * (Envoy's default 1 h; `0s` disables it), `max_connect_attempts` (default 1), `access_log` and
 * `stat_prefix` (counters `tcp.<stat_prefix>.*`). Each connection is a TcpSession (tcp-session.ts).
 *
 * A chain whose network filters this data plane cannot run exactly as Envoy would (a filter other than
 * sni_cluster before tcp_proxy, or tcp_proxy's `tunneling_config`, which would send HTTP CONNECT
 * instead of raw bytes) is refused: the listener compiler leaves it out with a log line, so it is never
 * served differently from what the config says. Other tcp_proxy fields are logged and ignored.
 *
 * Example:
 *   const tcp = TcpProxy.fromFilters(chain.filters, {clusters, stats, logger, sinks, listener: 'l'});
 *   tcp?.handle(socket, 'db.example.com');   // proxies the connection to a host of its cluster
 */
import type { Socket } from 'node:net';
import type { AccessLog, Duration, Metadata, NetworkFilter } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';
import { compileAccessLogs, type AccessLogs } from '../access-log/access-logger.js';
import type { SinkRegistry } from '../access-log/sink.js';
import type { Logger } from '../logger.js';
import { tcpStatsFor, type ProxyStats, type TcpProxyStats } from '../stats.js';
import { compileMetadataMatch, type MetadataMatch } from '../upstream/lb/metadata-match.js';
import type { ClusterSet, UpstreamCluster } from '../upstream/upstream-cluster.js';
import { TcpSession } from './tcp-session.js';

export const TCP_PROXY_FILTER_NAME = 'envoy.filters.network.tcp_proxy';
export const SNI_CLUSTER_FILTER_NAME = 'envoy.filters.network.sni_cluster';
const TCP_PROXY_TYPE = 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const SNI_CLUSTER_TYPE = 'envoy.extensions.filters.network.sni_cluster.v3.SniCluster';

/** Envoy's tcp_proxy idle timeout when `idle_timeout` is unset. */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 60 * 60 * 1000;

/** The TcpProxy fields this data plane reads. */
interface TcpProxyConfig {
  '@type'?: string;
  stat_prefix?: string;
  cluster?: string;
  weighted_clusters?: { clusters?: { name?: string; weight?: number; metadata_match?: Metadata }[] };
  metadata_match?: Metadata;
  idle_timeout?: Duration;
  max_connect_attempts?: { value?: number } | number;
  access_log?: AccessLog[];
  tunneling_config?: unknown;
}

const READ_FIELDS = new Set(['@type', 'stat_prefix', 'cluster', 'weighted_clusters', 'metadata_match', 'idle_timeout', 'max_connect_attempts', 'access_log']);

/** Where one connection goes: a cluster name, the cluster (undefined: not in the config) and a subset match. */
export interface TcpTarget {
  readonly name: string;
  readonly cluster: UpstreamCluster | undefined;
  readonly match: MetadataMatch | null;
}

export interface TcpProxyCompileContext {
  clusters: ClusterSet;
  stats: ProxyStats;
  logger: Logger;
  sinks: SinkRegistry | null;
  /** The listener's name, for log lines. */
  listener: string;
}

export class TcpProxy {
  private constructor(
    readonly statPrefix: string,
    readonly stats: TcpProxyStats,
    /** One target, or weighted targets with their cumulative weights. */
    private readonly targets: readonly TcpTarget[],
    private readonly cumulative: readonly number[] | null,
    /** An sni_cluster filter runs first: the SNI names the cluster (the configured one without SNI). */
    readonly sniCluster: boolean,
    private readonly clusters: ClusterSet,
    private readonly baseMatch: MetadataMatch | null,
    /** 0: no idle timeout. */
    readonly idleTimeoutMs: number,
    readonly maxConnectAttempts: number,
    readonly accessLogs: AccessLogs | null,
  ) {}

  /**
   * The TCP proxy of a filter chain, or null when the chain has no tcp_proxy filter. Throws, with the
   * reason, when the chain has one but cannot be served as Envoy would serve it.
   */
  static fromFilters(filters: readonly NetworkFilter[] | undefined, ctx: TcpProxyCompileContext): TcpProxy | null {
    const list = filters ?? [];
    const at = list.findIndex((f) => f.name === TCP_PROXY_FILTER_NAME || typeOf(f) === TCP_PROXY_TYPE);
    if (at < 0) return null;
    if (at !== list.length - 1) throw new Error('tcp_proxy must be the last network filter of its chain');
    let sniCluster = false;
    for (const f of list.slice(0, at)) {
      if (f.name === SNI_CLUSTER_FILTER_NAME || typeOf(f) === SNI_CLUSTER_TYPE) sniCluster = true;
      else throw new Error(`network filter ${f.name} is not supported before tcp_proxy; the chain is not served`);
    }
    const cfg = (list[at]!.typed_config ?? {}) as TcpProxyConfig;
    if (cfg.tunneling_config !== undefined) throw new Error('tcp_proxy tunneling_config is not supported; the chain is not served');
    const ignored = Object.keys(cfg).filter((k) => !READ_FIELDS.has(k));
    if (ignored.length > 0) ctx.logger.warn('tcp_proxy fields not supported by this data plane are ignored', { listener: ctx.listener, fields: ignored });

    const baseMatch = compileMetadataMatch(cfg.metadata_match);
    const missing: string[] = [];
    const targetOf = (name: string, override?: Metadata): TcpTarget => {
      const cluster = ctx.clusters.get(name);
      if (cluster === undefined && name !== '') missing.push(name);
      return { name, cluster, match: override === undefined ? baseMatch : compileMetadataMatch(cfg.metadata_match, override) };
    };
    let targets: TcpTarget[];
    let cumulative: number[] | null = null;
    const weighted = (cfg.weighted_clusters?.clusters ?? []).filter((c) => (c.weight ?? 0) > 0 && c.name);
    if (cfg.weighted_clusters !== undefined && cfg.cluster === undefined) {
      if (weighted.length === 0) throw new Error('tcp_proxy weighted_clusters has no cluster with a positive weight');
      targets = weighted.map((c) => targetOf(c.name!, c.metadata_match));
      let sum = 0;
      cumulative = weighted.map((c) => (sum += c.weight!));
      if (targets.length === 1) cumulative = null;
    } else {
      if (cfg.cluster === undefined && !sniCluster) throw new Error('tcp_proxy has neither cluster nor weighted_clusters');
      targets = [targetOf(cfg.cluster ?? '')];
    }
    if (missing.length > 0) {
      ctx.logger.warn('cluster named by tcp_proxy is not in the snapshot; its connections are closed', { listener: ctx.listener, clusters: missing });
    }
    const idle = durationToMs(cfg.idle_timeout);
    const mca = cfg.max_connect_attempts;
    const attempts = typeof mca === 'number' ? mca : (mca?.value ?? 1);
    const statPrefix = cfg.stat_prefix || 'tcp';
    return new TcpProxy(
      statPrefix,
      tcpStatsFor(ctx.stats, statPrefix),
      targets,
      cumulative,
      sniCluster,
      ctx.clusters,
      baseMatch,
      idle === undefined ? DEFAULT_TCP_IDLE_TIMEOUT_MS : Math.max(0, idle),
      Math.max(1, Math.floor(attempts)),
      compileAccessLogs(cfg.access_log, ctx.sinks, ctx.logger, ctx.listener),
    );
  }

  /** Proxies a connection (plain, TLS passed through, or a terminated TLS socket) to its cluster. */
  handle(downstream: Socket, sni: string | null): void {
    new TcpSession(this, downstream, sni).start();
  }

  /** The target of a new connection: by SNI (sni_cluster), else the single or a weighted-random cluster. */
  target(sni: string | null): TcpTarget {
    if (this.sniCluster && sni !== null && sni !== '') {
      // A lookup in this config's map: nothing is stored per client-supplied name.
      return { name: sni, cluster: this.clusters.get(sni), match: this.baseMatch };
    }
    const c = this.cumulative;
    if (c === null) return this.targets[0]!;
    const r = Math.random() * c[c.length - 1]!;
    let i = 0;
    while (r >= c[i]!) i++;
    return this.targets[i]!;
  }

  /** The access-log files this proxy writes. */
  accessLogPaths(): string[] {
    return this.accessLogs?.paths() ?? [];
  }
}

function typeOf(f: NetworkFilter): string {
  const t = (f.typed_config as { '@type'?: string } | undefined)?.['@type'] ?? '';
  return t.slice(t.lastIndexOf('/') + 1);
}
