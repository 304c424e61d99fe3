/**
 * `gloo control-plane`: the directory source, the control plane pipeline, the xDS snapshot cache,
 * the ADS server (proxies connect with `gloo proxy` or Envoy) and the admin server (/ready, the
 * resource/status API, validation, /config_dump of the served snapshots, /api/v1/xds, /metrics).
 * No data plane runs here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createLogger, type LogFormat, type LogLevel } from '../logger.js';
import { SnapshotCache } from '../xds/cache.js';
import { DirectoryConfigSource } from '../config/directory/directory-source.js';
import { ControlPlane } from '../pipeline/control-plane.js';
import { AdsServer } from '../xds/server/ads-server.js';
import { startAdminServer } from '../admin/server.js';

export interface ControlPlaneProcessOptions {
  configDir: string;
  xdsAddress: string;
  adminPort: number;
  adminAddress: string;
  writeNamespace: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export interface RunningControlPlane {
  adminPort: number;
  xdsPort: number;
  ads: AdsServer;
  controlPlane: ControlPlane;
  cache: SnapshotCache;
  stop(): Promise<void>;
}

/** Fails with a user-facing message when `dir` is not a directory; returns its absolute path. */
export function resolveConfigDir(dir: string): string {
  const configDir = path.resolve(dir);
  if (!fs.existsSync(configDir) || !fs.statSync(configDir).isDirectory()) throw new Error(`--config-dir ${dir}: no such directory`);
  return configDir;
}

/** Stops `stop` on SIGINT/SIGTERM, then exits. */
export function stopOnSignals(stop: () => Promise<void>): void {
  const onSignal = () => {
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

export async function startControlPlaneProcess(opts: ControlPlaneProcessOptions): Promise<RunningControlPlane> {
  const configDir = resolveConfigDir(opts.configDir);
  const logger = createLogger({ level: opts.logLevel, format: opts.logFormat, component: 'gloo' });
  const cache = new SnapshotCache();
  const source = new DirectoryConfigSource({ dir: configDir, logger: logger.child('config') });
  const controlPlane = new ControlPlane({ source, cache, writeNamespace: opts.writeNamespace, logger: logger.child('control-plane') });
  const ads = await AdsServer.start({ cache, logger: logger.child('xds') }, opts.xdsAddress);
  let admin;
  try {
    admin = await startAdminServer(
      {
        ready: () => controlPlane.translationCount > 0,
        controlPlane,
        cache,
        xdsStatus: () => ads.status(),
        extraMetrics: () => ads.metrics(),
        logger: logger.child('admin'),
      },
      opts.adminPort,
      opts.adminAddress,
    );
  } catch (err) {
    await ads.close();
    throw err;
  }
  logger.info('admin server listening', { address: `http://${opts.adminAddress}:${admin.port}` });
  await controlPlane.start();
  logger.info('gloo-ts control plane is running', { configDir, xds: ads.address });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await controlPlane.stop();
      await ads.close();
      await admin.close();
    })());
  stopOnSignals(stop);
  return { adminPort: admin.port, xdsPort: ads.port, ads, controlPlane, cache, stop };
}
