/**
 * The `route` action of a route compiled for the request path: which cluster (single, weighted split
 * or named by a request header), how the path and Host are rewritten, and the route timeout.
 * Clusters are resolved against the same snapshot's ClusterSet at compile time, so a request does no
 * map lookup for a fixed cluster.
 */
import type RE2 from 're2';
import type { RouteAction } from '../../xds/envoy-types.js';
import { durationToMs } from '../../xds/envoy-types.js';
import type { ClusterSet, UpstreamCluster } from '../upstream/upstream-cluster.js';
import { compileGlobal, toJsReplacement } from './regex.js';
import { PathKind, type CompiledRouteMatch } from './route-match.js';
import type { RequestView } from './request-view.js';

/** Envoy's default route timeout. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

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

interface WeightedSplit {
  names: string[];
  clusters: (UpstreamCluster | null)[];
  /** Running sums of the weights; the last one is the total. */
  cumulative: number[];
  total: number;
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

  constructor(
    a: RouteAction,
    match: CompiledRouteMatch,
    private readonly clusters: ClusterSet,
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
      this.weighted = compileWeighted(a.weighted_clusters.clusters, clusters);
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
    this.timeoutMs = t === undefined ? DEFAULT_ROUTE_TIMEOUT_MS : t;
  }

  /**
   * The cluster for this request: a cluster, `null` when the named cluster does not exist, or
   * `undefined` when `cluster_header` is absent from the request (answered 404).
   */
  selectCluster(req: RequestView): UpstreamCluster | null | undefined {
    switch (this.mode) {
      case ClusterMode.Single:
        return this.cluster;
      case ClusterMode.Weighted: {
        const w = this.weighted!;
        return w.clusters[pickWeighted(w.cumulative, w.total)] ?? null;
      }
      case ClusterMode.Header: {
        const v = req.headers[this.clusterHeader!];
        if (typeof v !== 'string' || v === '') return undefined;
        return this.clusters.get(v) ?? null;
      }
    }
  }

  get rewritesPath(): boolean {
    return this.prefixRewrite !== null || this.regexRewrite !== null;
  }

  /** The upstream request target after prefix_rewrite / regex_rewrite; the query is kept. */
  rewritePath(url: string, path: string, queryAt: number): string {
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

function compileWeighted(list: { name: string; weight: { value: number } | number }[], clusters: ClusterSet): WeightedSplit {
  const names: string[] = [];
  const resolved: (UpstreamCluster | null)[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const c of list) {
    const w = typeof c.weight === 'number' ? c.weight : (c.weight?.value ?? 0);
    if (w <= 0) continue;
    total += w;
    names.push(c.name);
    resolved.push(clusters.get(c.name) ?? null);
    cumulative.push(total);
  }
  if (total === 0) throw new Error('weighted_clusters has no cluster with a positive weight');
  return { names, clusters: resolved, cumulative, total };
}

/** Index of the bucket a uniform random draw falls in. */
export function pickWeighted(cumulative: readonly number[], total: number, rand: number = Math.random()): number {
  const r = rand * total;
  for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]!) return i;
  return cumulative.length - 1;
}
