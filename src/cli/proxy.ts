/**
 * `gloo proxy`: the data plane alone — a GatewayProxy fed by the gRPC ADS client, and the admin
 * server (/ready once the first configuration is applied, /stats, /metrics, /config_dump of what it
 * applied, /api/v1/xds with the client's stream state). Listeners come from LDS.
 */
import { createLogger, type LogFormat, type LogLevel } from '../logger.js';
import type { XdsSnapshot } from '../xds/envoy-types.js';
import type { XdsClient } from '../xds/client.js';
import { AdsClient } from '../xds/client/ads-client.js';
import { GatewayProxy } from '../proxy/gateway-proxy.js';
import { startAdminServer } from '../admin/server.js';
import { stopOnSignals } from './control-plane.js';

export interface ProxyProcessOptions {
  xdsAddress: string;
  role: string;
  nodeId?: string;
  adminPort: number;
  adminAddress: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export interface RunningProxy {
  adminPort: number;
  proxy: GatewayProxy;
  client: AdsClient;
  stop(): Promise<void>;
}

export async function startProxyProcess(opts: ProxyProcessOptions): Promise<RunningProxy> {
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, component: 'gloo' });
  const client = new AdsClient({ address: opts.xdsAddress, role: opts.role, nodeId: opts.nodeId, logger: logger.child('xds-client') });
  // Remember what was handed over, to show what is applied at /config_dump.
  const handed = new Map<string, XdsSnapshot>();
  let applied: XdsSnapshot | undefined;
  const recording: XdsClient = {
    role: client.role,
    watch: (cb) =>
      client.watch((s) => {
        handed.set(s.version, s);
        cb(s);
      }),
    close: () => client.close(),
  };
  const proxyLogger = logger.child('gateway-proxy');
  const proxy = new GatewayProxy({
    client: recording,
    logger: proxyLogger,
    onListenerError: (listenerName, address, port, err) =>
      proxyLogger.error(`listener ${listenerName} cannot listen on ${address}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`),
  });
  // The client ACKs a snapshot once it is applied. A snapshot the data plane skipped (a newer one
  // arrived first) is reported as superseded; the newer one's ACK covers it.
  const waiting = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();
  client.confirmApplied = (version) =>
    new Promise<void>((resolve, reject) => {
      if (proxy.appliedVersion === version) return resolve();
      waiting.set(version, { resolve, reject });
    });
  proxy.onApplied((version) => {
    applied = handed.get(version) ?? applied;
    // Everything handed over before `version` is done with: applied, or skipped for a newer one.
    for (const [v, w] of waiting.has(version) ? [...waiting] : []) {
      waiting.delete(v);
      if (v === version) {
        w.resolve();
        break;
      }
      w.reject(new Error(`version ${v} was superseded by ${version}`));
    }
    for (const v of handed.has(version) ? [...handed.keys()] : []) {
      handed.delete(v);
      if (v === version) break;
    }
  });
  const admin = await startAdminServer(
    {
      ready: () => proxy.ready,
      proxyStats: () => proxy.stats,
      xdsStatus: () => ({ client: client.status(), appliedVersion: proxy.appliedVersion ?? null }),
      configDump: () => ({ snapshots: applied ? { [client.role]: applied } : {} }),
      logger: logger.child('admin'),
    },
    opts.adminPort,
    opts.adminAddress,
  );
  logger.info('admin server listening', { address: `http://${opts.adminAddress}:${admin.port}` });
  proxy.start();
  logger.info('gloo-ts proxy is running', { xds: opts.xdsAddress, role: opts.role, nodeId: client.nodeId });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await proxy.stop();
      await admin.close();
    })());
  stopOnSignals(stop);
  return { adminPort: admin.port, proxy, client, stop };
}
