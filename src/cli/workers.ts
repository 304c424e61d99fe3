/**
 * Worker processes (`gloo run --workers N`, `gloo proxy --workers N`): the primary forks N data
 * planes with node:cluster and keeps everything else (for `gloo run`: the config source, the control
 * plane, the xDS cache and an ADS server on loopback; for both: the admin server). Each worker is a
 * `GatewayProxy` fed by its own `AdsClient` with the same node key, and binds the listeners of the
 * snapshots it applies; node:cluster shares each listening socket among the workers (round-robin
 * on Linux). The primary and the workers meet only through IPC messages (`WorkerMessage`,
 * `PrimaryMessage`): workers report applied versions and listener errors, and answer requests for
 * their stats, xDS state and applied config. A worker that dies is restarted with a back-off; stop()
 * asks every worker to drain and waits for it.
 *
 * Example:
 *   const pool = WorkerPool.start({ count: 2, worker: { xdsAddress: '127.0.0.1:9977', role, logLevel, logFormat }, logger });
 *   pool.ready();           // every worker has applied its first snapshot
 *   await pool.stats();     // counters summed over the workers
 *   await pool.stop();
 */
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type LogFormat, type LogLevel, type Logger } from '../logger.js';
import type { ProxyStats } from '../proxy/stats.js';
import { createProxyStats, clusterStatsFor, tcpStatsFor } from '../proxy/stats.js';
import { mergeClusterStatuses, type ClusterStatus } from '../proxy/upstream/health/cluster-status.js';
import { Backoff } from '../xds/client/backoff.js';
import { parseHostPort } from '../xds/server/ads-server.js';
import { createAdsDataPlane } from './proxy.js';

/** The environment variable that carries a worker's configuration (JSON `WorkerConfig`). */
const WORKER_ENV = 'GLOO_WORKER';
/** How long the primary waits for workers to answer a request (`/stats`, `/metrics`, …). */
const REQUEST_TIMEOUT_MS = 2000;
/** A worker that lived this long before dying restarts after the shortest back-off again. */
const STABLE_AFTER_MS = 10_000;

/** What a worker needs to run its data plane. */
export interface WorkerConfig {
  /** `HOST:PORT` of the ADS server to connect to. */
  xdsAddress: string;
  role: string;
  /** Node id prefix; each worker appends `.w<index>` (default `<hostname>.<primary pid>`). */
  nodeId?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** How long a stopping worker waits for in-flight requests (default 60 s, as GatewayProxy). */
  drainTimeoutMs?: number;
}

type RequestKind = 'stats' | 'xds' | 'config_dump' | 'clusters';

/** Worker → primary. */
type WorkerMessage =
  | { gloo: 'applied'; version: string; listeners: { name: string; bound: boolean }[] }
  | { gloo: 'listener-error'; listener: string; address: string; port: number; message: string }
  | { gloo: 'reply'; id: number; value: unknown };

/** Primary → worker. */
type PrimaryMessage = { gloo: 'request'; id: number; what: RequestKind } | { gloo: 'shutdown' };

/** Parses `--workers`: a positive integer, or `auto` (one per CPU). */
export function parseWorkers(value: string): number {
  if (value === 'auto') return Math.max(1, os.availableParallelism());
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`--workers must be a positive integer or "auto", got "${value}"`);
  return n;
}

/** The address a local client uses to reach a server bound to `address` (wildcards become loopback). */
export function loopbackAddressOf(address: string): string {
  const { host, port } = parseHostPort(address);
  if (host === '0.0.0.0' || host === '') return `127.0.0.1:${port}`;
  if (host === '::') return `[::1]:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True in a process forked by `WorkerPool` (gloo.ts then runs `runWorkerProcess` instead of the CLI). */
export function isWorkerProcess(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] !== undefined;
}

/** Adds `from` into `into`, counter by counter (every numeric field, and every cluster's). */
export function addProxyStats(into: ProxyStats, from: ProxyStats): void {
  const sum = (target: Record<string, unknown>, source: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(source)) if (typeof v === 'number') target[k] = ((target[k] as number | undefined) ?? 0) + v;
  };
  sum(into as unknown as Record<string, unknown>, from as unknown as Record<string, unknown>);
  for (const [name, cs] of Object.entries(from.clusters ?? {}))
    sum(clusterStatsFor(into, name) as unknown as Record<string, unknown>, cs as unknown as Record<string, unknown>);
  for (const [prefix, ts] of Object.entries(from.tcp ?? {}))
    sum(tcpStatsFor(into, prefix) as unknown as Record<string, unknown>, ts as unknown as Record<string, unknown>);
}

/** The worker side: one data plane, reporting to the primary over IPC. Never returns until stopped. */
export async function runWorkerProcess(): Promise<void> {
  const cfg = JSON.parse(process.env[WORKER_ENV]!) as WorkerConfig & { index: number };
  const logger = createLogger({ level: cfg.logLevel, format: cfg.logFormat, component: `worker-${cfg.index}` });
  const send = (m: WorkerMessage) => {
    if (process.connected) process.send!(m);
  };
  const proxyLogger = logger.child(`worker-${cfg.index}/gateway-proxy`);
  const { client, proxy, applied } = createAdsDataPlane({
    xdsAddress: cfg.xdsAddress,
    role: cfg.role,
    nodeId: `${cfg.nodeId ?? `${os.hostname()}.${process.ppid}`}.w${cfg.index}`,
    logger: { ...logger, child: (c: string) => logger.child(`worker-${cfg.index}/${c}`) },
    onListenerError: (listener, address, port, err) => {
      const message = `listener ${listener} cannot listen on ${address}:${port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`;
      proxyLogger.error(message);
      send({ gloo: 'listener-error', listener, address, port, message });
    },
  });
  proxy.onApplied((version) => send({ gloo: 'applied', version, listeners: proxy.listeners.map((l) => ({ name: l.name, bound: l.bound })) }));

  let stopping: Promise<void> | undefined;
  const stop = (why: string) =>
    (stopping ??= (async () => {
      logger.info('worker stopping', { reason: why });
      await proxy.stop();
      process.exit(0);
    })());
  process.on('message', (m: PrimaryMessage) => {
    if (m?.gloo === 'shutdown') void stop('asked by the primary');
    else if (m?.gloo === 'request') {
      const value =
        m.what === 'stats'
          ? proxy.stats
          : m.what === 'xds'
            ? { pid: process.pid, client: client.status(), appliedVersion: proxy.appliedVersion ?? null }
            : m.what === 'clusters'
              ? proxy.clusterStatuses()
              : applied() ?? null;
      send({ gloo: 'reply', id: m.id, value });
    }
  });
  // The primary went away (killed): nothing will restart or feed this worker any more.
  process.on('disconnect', () => void stop('the primary exited'));
  // A signal to the whole process group (Ctrl-C, a supervisor) reaches the workers too.
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  proxy.start();
  logger.info('worker running', { pid: process.pid, xds: cfg.xdsAddress, role: cfg.role, nodeId: client.nodeId });
}

interface Slot {
  index: number;
  worker: Worker | undefined;
  startedAt: number;
  /** Version the current worker serves. */
  appliedVersion: string | undefined;
  /** True once any worker in this slot has applied a snapshot. */
  everApplied: boolean;
  restarts: number;
  backoff: Backoff;
  restartTimer: NodeJS.Timeout | undefined;
}

export interface WorkerPoolOptions {
  count: number;
  worker: WorkerConfig;
  logger: Logger;
  /** A worker could not bind a listener. */
  onListenerError?: (listener: string, message: string) => void;
  /** A worker applied `version`; `listeners` is its bind state. */
  onApplied?: (version: string, listeners: { name: string; bound: boolean }[]) => void;
}

/** Per worker, for `/api/v1/xds`. */
export interface WorkerStatus {
  index: number;
  pid: number | null;
  appliedVersion: string | null;
  restarts: number;
}

/** The primary side: forks, watches, restarts and stops the workers; answers for them. */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; waiting: Set<Worker>; results: unknown[]; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private stopping = false;

  private constructor(private readonly opts: WorkerPoolOptions) {}

  static start(opts: WorkerPoolOptions): WorkerPool {
    if (!cluster.isPrimary) throw new Error('WorkerPool must be started in the primary process');
    // Workers run the gloo CLI entry point, which sees GLOO_WORKER and runs `runWorkerProcess`.
    cluster.setupPrimary({ exec: path.join(path.dirname(fileURLToPath(import.meta.url)), 'gloo.js'), args: [] });
    const pool = new WorkerPool(opts);
    for (let i = 0; i < opts.count; i++) {
      const slot: Slot = {
        index: i,
        worker: undefined,
        startedAt: 0,
        appliedVersion: undefined,
        everApplied: false,
        restarts: 0,
        backoff: new Backoff({ initialMs: 500, maxMs: 30_000 }),
        restartTimer: undefined,
      };
      pool.slots.push(slot);
      pool.fork(slot);
    }
    return pool;
  }

  /** True once every worker has applied a first snapshot and at least one is serving now. */
  ready(): boolean {
    return this.slots.every((s) => s.everApplied) && this.slots.some((s) => s.appliedVersion !== undefined);
  }

  status(): WorkerStatus[] {
    return this.slots.map((s) => ({
      index: s.index,
      pid: s.worker?.process.pid ?? null,
      appliedVersion: s.appliedVersion ?? null,
      restarts: s.restarts,
    }));
  }

  /** The workers' counters, summed (workers that do not answer in time are left out). */
  async stats(): Promise<ProxyStats> {
    const total = createProxyStats();
    for (const s of (await this.request('stats')) as ProxyStats[]) if (s) addProxyStats(total, s);
    return total;
  }

  /** The workers' clusters and host health, merged (each worker checks its hosts on its own). */
  async clusters(): Promise<ClusterStatus[]> {
    return mergeClusterStatuses(((await this.request('clusters')) as (ClusterStatus[] | null)[]).filter((l): l is ClusterStatus[] => Array.isArray(l)));
  }

  /** Asks every live worker; resolves with the answers that came within the bounded wait. */
  request(what: RequestKind): Promise<unknown[]> {
    const live = this.slots.map((s) => s.worker).filter((w): w is Worker => !!w && w.isConnected());
    if (live.length === 0) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(id), REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, waiting: new Set(live), results: [], timer });
      for (const w of live) {
        try {
          w.send({ gloo: 'request', id, what } satisfies PrimaryMessage);
        } catch {
          this.pending.get(id)?.waiting.delete(w);
        }
      }
      if (this.pending.get(id)?.waiting.size === 0) this.finish(id);
    });
  }

  /** Prometheus lines about the workers themselves. */
  metrics(): string[] {
    return [
      '# TYPE gloo_workers gauge',
      `gloo_workers ${this.slots.filter((s) => s.worker?.isConnected()).length}`,
      '# TYPE gloo_worker_restarts_total counter',
      `gloo_worker_restarts_total ${this.slots.reduce((n, s) => n + s.restarts, 0)}`,
    ];
  }

  /** Asks every worker to drain and stop; kills one that has not exited after `timeoutMs`. */
  async stop(timeoutMs = (this.opts.worker.drainTimeoutMs ?? 60_000) + 5000): Promise<void> {
    this.stopping = true;
    const exits: Promise<void>[] = [];
    for (const s of this.slots) {
      clearTimeout(s.restartTimer);
      const w = s.worker;
      if (!w || w.isDead()) continue;
      exits.push(
        new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            this.opts.logger.warn('worker did not stop in time; killing it', { worker: s.index, pid: w.process.pid });
            w.process.kill('SIGKILL');
          }, timeoutMs);
          w.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          try {
            w.send({ gloo: 'shutdown' } satisfies PrimaryMessage);
          } catch {
            w.process.kill('SIGTERM');
          }
        }),
      );
    }
    await Promise.all(exits);
  }

  private finish(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(p.results);
  }

  private fork(slot: Slot): void {
    const { logger } = this.opts;
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify({ ...this.opts.worker, index: slot.index }) });
    slot.worker = worker;
    slot.startedAt = Date.now();
    slot.appliedVersion = undefined;
    worker.on('message', (m: WorkerMessage) => {
      if (m?.gloo === 'applied') {
        slot.appliedVersion = m.version;
        slot.everApplied = true;
        this.opts.onApplied?.(m.version, m.listeners);
      } else if (m?.gloo === 'listener-error') {
        this.opts.onListenerError?.(m.listener, m.message);
      } else if (m?.gloo === 'reply') {
        const p = this.pending.get(m.id);
        if (!p || !p.waiting.delete(worker)) return;
        p.results.push(m.value);
        if (p.waiting.size === 0) this.finish(m.id);
      }
    });
    worker.on('error', (err) => logger.warn('worker IPC error', { worker: slot.index, error: err }));
    worker.once('exit', (code, signal) => {
      // A pending request stops waiting for this worker.
      for (const [id, p] of this.pending) if (p.waiting.delete(worker) && p.waiting.size === 0) this.finish(id);
      if (slot.worker === worker) {
        slot.worker = undefined;
        slot.appliedVersion = undefined;
      }
      if (this.stopping) return;
      if (Date.now() - slot.startedAt >= STABLE_AFTER_MS) slot.backoff.reset();
      const delay = slot.backoff.next();
      slot.restarts++;
      logger.error('worker died; restarting it', { worker: slot.index, pid: worker.process.pid, code, signal, restartInMs: delay });
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined;
        if (!this.stopping) this.fork(slot);
      }, delay);
    });
    logger.info('worker started', { worker: slot.index, pid: worker.process.pid });
  }
}
