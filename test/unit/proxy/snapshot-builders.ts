/**
 * Builders for the Envoy v3 resources the proxy tests feed the data plane, in the same object form
 * the control plane emits (snake_case, wrappers as `{value}`, durations as `{seconds, nanos}`).
 */
import type {
  Cluster,
  ClusterLoadAssignment,
  HttpConnectionManager,
  Listener,
  Route,
  RouteConfiguration,
  VirtualHost,
  XdsSnapshot,
} from '../../../src/xds/envoy-types.js';
import { TYPE_URL } from '../../../src/xds/envoy-types.js';

export interface EndpointSpec {
  address: string;
  port: number;
  hostname?: string;
  health?: 'HEALTHY' | 'UNHEALTHY' | 'DRAINING';
}

export function loadAssignment(clusterName: string, endpoints: EndpointSpec[]): ClusterLoadAssignment {
  return {
    cluster_name: clusterName,
    endpoints: [
      {
        lb_endpoints: endpoints.map((e) => ({
          endpoint: {
            address: { socket_address: { address: e.address, port_value: e.port } },
            ...(e.hostname ? { hostname: e.hostname } : {}),
          },
          ...(e.health ? { health_status: e.health } : {}),
        })),
      },
    ],
  };
}

export function staticCluster(name: string, endpoints: EndpointSpec[], extra: Partial<Cluster> = {}): Cluster {
  return {
    name,
    type: 'STATIC',
    connect_timeout: { seconds: '5', nanos: 0 },
    load_assignment: loadAssignment(name, endpoints),
    ...extra,
  };
}

export function edsCluster(name: string, serviceName?: string): Cluster {
  return {
    name,
    type: 'EDS',
    connect_timeout: { seconds: '5', nanos: 0 },
    eds_cluster_config: {
      eds_config: { ads: {}, resource_api_version: 'V3' },
      ...(serviceName ? { service_name: serviceName } : {}),
    },
  };
}

export function hcm(routeConfigName: string, extra: Partial<HttpConnectionManager> = {}): HttpConnectionManager {
  return {
    '@type': TYPE_URL.httpConnectionManager,
    stat_prefix: 'http',
    rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: routeConfigName },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } }],
    ...extra,
  };
}

export function httpListener(name: string, address: string, port: number, routeConfigName: string): Listener {
  return hcmListener(name, port, hcm(routeConfigName), address);
}

/** A listener with one filter chain: the given HTTP connection manager. */
export function hcmListener(name: string, port: number, config: HttpConnectionManager, address = '127.0.0.1'): Listener {
  return {
    name,
    address: { socket_address: { address, port_value: port } },
    filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: config }] }],
  };
}

export function vhost(name: string, domains: string[], routes: Route[], extra: Partial<VirtualHost> = {}): VirtualHost {
  return { name, domains, routes, ...extra };
}

export function routeConfig(name: string, virtualHosts: VirtualHost[]): RouteConfiguration {
  return { name, virtual_hosts: virtualHosts };
}

export function snapshot(version: string, parts: Partial<Omit<XdsSnapshot, 'version'>>): XdsSnapshot {
  return { version, listeners: [], routes: [], clusters: [], endpoints: [], ...parts };
}

/** A route forwarding a prefix to a cluster. */
export function prefixRoute(prefix: string, cluster: string, extra: Partial<Route> = {}): Route {
  return { match: { prefix }, route: { cluster }, ...extra };
}
