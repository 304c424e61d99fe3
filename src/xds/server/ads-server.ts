/**
 * The ADS server: `envoy.service.discovery.v3.AggregatedDiscoveryService` on @grpc/grpc-js, serving
 * the snapshot cache to proxies — state of the world (`StreamAggregatedResources`, sotw-stream.ts)
 * and delta (`DeltaAggregatedResources`, delta-stream.ts). Each proxy gets the snapshot of its node
 * key (`node.metadata.role`). The server only reads the cache; it never calls into the pipeline.
 *
 * Example:
 *   const ads = await AdsServer.start({ cache, logger }, '0.0.0.0:9977');
 *   ads.status();              // connected proxies, per-type sent/ACKed/NACKed versions
 *   await ads.close();
 */
import * as grpc from '@grpc/grpc-js';
import type { SnapshotCache } from '../cache.js';
import type { Logger } from '../../logger.js';
import { adsDefinition, type DeltaCall, type SotwCall } from './discovery-protocol.js';
import { XdsAccounting, type AckEvent, type XdsServerStatus } from './connection-status.js';
import { SnapshotPreparer } from './prepared-snapshot.js';
import { SotwStream } from './sotw-stream.js';
import { DeltaStream } from './delta-stream.js';
import type { StreamDeps } from './node-session.js';

export interface AdsServerOptions {
  cache: SnapshotCache;
  logger: Logger;
}

/** Parses `HOST:PORT` (`[::1]:9977` for IPv6); throws with the flag's name on a bad value. */
export function parseHostPort(value: string, flag = '--xds-address'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag} must be HOST:PORT, got "${value}"`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export class AdsServer {
  private readonly accounting = new XdsAccounting();
  private readonly streams = new Set<SotwCall | DeltaCall>();

  private constructor(
    private readonly server: grpc.Server,
    /** The bound port (the real one when 0 was asked for). */
    readonly port: number,
    readonly address: string,
  ) {
    this.accounting.address = address;
  }

  /** Binds `address` (`HOST:PORT`) and starts serving. */
  static async start(opts: AdsServerOptions, address: string): Promise<AdsServer> {
    const { host, port } = parseHostPort(address);
    const server = new grpc.Server({
      // Proxies keep one long stream open and may ping it to notice a dead peer.
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 5000,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
    });
    const hostPart = host.includes(':') ? `[${host}]` : host;
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${hostPart}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const ads = new AdsServer(server, bound, `${host}:${bound}`);
    const deps: StreamDeps = { cache: opts.cache, preparer: new SnapshotPreparer(), accounting: ads.accounting, logger: opts.logger };
    const track = (call: SotwCall | DeltaCall) => {
      ads.streams.add(call);
      call.on('close', () => ads.streams.delete(call));
      call.on('error', () => ads.streams.delete(call));
    };
    server.addService(adsDefinition().service, {
      StreamAggregatedResources: (call: SotwCall) => {
        track(call);
        new SotwStream(call, deps);
      },
      DeltaAggregatedResources: (call: DeltaCall) => {
        track(call);
        new DeltaStream(call, deps);
      },
    });
    opts.logger.info('xDS server listening', { address: ads.address });
    return ads;
  }

  /** Connected proxies and counters (the admin server's `GET /api/v1/xds`). */
  status(): XdsServerStatus {
    return this.accounting.snapshot();
  }

  /** Prometheus lines: `xds_acks_total{type}`, `xds_nacks_total{type}`, `xds_connected_proxies`. */
  metrics(): string[] {
    return this.accounting.metrics();
  }

  /** Called on every ACK. */
  onAck(listener: (e: AckEvent) => void): () => void {
    return this.accounting.onAck(listener);
  }

  /** Ends every stream (proxies reconnect elsewhere or later) and stops listening. */
  async close(): Promise<void> {
    for (const call of this.streams) call.end();
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000);
      this.server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
