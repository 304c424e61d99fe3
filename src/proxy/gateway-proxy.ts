/**
 * `gateway-proxy`, the data plane: subscribes to an xDS client, compiles every snapshot into an
 * immutable config (clusters, route tables, listeners) and swaps it in with one assignment per
 * listener in a single tick, so each request runs to completion on the config it started with.
 * Snapshots are applied one at a time; a burst collapses to the newest. It owns the listener
 * manager, the cluster manager and the stats.
 *
 * Example:
 *   const proxy = new GatewayProxy({ client: new InProcessXdsClient(cache, 'gloo-system~gateway-proxy') });
 *   proxy.onApplied((v) => console.log('serving', v));
 *   proxy.start();
 *   …
 *   await proxy.stop();
 */
import type { XdsSnapshot } from '../xds/envoy-types.js';
import type { XdsClient } from '../xds/client.js';
import { SinkRegistry } from './access-log/sink.js';
import { compileSnapshot, type CompiledConfig } from './config/compile-snapshot.js';
import { TlsFileWatcher } from './tls/file-watcher.js';
import { ListenerManager, type ListenerErrorHandler, type ListenerStatus } from './listener/listener-manager.js';
import { consoleLogger, type Logger } from './logger.js';
import { createProxyStats, type ProxyStats } from './stats.js';
import { ClusterManager } from './upstream/cluster-manager.js';
import { clusterStatuses, type ClusterStatus } from './upstream/health/cluster-status.js';
import type { UpstreamHealthOptions } from './upstream/health/upstream-health.js';
import type { DnsResolver } from './upstream/dns-cache.js';

export type { Logger } from './logger.js';

export interface GatewayProxyOptions {
  client: XdsClient;
  logger?: Logger;
  /** Called when a listener cannot bind (it is retried with the next snapshot). */
  onListenerError?: ListenerErrorHandler;
  /** How long removed listeners and `stop()` wait for in-flight requests (default 60 s). */
  drainTimeoutMs?: number;
  /** Clock and probes of the health checker (tests). */
  health?: UpstreamHealthOptions;
  /** Name resolution for STRICT_DNS clusters (default: the system's, /etc/hosts included). */
  dnsResolver?: DnsResolver;
}

export type AppliedListener = (version: string) => void;

export class GatewayProxy {
  readonly stats: ProxyStats = createProxyStats();
  private readonly client: XdsClient;
  private readonly logger: Logger;
  private readonly clusterManager: ClusterManager;
  private readonly listenerManager: ListenerManager;
  private readonly drainTimeoutMs: number;
  private readonly appliedListeners = new Set<AppliedListener>();
  /** Access-log files, shared by all listeners and kept across updates while a config names them. */
  private readonly sinks: SinkRegistry;

  private current: CompiledConfig | null = null;
  private version: string | undefined;
  private isReady = false;
  private started = false;
  private stopped = false;
  private pending: XdsSnapshot | null = null;
  /** The last snapshot applied (re-applied when a watched certificate file changes). */
  private lastSnapshot: XdsSnapshot | null = null;
  private readonly tlsFiles: TlsFileWatcher;
  private applying: Promise<void> | null = null;

  constructor(opts: GatewayProxyOptions) {
    this.client = opts.client;
    this.logger = opts.logger ?? consoleLogger;
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 60_000;
    this.clusterManager = new ClusterManager(this.stats, this.logger, opts.health, opts.dnsResolver);
    this.sinks = new SinkRegistry(this.stats, this.logger);
    this.tlsFiles = new TlsFileWatcher(() => {
      if (this.lastSnapshot !== null && this.pending === null) this.enqueue(this.lastSnapshot);
    }, this.logger);
    this.listenerManager = new ListenerManager({
      stats: this.stats,
      logger: this.logger,
      onListenerError: opts.onListenerError,
      drainTimeoutMs: this.drainTimeoutMs,
    });
  }

  /** Subscribes to the xDS client; the current snapshot, if any, is applied at once. */
  start(): void {
    if (this.started) throw new Error('GatewayProxy already started');
    this.started = true;
    this.client.watch((snapshot) => this.enqueue(snapshot));
  }

  /** Stops listening, drains in-flight requests (at most `drainTimeoutMs`) and closes upstream pools. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pending = null;
    this.tlsFiles.close();
    this.listenerManager.setDraining(true);
    this.client.close();
    // Stops health checks now, so a config still warming does not hold the stop up.
    void this.clusterManager.health.close();
    await this.applying;
    await this.listenerManager.close(this.drainTimeoutMs);
    await this.clusterManager.close(this.drainTimeoutMs);
    await this.sinks.close();
  }

  /**
   * Marks the proxy as draining (health_check filters answer 503, responses close their connection)
   * without stopping it, as Envoy's `/healthcheck/fail`; `false` undoes it. `stop()` sets it.
   */
  setDraining(draining: boolean): void {
    this.listenerManager.setDraining(draining);
  }

  /** True once the first snapshot is applied and each of its listeners is bound or has failed. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Version of the snapshot being served, undefined before the first one. */
  get appliedVersion(): string | undefined {
    return this.version;
  }

  /** The config being served (read-only; for the admin server's config dump). */
  get config(): CompiledConfig | null {
    return this.current;
  }

  /** The served clusters with the health and counters of their hosts (admin `/clusters`). */
  clusterStatuses(): ClusterStatus[] {
    const c = this.current;
    return c === null ? [] : clusterStatuses(c.clusters, this.clusterManager.health);
  }

  /** Listeners and their bind state. */
  get listeners(): ListenerStatus[] {
    return this.listenerManager.status();
  }

  /** Calls `listener` with each version once it is serving. Returns an unsubscribe function. */
  onApplied(listener: AppliedListener): () => void {
    this.appliedListeners.add(listener);
    return () => {
      this.appliedListeners.delete(listener);
    };
  }

  /** Resolves once `version` is serving (at once if it already is). */
  whenApplied(version: string): Promise<void> {
    if (this.version === version) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.onApplied((v) => {
        if (v !== version) return;
        off();
        resolve();
      });
    });
  }

  private enqueue(snapshot: XdsSnapshot): void {
    if (this.stopped) return;
    this.pending = snapshot;
    if (this.applying === null) {
      this.applying = this.applyQueued().finally(() => {
        this.applying = null;
      });
    }
  }

  private async applyQueued(): Promise<void> {
    while (this.pending !== null && !this.stopped) {
      const s = this.pending;
      this.pending = null;
      await this.apply(s);
    }
  }

  private async apply(snapshot: XdsSnapshot): Promise<void> {
    try {
      await this.clusterManager.prepare(snapshot);
      if (this.stopped) return;
      const clusters = this.clusterManager.build(snapshot);
      // Envoy's cluster warming: a new cluster with active health checks first checks its hosts.
      await clusters.warmed;
      if (this.stopped) return;
      const config = compileSnapshot(snapshot, clusters.set, this.stats, this.logger, this.sinks);
      // The swap: synchronous from here to `commit`, so no request sees half of it.
      this.current = config;
      const bound = this.listenerManager.apply(config.listeners);
      clusters.commit();
      this.sinks.retain(config.accessLogPaths);
      this.lastSnapshot = snapshot;
      this.tlsFiles.update(config.tlsFiles);
      await bound;
    } catch (err) {
      this.logger.error('snapshot could not be applied; the previous config keeps serving', { version: snapshot.version, err });
      return;
    }
    this.version = snapshot.version;
    this.isReady = true;
    this.logger.info('config applied', { version: snapshot.version });
    for (const l of [...this.appliedListeners]) {
      try {
        l(snapshot.version);
      } catch (err) {
        this.logger.error('onApplied listener threw', { err });
      }
    }
  }
}
