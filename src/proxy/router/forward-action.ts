/**
 * The `route` action of a route compiled for the request path: which cluster (single, weighted split
 * or named by a request header), how the path and Host are rewritten, and the route timeout.
 * Clusters are resolved against the same snapshot's ClusterSet at compile time, so a request does no
 * map lookup for a fixed cluster.
 */
import type { ServerResponse } from 'node:http';
import type RE2 from 're2';
import type { Metadata, RequestMirrorPolicy, RetryPolicy as RetryPolicyConfig, RouteAction } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';
import type { UpstreamHost } from '../upstream/host.js';
import { compileMetadataMatch, type MetadataMatch } from '../upstream/lb/metadata-match.js';
import type { ClusterSet, UpstreamCluster } from '../upstream/upstream-cluster.js';
import { CompiledHashPolicy, type HashableRequest } from './hash-policy.js';
import { compileGlobal, toJsReplacement } from './regex.js';
import { RetryPolicy } from './retry-policy.js';
import { PathKind, type CompiledRouteMatch } from './route-match.js';
import { normalizePath } from './path-normalize.js';
import type { RequestView } from './request-view.js';
import { kCluster, kMetadataMatch, kWeightedPick, type Routed } from './routed.js';

/** Envoy's default route timeout. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

/**
 * The route's `max_stream_duration` (Envoy's "new timeouts": with it the route `timeout` is not used).
 * Times in ms; null: unset.
 */
export interface StreamDuration {
  /** `max_stream_duration`: 0 disables; null falls back to the HCM's (not enforced by this data plane). */
  maxMs: number | null;
  /** `grpc_timeout_header_max`: a request's `grpc-timeout` is the duration, capped here (0: no cap). */
  headerMaxMs: number | null;
  /** `grpc_timeout_header_offset`: subtracted from the `grpc-timeout` duration. */
  headerOffsetMs: number | null;
}

const NOT_FOUND_CODES: Record<string, number> = {
  SERVICE_UNAVAILABLE: 503,
  NOT_FOUND: 404,
  INTERNAL_SERVER_ERROR: 500,
};

const enum ClusterMode {
  Single,
  Weighted,
  Header,
}

/** One `request_mirror_policies` entry, resolved against the snapshot's clusters. */
export interface MirrorPolicy {
  clusterName: string;
  cluster: UpstreamCluster | null;
  /** Probability in [0, 1]. */
  fraction: number;
  appendShadowSuffix: boolean;
}

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

interface WeightedSplit {
  names: string[];
  clusters: (UpstreamCluster | null)[];
  /** Running sums of the weights; the last one is the total. */
  cumulative: number[];
  total: number;
  /** Each cluster's subset match (its `metadata_match` over the route's); null when none has one. */
  matches: (MetadataMatch | null)[] | null;
}

export class ForwardAction {
  private readonly mode: ClusterMode;
  /** Single mode: the cluster name (for logs and errors) and the resolved cluster, null when missing. */
  readonly clusterName: string;
  private readonly cluster: UpstreamCluster | null;
  private readonly weighted: WeightedSplit | null;
  private readonly clusterHeader: string | null;
  /** Status for a cluster that does not exist (`cluster_not_found_response_code`, default 503). */
  readonly notFoundStatus: number;

  private readonly prefixRewrite: string | null;
  /** Prefix match: length of the matched prefix; -1 means the whole path is replaced (path / regex match). */
  private readonly matchedPrefixLength: number;
  private readonly regexRewrite: RE2 | null;
  private readonly regexSubstitution: string;

  readonly hostRewrite: string | null;
  readonly autoHostRewrite: boolean;
  /** 0 disables the timeout. */
  readonly timeoutMs: number;
  /** Route `idle_timeout` (stream idle); 0 when unset. */
  readonly idleTimeoutMs: number;
  /** `max_stream_duration`, or null (then `timeout`, and `max_grpc_timeout` for gRPC requests, apply). */
  readonly streamDuration: StreamDuration | null;
  /** Deprecated `max_grpc_timeout` in ms (0: no cap), -1 when unset or superseded by `max_stream_duration`. */
  readonly maxGrpcTimeoutMs: number;
  /** Deprecated `grpc_timeout_offset` in ms (0 when unset). */
  readonly grpcTimeoutOffsetMs: number;
  /** The route's retry policy, else the virtual host's; null when nothing is retried. */
  readonly retryPolicy: RetryPolicy | null;
  readonly mirrors: readonly MirrorPolicy[] | null;
  /** lowercase; the request header whose value becomes the Host. */
  readonly hostRewriteHeader: string | null;
  private readonly hostRewriteRegex: RE2 | null;
  private readonly hostRewriteSubstitution: string;
  readonly appendXForwardedHost: boolean;
  /** Something beyond the plain forward is configured: the router takes its full path. */
  readonly needsRouter: boolean;
  /** `hash_policy`, read only by hashing balancers; null when the route has none. */
  readonly hashPolicy: CompiledHashPolicy | null;
  /** `metadata_match` (`envoy.lb`) for subset balancers; null when none. */
  readonly metadataMatch: MetadataMatch | null;

  constructor(
    a: RouteAction,
    match: CompiledRouteMatch,
    private readonly clusters: ClusterSet,
    vhostRetryPolicy?: RetryPolicyConfig,
  ) {
    if (a.cluster !== undefined && a.cluster !== '') {
      this.mode = ClusterMode.Single;
      this.clusterName = a.cluster;
      this.cluster = clusters.get(a.cluster) ?? null;
      this.weighted = null;
      this.clusterHeader = null;
    } else if (a.weighted_clusters !== undefined) {
      this.mode = ClusterMode.Weighted;
      this.clusterName = '';
      this.cluster = null;
      this.weighted = compileWeighted(a.weighted_clusters.clusters, clusters, a.metadata_match);
      this.clusterHeader = null;
    } else if (a.cluster_header !== undefined && a.cluster_header !== '') {
      this.mode = ClusterMode.Header;
      this.clusterName = '';
      this.cluster = null;
      this.weighted = null;
      this.clusterHeader = a.cluster_header.toLowerCase();
    } else {
      throw new Error('route action names no cluster (cluster, weighted_clusters or cluster_header)');
    }
    this.hashPolicy = CompiledHashPolicy.compile(a.hash_policy);
    this.metadataMatch = compileMetadataMatch(a.metadata_match);
    this.notFoundStatus = NOT_FOUND_CODES[a.cluster_not_found_response_code ?? 'SERVICE_UNAVAILABLE'] ?? 503;

    if (a.prefix_rewrite !== undefined && a.regex_rewrite !== undefined) {
      throw new Error('prefix_rewrite and regex_rewrite are mutually exclusive');
    }
    this.prefixRewrite = a.prefix_rewrite ?? null;
    this.matchedPrefixLength = match.kind === PathKind.Prefix ? match.value.length : -1;
    this.regexRewrite = a.regex_rewrite ? compileGlobal(a.regex_rewrite.pattern.regex) : null;
    this.regexSubstitution = a.regex_rewrite ? toJsReplacement(a.regex_rewrite.substitution) : '';

    this.hostRewrite = a.host_rewrite_literal || null;
    this.autoHostRewrite = a.auto_host_rewrite?.value === true;
    const t = durationToMs(a.timeout);
    const msd = a.max_stream_duration;
    this.streamDuration =
      msd === undefined
        ? null
        : {
            maxMs: durationToMs(msd.max_stream_duration) ?? null,
            headerMaxMs: durationToMs(msd.grpc_timeout_header_max) ?? null,
            headerOffsetMs: durationToMs(msd.grpc_timeout_header_offset) ?? null,
          };
    // Envoy: a route with max_stream_duration does not use `timeout` (its global timeout is 0).
    this.timeoutMs = this.streamDuration !== null ? 0 : t === undefined ? DEFAULT_ROUTE_TIMEOUT_MS : t;
    const mgt = this.streamDuration === null ? durationToMs(a.max_grpc_timeout) : undefined;
    this.maxGrpcTimeoutMs = mgt === undefined ? -1 : mgt;
    this.grpcTimeoutOffsetMs = durationToMs(a.grpc_timeout_offset) ?? 0;
    this.idleTimeoutMs = durationToMs(a.idle_timeout) ?? 0;
    this.retryPolicy = RetryPolicy.compile(a.retry_policy ?? vhostRetryPolicy);
    this.mirrors = compileMirrors(a.request_mirror_policies, clusters);
    this.hostRewriteHeader = a.host_rewrite_header ? a.host_rewrite_header.toLowerCase() : null;
    this.hostRewriteRegex = a.host_rewrite_path_regex ? compileGlobal(a.host_rewrite_path_regex.pattern.regex) : null;
    this.hostRewriteSubstitution = a.host_rewrite_path_regex ? toJsReplacement(a.host_rewrite_path_regex.substitution) : '';
    this.appendXForwardedHost = a.append_x_forwarded_host === true;
    this.needsRouter =
      this.idleTimeoutMs > 0 ||
      this.streamDuration !== null ||
      this.maxGrpcTimeoutMs >= 0 ||
      this.retryPolicy !== null ||
      this.mirrors !== null ||
      this.hostRewriteHeader !== null ||
      this.hostRewriteRegex !== null ||
      this.appendXForwardedHost;
  }

  /**
   * Applies `host_rewrite_header` / `host_rewrite_path_regex` to the upstream headers, then
   * `append_x_forwarded_host` when the Host was rewritten (here or by the caller's literal/auto rewrite).
   * `downstreamHost` is the client's Host, `path` the normalised path without query.
   */
  rewriteHost(headers: Record<string, string | string[] | undefined>, downstream: Record<string, string | string[] | undefined>, downstreamHost: string | undefined, path: string): void {
    if (this.hostRewriteHeader !== null) {
      const v = downstream[this.hostRewriteHeader];
      if (typeof v === 'string' && v !== '') headers.host = v;
    } else if (this.hostRewriteRegex !== null) {
      const h = this.hostRewriteRegex.replace(path, this.hostRewriteSubstitution);
      if (h !== '') headers.host = h;
    }
    if (this.appendXForwardedHost && downstreamHost !== undefined && headers.host !== downstreamHost) {
      const cur = headers['x-forwarded-host'];
      headers['x-forwarded-host'] =
        cur === undefined ? downstreamHost : `${typeof cur === 'string' ? cur : cur.join(',')},${downstreamHost}`;
    }
  }

  /**
   * The cluster for this request: a cluster, `null` when the named cluster does not exist, or
   * `undefined` when `cluster_header` is absent from the request (answered 404).
   */
  selectCluster(req: RequestView): UpstreamCluster | null | undefined {
    switch (this.mode) {
      case ClusterMode.Single:
        return ((req as Routed)[kCluster] = this.cluster);
      case ClusterMode.Weighted: {
        const w = this.weighted!;
        const pre = (req as Routed)[kWeightedPick];
        const i = pre !== undefined && pre.action === this ? pre.index : pickWeighted(w.cumulative, w.total);
        if (w.matches !== null) (req as Routed)[kMetadataMatch] = w.matches[i] ?? null;
        return ((req as Routed)[kCluster] = w.clusters[i] ?? null);
      }
      case ClusterMode.Header: {
        const v = req.headers[this.clusterHeader!];
        if (typeof v !== 'string' || v === '') return undefined;
        return ((req as Routed)[kCluster] = this.clusters.get(v) ?? null);
      }
    }
  }

  /** A weighted split's cluster names in pick order (clusters of weight 0 left out); null for other actions. */
  get weightedClusterNames(): readonly string[] | null {
    return this.weighted?.names ?? null;
  }

  /**
   * Picks the weighted cluster now and records the pick for `selectCluster` (the filter chain does, for
   * routes whose weighted clusters carry filter configs). Returns its index in `weightedClusterNames`.
   */
  pickWeightedCluster(req: RequestView): number {
    const w = this.weighted!;
    const index = pickWeighted(w.cumulative, w.total);
    (req as Routed)[kWeightedPick] = { action: this, index };
    return index;
  }

  /**
   * A host of `cluster` (the one `selectCluster` returned) for this request: hashed with the route's
   * hash policy when the cluster's balancer hashes, in the subset the route (or the chosen weighted
   * cluster) selects. `res` receives a generated hash cookie; null when there is no response yet.
   */
  pickHost(cluster: UpstreamCluster, req: HashableRequest, res: ServerResponse | null): UpstreamHost | null {
    const match = this.mode === ClusterMode.Weighted ? ((req as Routed)[kMetadataMatch] ?? null) : this.metadataMatch;
    return cluster.chooseHost(req, this.hashPolicy, match, res);
  }

  get rewritesPath(): boolean {
    return this.prefixRewrite !== null || this.regexRewrite !== null;
  }

  /**
   * The upstream request target after prefix_rewrite / regex_rewrite; the query is kept. The path is
   * normalised first, as it was for matching.
   */
  rewritePath(url: string, path: string, queryAt: number): string {
    const normal = normalizePath(path);
    if (normal !== null) {
      url = queryAt === -1 ? normal : normal + url.slice(queryAt);
      queryAt = queryAt === -1 ? -1 : normal.length;
      path = normal;
    }
    if (this.prefixRewrite !== null) {
      if (this.matchedPrefixLength >= 0) return this.prefixRewrite + url.slice(this.matchedPrefixLength);
      return queryAt === -1 ? this.prefixRewrite : this.prefixRewrite + url.slice(queryAt);
    }
    if (this.regexRewrite !== null) {
      const rewritten = this.regexRewrite.replace(path, this.regexSubstitution);
      return queryAt === -1 ? rewritten : rewritten + url.slice(queryAt);
    }
    return url;
  }
}

function compileMirrors(list: RequestMirrorPolicy[] | undefined, clusters: ClusterSet): MirrorPolicy[] | null {
  if (list === undefined || list.length === 0) return null;
  const out: MirrorPolicy[] = [];
  for (const m of list) {
    if (!m.cluster) continue;
    let fraction = 1;
    const d = m.runtime_fraction?.default_value;
    if (d !== undefined) fraction = Math.min(1, (d.numerator ?? 0) / (DENOMINATORS[d.denominator ?? 'HUNDRED'] ?? 100));
    if (fraction <= 0) continue;
    out.push({ clusterName: m.cluster, cluster: clusters.get(m.cluster) ?? null, fraction, appendShadowSuffix: m.disable_shadow_host_suffix_append !== true });
  }
  return out.length === 0 ? null : out;
}

function compileWeighted(
  list: { name: string; weight: { value: number } | number; metadata_match?: Metadata }[],
  clusters: ClusterSet,
  routeMatch: Metadata | undefined,
): WeightedSplit {
  const names: string[] = [];
  const resolved: (UpstreamCluster | null)[] = [];
  const cumulative: number[] = [];
  const matches: (MetadataMatch | null)[] = [];
  let total = 0;
  for (const c of list) {
    const w = typeof c.weight === 'number' ? c.weight : (c.weight?.value ?? 0);
    if (w <= 0) continue;
    total += w;
    names.push(c.name);
    resolved.push(clusters.get(c.name) ?? null);
    cumulative.push(total);
    matches.push(compileMetadataMatch(routeMatch, c.metadata_match));
  }
  if (total === 0) throw new Error('weighted_clusters has no cluster with a positive weight');
  return { names, clusters: resolved, cumulative, total, matches: matches.some((m) => m !== null) ? matches : null };
}

/** Index of the bucket a uniform random draw falls in. */
export function pickWeighted(cumulative: readonly number[], total: number, rand: number = Math.random()): number {
  const r = rand * total;
  for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]!) return i;
  return cumulative.length - 1;
}
