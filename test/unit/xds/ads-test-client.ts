/**
 * A hand-written ADS client for the server tests: one raw gRPC stream (SotW or delta) on the same
 * proto-loader definition the server uses, with responses queued so a test reads them in order.
 * To show the server did *not* answer a request, a test sends a request that must be answered and
 * checks that its answer is the next response (no sleeping).
 */
import * as grpc from '@grpc/grpc-js';
import { adsDefinition, roleMetadata, type Node } from '../../../src/xds/server/discovery-protocol.js';
import { TYPE_URL, type XdsSnapshot } from '../../../src/xds/envoy-types.js';

export class StreamClient<Req, Res> {
  private readonly queue: Res[] = [];
  private readonly waiters: ((r: Res) => void)[] = [];
  ended = false;

  constructor(
    readonly client: grpc.Client,
    readonly call: grpc.ClientDuplexStream<Req, Res>,
  ) {
    call.on('data', (r: Res) => {
      const w = this.waiters.shift();
      if (w) w(r);
      else this.queue.push(r);
    });
    call.on('error', () => {
      this.ended = true;
    });
    call.on('end', () => {
      this.ended = true;
    });
  }

  send(req: Partial<Req>): void {
    this.call.write(req as Req);
  }

  next(timeoutMs = 5000): Promise<Res> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no xDS response')), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

export interface SotwReq {
  version_info: string;
  node: Node | null;
  resource_names: string[];
  type_url: string;
  response_nonce: string;
  error_detail: { code: number; message: string } | null;
}
export interface SotwRes {
  version_info: string;
  resources: { type_url: string; value: Buffer }[];
  type_url: string;
  nonce: string;
}
export interface DeltaReq {
  node: Node | null;
  type_url: string;
  resource_names_subscribe: string[];
  resource_names_unsubscribe: string[];
  initial_resource_versions: Record<string, string>;
  response_nonce: string;
  error_detail: { code: number; message: string } | null;
}
export interface DeltaRes {
  system_version_info: string;
  resources: { name: string; version: string; resource: { type_url: string; value: Buffer } }[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
}

export function node(role: string, id = 'test-node'): Node {
  return { id, cluster: 'gateway', metadata: roleMetadata(role), locality: {}, user_agent_name: 'ads-test', user_agent_version: '1' };
}

export function sotw(port: number): StreamClient<SotwReq, SotwRes> {
  const { Client } = adsDefinition();
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new StreamClient(client, (client as any).StreamAggregatedResources());
}

export function delta(port: number): StreamClient<DeltaReq, DeltaRes> {
  const { Client } = adsDefinition();
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new StreamClient(client, (client as any).DeltaAggregatedResources());
}

const ADS = { ads: {}, resource_api_version: 'V3' as const };

/** A small consistent snapshot: clusters c…, their endpoints, one listener per route config r…. */
export function testSnapshot(opts: { version: string; clusters?: string[]; port?: number; routes?: string[]; listenerPort?: number }): XdsSnapshot {
  const clusters = opts.clusters ?? ['c1'];
  const routes = opts.routes ?? ['r1'];
  return {
    version: opts.version,
    clusters: clusters.map((name) => ({
      name,
      type: 'EDS',
      eds_cluster_config: { eds_config: ADS, service_name: name },
      connect_timeout: { seconds: '5' },
      lb_policy: 'ROUND_ROBIN',
    })),
    endpoints: clusters.map((name) => ({
      cluster_name: name,
      endpoints: [
        {
          locality: {},
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: opts.port ?? 8080 } } }, load_balancing_weight: { value: 1 } }],
          load_balancing_weight: { value: 1 },
        },
      ],
    })),
    listeners: routes.map((rc, i) => ({
      name: `listener-${rc}`,
      address: { socket_address: { address: '127.0.0.1', port_value: (opts.listenerPort ?? 18000) + i } },
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': TYPE_URL.httpConnectionManager,
                stat_prefix: 'http',
                rds: { config_source: ADS, route_config_name: rc },
                http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } }],
              },
            },
          ],
        },
      ],
    })),
    routes: routes.map((name) => ({
      name,
      virtual_hosts: [{ name: `${name}-vh`, domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: clusters[0]! } }] }],
    })),
  };
}
