/**
 * `gloo proxy`: the data plane alone — a GatewayProxy fed by the gRPC ADS client, and the admin
 * server (/ready once the first configuration is applied, /stats, /metrics, /config_dump of what it
 * applied, /api/v1/xds with the client's stream state). Listeners come from LDS. With `--workers N`
 * (N > 1) the process is a primary that forks N data planes (src/cli/workers.ts), each its own ADS
 * client with the same role, sharing the listening sockets.
 */
import { createLogger, type LogFormat, type LogLevel, type Logger } from '../logger.js';
import type { XdsSnapshot } from '../xds/envoy-types.js';
import type { XdsClient } from '../xds/client.js';
import { AdsClient } from '../xds/client/ads-client.js';
import { GatewayProxy } from '../proxy/gateway-proxy.js';
import type { ListenerErrorHandler } from '../proxy/listener/listener-manager.js';
import { startAdminServer } from '../admin/server.js';
import { stopOnSignals } from './control-plane.js';
import { WorkerPool } from './workers.js';

export interface ProxyProcessOptions {
  xdsAddress: string;
  role: string;
  nodeId?: string;
  adminPort: number;
  adminAddress: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Data plane processes; 1 (the default) runs the data plane in this process. */
  workers?: number;
}

export interface RunningProxy {
  adminPort: number;
  proxy: GatewayProxy;
  client: AdsClient;
  stop(): Promise<void>;
}

/** A data plane fed over ADS: what `gloo proxy` runs, once per worker with `--workers N`. */
export interface AdsDataPlane {
  client: AdsClient;
  proxy: GatewayProxy;
  /** The snapshot being served (for `/config_dump`). */
  applied(): XdsSnapshot | undefined;
}

/**
 * Builds a GatewayProxy on an AdsClient whose ACKs wait for the data plane to apply each snapshot.
 * Not started: call `proxy.start()`.
 */
export function createAdsDataPlane(opts: {
  xdsAddress: string;
  role: string;
  nodeId?: string;
  logger: Logger & { child(component: string): Logger };
  onListenerError?: ListenerErrorHandler;
}): AdsDataPlane {
  const { logger } = opts;
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
    onListenerError:
      opts.onListenerError ??
      ((listenerName, address, port, err) =>
        proxyLogger.error(`listener ${listenerName} cannot listen on ${address}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)),
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
  return { client, proxy, applied: () => applied };
}

export async function startProxyProcess(opts: ProxyProcessOptions): Promise<RunningProxy> {
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, component: 'gloo' });
  const { client, proxy, applied } = createAdsDataPlane({ xdsAddress: opts.xdsAddress, role: opts.role, nodeId: opts.nodeId, logger });
  const admin = await startAdminServer(
    {
      ready: () => proxy.ready,
      proxyStats: () => proxy.stats,
      clusters: () => proxy.clusterStatuses(),
      xdsStatus: () => ({ client: client.status(), appliedVersion: proxy.appliedVersion ?? null }),
      configDump: () => {
        const a = applied();
        return { snapshots: a ? { [client.role]: a } : {} };
      },
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

/** `gloo proxy --workers N`: N data plane workers, each its own ADS client; the admin server answers for all. */
export async function startProxyWorkers(opts: ProxyProcessOptions): Promise<{ adminPort: number; pool: WorkerPool; stop(): Promise<void> }> {
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, component: 'gloo' });
  const pool = WorkerPool.start({
    count: opts.workers ?? 1,
    worker: { xdsAddress: opts.xdsAddress, role: opts.role, nodeId: opts.nodeId, logLevel: opts.logLevel, logFormat: opts.logFormat },
    logger: logger.child('workers'),
  });
  let admin;
  try {
    admin = await startAdminServer(
      {
        ready: () => pool.ready(),
        proxyStats: () => pool.stats(),
        clusters: () => pool.clusters(),
        xdsStatus: async () => ({ workers: pool.status(), clients: await pool.request('xds') }),
        extraMetrics: () => pool.metrics(),
        // Every worker applies the same snapshots; show one worker's.
        configDump: async () => {
          const applied = ((await pool.request('config_dump')) as (XdsSnapshot | null)[]).find((s) => s);
          return { snapshots: applied ? { [opts.role]: applied } : {} };
        },
        logger: logger.child('admin'),
      },
      opts.adminPort,
      opts.adminAddress,
    );
  } catch (err) {
    await pool.stop(5000);
    throw err;
  }
  logger.info('admin server listening', { address: `http://${opts.adminAddress}:${admin.port}` });
  logger.info('gloo-ts proxy is running', { xds: opts.xdsAddress, role: opts.role, workers: opts.workers });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await pool.stop();
      await admin!.close();
    })());
  stopOnSignals(stop);
  return { adminPort: admin.port, pool, stop };
}
