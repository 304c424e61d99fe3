/**
 * `gloo run`: wires the directory source, the control plane, the in-process data plane and the
 * admin server, and stops them gracefully on SIGINT/SIGTERM. With `--xds-address` it also serves
 * ADS, so external proxies (`gloo proxy`, Envoy) can join. With `--workers N` (N > 1) this process
 * keeps the control plane and the admin server, serves ADS on loopback (or on `--xds-address`), and
 * forks N data planes that connect to it with the same role (src/cli/workers.ts).
 */
import { createLogger, type LogFormat, type LogLevel } from '../logger.js';
import { SnapshotCache } from '../xds/cache.js';
import { InProcessXdsClient } from '../xds/client.js';
import { DirectoryConfigSource } from '../config/directory/directory-source.js';
import { ControlPlane } from '../pipeline/control-plane.js';
import { GatewayProxy } from '../proxy/gateway-proxy.js';
import { startAdminServer } from '../admin/server.js';
import { AdsServer } from '../xds/server/ads-server.js';
import { resolveConfigDir, stopOnSignals } from './control-plane.js';
import { loopbackAddressOf, WorkerPool } from './workers.js';

export interface RunOptions {
  configDir: string;
  adminPort: number;
  adminAddress: string;
  writeNamespace: string;
  role?: string;
  /** `HOST:PORT` to serve ADS on; none by default. */
  xdsAddress?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Data plane processes; 1 (the default) runs the data plane in this process. */
  workers?: number;
}

export interface RunningGateway {
  adminPort: number;
  stop(): Promise<void>;
}

export async function runAllInOne(opts: RunOptions): Promise<RunningGateway> {
  if ((opts.workers ?? 1) > 1) return runWithWorkers(opts);
  const configDir = resolveConfigDir(opts.configDir);
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, component: 'gloo' });
  const role = opts.role ?? `${opts.writeNamespace}~gateway-proxy`;
  const cache = new SnapshotCache();
  const source = new DirectoryConfigSource({ dir: configDir, logger: logger.child('config') });
  const controlPlane = new ControlPlane({ source, cache, writeNamespace: opts.writeNamespace, logger: logger.child('control-plane') });
  const proxyLogger = logger.child('gateway-proxy');
  const proxy = new GatewayProxy({
    client: new InProcessXdsClient(cache, role),
    logger: proxyLogger,
    onListenerError: (listenerName, address, port, err) => {
      const gateways = controlPlane.gatewaysForListener(listenerName);
      const message = `listener ${listenerName} cannot listen on ${address}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}${gateways.length ? ` (wanted by Gateway ${gateways.join(', ')})` : ''}`;
      controlPlane.reportListenerError(listenerName, message);
      proxyLogger.error(message);
    },
  });
  // A listener that binds (or goes away) clears its earlier error.
  proxy.onApplied(() => {
    const bound = new Map(proxy.listeners.map((l) => [l.name, l.bound]));
    for (const name of controlPlane.listenersWithErrors()) if (bound.get(name) !== false) controlPlane.reportListenerError(name, undefined);
  });
  const ads = opts.xdsAddress ? await AdsServer.start({ cache, logger: logger.child('xds') }, opts.xdsAddress) : undefined;
  const admin = await startAdminServer(
    {
      ready: () => controlPlane.translationCount > 0 && proxy.ready,
      controlPlane,
      cache,
      proxyStats: () => proxy.stats,
      clusters: () => proxy.clusterStatuses(),
      xdsStatus: () => ({
        ...(ads ? ads.status() : { connections: [] }),
        inProcess: [{ role, appliedVersion: proxy.appliedVersion ?? null }],
      }),
      ...(ads ? { extraMetrics: () => ads.metrics() } : {}),
      logger: logger.child('admin'),
    },
    opts.adminPort,
    opts.adminAddress,
  );
  logger.info('admin server listening', { address: `http://${opts.adminAddress}:${admin.port}` });
  proxy.start();
  await controlPlane.start();
  logger.info('gloo-ts is running', { configDir, role });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await controlPlane.stop();
      await ads?.close();
      await proxy.stop();
      await admin.close();
    })());
  stopOnSignals(stop);
  return { adminPort: admin.port, stop };
}

/** `gloo run --workers N`: the control plane here, N data plane workers fed over loopback ADS. */
async function runWithWorkers(opts: RunOptions): Promise<RunningGateway> {
  const configDir = resolveConfigDir(opts.configDir);
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, component: 'gloo' });
  const role = opts.role ?? `${opts.writeNamespace}~gateway-proxy`;
  const cache = new SnapshotCache();
  const source = new DirectoryConfigSource({ dir: configDir, logger: logger.child('config') });
  const controlPlane = new ControlPlane({ source, cache, writeNamespace: opts.writeNamespace, logger: logger.child('control-plane') });
  const ads = await AdsServer.start({ cache, logger: logger.child('xds') }, opts.xdsAddress ?? '127.0.0.1:0');
  const pool = WorkerPool.start({
    count: opts.workers!,
    worker: { xdsAddress: loopbackAddressOf(ads.address), role, logLevel: opts.logLevel, logFormat: opts.logFormat },
    logger: logger.child('workers'),
    onListenerError: (listenerName, message) => {
      const gateways = controlPlane.gatewaysForListener(listenerName);
      controlPlane.reportListenerError(listenerName, `${message}${gateways.length ? ` (wanted by Gateway ${gateways.join(', ')})` : ''}`);
    },
    // A listener that binds (or goes away) clears its earlier error.
    onApplied: (_version, listeners) => {
      const bound = new Map(listeners.map((l) => [l.name, l.bound]));
      for (const name of controlPlane.listenersWithErrors()) if (bound.get(name) !== false) controlPlane.reportListenerError(name, undefined);
    },
  });
  let admin;
  try {
    admin = await startAdminServer(
      {
        ready: () => controlPlane.translationCount > 0 && pool.ready(),
        controlPlane,
        cache,
        proxyStats: () => pool.stats(),
        clusters: () => pool.clusters(),
        xdsStatus: () => ({ ...ads.status(), inProcess: [], workers: pool.status() }),
        extraMetrics: () => [...ads.metrics(), ...pool.metrics()],
        logger: logger.child('admin'),
      },
      opts.adminPort,
      opts.adminAddress,
    );
  } catch (err) {
    await pool.stop(5000);
    await ads.close();
    throw err;
  }
  logger.info('admin server listening', { address: `http://${opts.adminAddress}:${admin.port}` });
  await controlPlane.start();
  logger.info('gloo-ts is running', { configDir, role, workers: opts.workers, xds: ads.address });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      // Workers first: they drain while still connected, then the control plane goes.
      await pool.stop();
      await controlPlane.stop();
      await ads.close();
      await admin!.close();
    })());
  stopOnSignals(stop);
  return { adminPort: admin.port, stop };
}
