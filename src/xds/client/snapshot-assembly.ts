/**
 * Turning what an xDS client received into the data plane's `XdsSnapshot`: which EDS and RDS names
 * the received clusters and listeners refer to, what is still missing, and the snapshot itself.
 * Decoded resources omit empty repeated fields (protobuf has no "empty list"); `normalizeResource`
 * restores the lists the data plane walks, so both transports hand over the same shape.
 */
import { TYPE_URL, type Cluster, type ClusterLoadAssignment, type Listener, type RouteConfiguration, type XdsSnapshot } from '../envoy-types.js';

export interface ReceivedResources {
  clusters: Map<string, Cluster>;
  endpoints: Map<string, ClusterLoadAssignment>;
  listeners: Map<string, Listener>;
  routes: Map<string, RouteConfiguration>;
}

/** The ClusterLoadAssignment names (EDS service names) the clusters need. */
export function edsNamesOf(clusters: Iterable<Cluster>): string[] {
  const out = new Set<string>();
  for (const c of clusters) if (c.type === 'EDS') out.add(c.eds_cluster_config?.service_name || c.name);
  return [...out].sort();
}

/** The RouteConfiguration names (RDS) the listeners' connection managers refer to. */
export function rdsNamesOf(listeners: Iterable<Listener>): string[] {
  const out = new Set<string>();
  for (const l of listeners) {
    const hcms = [l.api_listener?.api_listener, ...(l.filter_chains ?? []).flatMap((fc) => (fc.filters ?? []).map((f) => f.typed_config))];
    for (const h of hcms) {
      if (h && h['@type'] === TYPE_URL.httpConnectionManager) {
        const name = (h as { rds?: { route_config_name?: string } }).rds?.route_config_name;
        if (name) out.add(name);
      }
    }
  }
  return [...out].sort();
}

/** Names referred to but not received yet. */
export function missingOf(r: ReceivedResources): { endpoints: string[]; routes: string[] } {
  return {
    endpoints: edsNamesOf(r.clusters.values()).filter((n) => !r.endpoints.has(n)),
    routes: rdsNamesOf(r.listeners.values()).filter((n) => !r.routes.has(n)),
  };
}

/** The snapshot the data plane gets: every cluster and listener, and the endpoints and routes they use. */
export function assembleSnapshot(r: ReceivedResources, version: string): XdsSnapshot {
  const eds = new Set(edsNamesOf(r.clusters.values()));
  const rds = new Set(rdsNamesOf(r.listeners.values()));
  return {
    version,
    clusters: [...r.clusters.values()],
    endpoints: [...r.endpoints.values()].filter((e) => eds.has(e.cluster_name)),
    listeners: [...r.listeners.values()],
    routes: [...r.routes.values()].filter((rc) => rds.has(rc.name)),
  };
}

/** The name of a decoded resource of `typeUrl`. */
export function resourceName(typeUrl: string, resource: Record<string, unknown>): string {
  return String((typeUrl === TYPE_URL.clusterLoadAssignment ? resource['cluster_name'] : resource['name']) ?? '');
}

/** Restores the empty lists a decoded resource lost (in place; returns it). */
export function normalizeResource<T>(typeUrl: string, resource: T): T {
  const r = resource as any;
  if (typeUrl === TYPE_URL.listener) {
    r.filter_chains ??= [];
    for (const fc of r.filter_chains) {
      fc.filters ??= [];
      for (const f of fc.filters) normalizeHcm(f.typed_config);
    }
    if (r.api_listener?.api_listener) normalizeHcm(r.api_listener.api_listener);
  } else if (typeUrl === TYPE_URL.routeConfiguration) {
    normalizeRouteConfiguration(r);
  } else if (typeUrl === TYPE_URL.clusterLoadAssignment) {
    r.endpoints ??= [];
    for (const e of r.endpoints) e.lb_endpoints ??= [];
  }
  return resource;
}

function normalizeHcm(h: any): void {
  if (!h || h['@type'] !== TYPE_URL.httpConnectionManager) return;
  h.http_filters ??= [];
  if (h.route_config) normalizeRouteConfiguration(h.route_config);
}

function normalizeRouteConfiguration(rc: any): void {
  rc.virtual_hosts ??= [];
  for (const vh of rc.virtual_hosts) {
    vh.domains ??= [];
    vh.routes ??= [];
  }
}
