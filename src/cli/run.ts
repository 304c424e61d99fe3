/**
 * `gloo run`: wires the directory source, the control plane, the in-process data plane and the
 * admin server, and stops them gracefully on SIGINT/SIGTERM. With `--xds-address` it also serves
 * ADS, so external proxies (`gloo proxy`, Envoy) can join.
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
}

export interface RunningGateway {
  adminPort: number;
  stop(): Promise<void>;
}

export async function runAllInOne(opts: RunOptions): Promise<RunningGateway> {
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
