/**
 * The control plane pipeline (DESIGN §3): config source → ApiSnapshot → translation → xDS cache,
 * and the statuses computed from the reports. It owns no translation logic of its own: it wires
 * stages that only meet through typed data, and keeps the state needed between runs (the last
 * Proxies, for "last accepted version keeps serving").
 */
import { createHash } from 'node:crypto';
import type { ApiSnapshot, ConfigSource } from '../config/snapshot.js';
import type { AnyResource, Resource } from '../api/resource.js';
import { resourceId } from '../api/resource.js';
import { formatLoadError, type LoadError } from '../api/load.js';
import { kindInfo } from '../api/kinds.js';
import { statusFromReport, type Status } from '../api/status.js';
import type { Reports } from '../translator/reports.js';
import { translate } from '../translator/translate.js';
import { TranslationCache } from '../translator/translation-cache.js';
import { allSnapshotResources } from '../translator/snapshot-reports.js';
import { defaultGateways } from '../translator/gateway/default-gateways.js';
import type { SnapshotCache } from '../xds/cache.js';
import type { XdsSnapshot } from '../xds/envoy-types.js';
import type { Logger } from '../logger.js';
import { ProtoChecker, formatProtoProblem } from '../xds/proto-check.js'; // proto conformance (issue 4)
import { nodeKey as proxyNodeKey } from '../translator/translate.js'; // proto conformance (issue 4)

export interface ResourceWithStatus {
  resource: AnyResource;
  /** The status in the kind's own model (namespaced statuses, or skv2 for RateLimitConfig). */
  status: unknown;
  /** The status of this controller, flattened, for tables. */
  own: Status;
}

export interface ControlPlaneOptions {
  source: ConfigSource;
  cache: SnapshotCache;
  writeNamespace?: string;
  logger: Logger;
}

export class ControlPlane {
  readonly writeNamespace: string;
  private previousProxies = new Map<string, Resource<'Proxy'>>();
  /** Translation units reused between translations (incremental translation). */
  private readonly cache = new TranslationCache();
  private resources = new Map<string, ResourceWithStatus>();
  private sourceErrors: LoadError[] = [];
  private readonly runtimeErrors = new Map<string, string>();
  private last:
    | { snapshot: ApiSnapshot; proxies: Resource<'Proxy'>[]; reports: Reports; subresources: Map<string, Record<string, Status>> }
    | undefined;
  private versions = new Map<string, string>();
  private translations = 0;
  private readonly listeners = new Set<() => void>();
  // --- validation (issue 3): the snapshot validation dry-runs against -------------------------------
  private current: ApiSnapshot | undefined;
  /** The last snapshot the source published (before default Gateways are added); undefined before the first. */
  currentSnapshot(): ApiSnapshot | undefined {
    return this.current;
  }
  // --- end validation ---------------------------------------------------------------------------------
  // --- proto conformance (issue 4): no snapshot is served that fails the Envoy proto check -----------
  /** Remembers the objects it found clean, so a re-translation only checks what is new. */
  private readonly protoChecker = new ProtoChecker();
  /**
   * Checks the resources of a node key against the real Envoy protos (src/xds/proto-check.ts). On a
   * problem — a translator bug, never a user error — the snapshot is not served (the previous one
   * keeps serving), each problem is logged and put on the Proxy's status as an error. Returns
   * whether the resources may be served.
   */
  private passesProtoCheck(nodeKey: string, resources: Omit<XdsSnapshot, 'version'>, proxies: Resource<'Proxy'>[], reports: Reports): boolean {
    let problems;
    try {
      problems = this.protoChecker.checkSnapshot(resources);
    } catch (err) {
      // A bug of the checker itself must not stop serving what the translator produced.
      this.opts.logger.error('the Envoy proto check failed', { nodeKey, error: err });
      return true;
    }
    if (problems.length === 0) return true;
    const messages = problems.map(formatProtoProblem);
    this.opts.logger.error('xDS snapshot failed the Envoy proto check; the previous one keeps serving', { nodeKey, problems: messages });
    const proxy = proxies.find((p) => proxyNodeKey(p.metadata.namespace, p.metadata.name) === nodeKey);
    const shown = messages.slice(0, 10);
    if (messages.length > shown.length) shown.push(`… and ${messages.length - shown.length} more xDS proto check problems`);
    if (proxy) for (const m of shown) reports.addError(proxy, m);
    return false;
  }
  // --- end proto conformance -------------------------------------------------------------------------

  constructor(private readonly opts: ControlPlaneOptions) {
    this.writeNamespace = opts.writeNamespace ?? 'gloo-system';
  }

  async start(): Promise<void> {
    await this.opts.source.start((snapshot) => this.onSnapshot(snapshot));
  }

  async stop(): Promise<void> {
    await this.opts.source.stop();
  }

  /** Called after every translation (tests and readiness wait on it). */
  onTranslated(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get translationCount(): number {
    return this.translations;
  }

  /** The xDS version currently in the cache for a node key. */
  version(nodeKey: string): string | undefined {
    return this.versions.get(nodeKey);
  }

  list(kind?: string): ResourceWithStatus[] {
    const all = [...this.resources.values()];
    return kind ? all.filter((r) => r.resource.kind === kind) : all;
  }

  /** Source errors not tied to a resource, plus runtime errors (a listener that cannot bind). */
  errors(): LoadError[] {
    const runtime = [...this.runtimeErrors.values()].map((message) => ({ file: '<runtime>', line: 0, column: 0, message }));
    return [...this.sourceErrors, ...runtime];
  }

  /**
   * Records a problem of a listener at run time (e.g. its port is in use); `undefined` clears it. It
   * is listed by `errors()` and shown as a Warning on the Gateways that wanted the listener.
   */
  reportListenerError(listenerName: string, message: string | undefined): void {
    const had = this.runtimeErrors.get(listenerName);
    if (message === undefined) this.runtimeErrors.delete(listenerName);
    else this.runtimeErrors.set(listenerName, message);
    if (had !== message && this.last) this.recordStatuses(this.last.snapshot, this.last.proxies, this.last.reports, this.last.subresources);
  }

  /** Listeners that currently have a runtime error. */
  listenersWithErrors(): string[] {
    return [...this.runtimeErrors.keys()];
  }

  /** The Gateways (`ns.name`) that contributed to a listener, from the Proxies' source metadata. */
  gatewaysForListener(listenerName: string): string[] {
    const out = new Set<string>();
    for (const p of this.previousProxies.values())
      for (const l of p.spec.listeners ?? [])
        if (l.name === listenerName)
          for (const s of l.metadataStatic?.sources ?? [])
            if ((s.resourceKind ?? '').endsWith('Gateway')) out.add(`${s.resourceRef?.namespace}.${s.resourceRef?.name}`);
    return [...out];
  }

  private onSnapshot(input: ApiSnapshot): void {
    const started = process.hrtime.bigint();
    this.current = input; // validation (issue 3)
    // Gloo's install creates two default Gateways; a config with none gets them, as they would.
    const snapshot: ApiSnapshot = input.gateways.length > 0 ? input : { ...input, gateways: defaultGateways(this.writeNamespace) };
    const result = translate(snapshot, { writeNamespace: this.writeNamespace, previousProxies: this.previousProxies, cache: this.cache });

    const nextKeys = new Set<string>();
    for (const [nodeKey, resources] of result.xds) {
      nextKeys.add(nodeKey);
      const version = contentVersion(resources);
      if (this.versions.get(nodeKey) === version) continue;
      if (!this.passesProtoCheck(nodeKey, resources, result.proxies, result.reports)) continue; // proto conformance (issue 4)
      this.versions.set(nodeKey, version);
      this.opts.cache.set(nodeKey, { version, ...resources } as XdsSnapshot);
    }
    for (const key of [...this.versions.keys()]) {
      if (!nextKeys.has(key)) {
        this.versions.delete(key);
        this.opts.cache.delete(key);
      }
    }
    this.previousProxies = new Map(result.proxies.map((p) => [p.metadata.name, p]));
    this.last = { snapshot, proxies: result.proxies, reports: result.reports, subresources: result.subresources };
    this.recordStatuses(snapshot, result.proxies, result.reports, result.subresources);
    this.sourceErrors = snapshot.errors.filter((e) => !e.resource);
    for (const e of this.sourceErrors) this.opts.logger.warn('configuration error', { error: formatLoadError(e) });
    this.translations++;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.opts.logger.info('translated configuration', {
      proxies: result.proxies.length,
      versions: Object.fromEntries(this.versions),
      ms: Math.round(ms * 10) / 10,
    });
    for (const l of this.listeners) l();
  }

  private recordStatuses(
    snapshot: ApiSnapshot,
    proxies: Resource<'Proxy'>[],
    reports: Reports,
    subresources: Map<string, Record<string, Status>>,
  ): void {
    const next = new Map<string, ResourceWithStatus>();
    // Every input resource (user-written Proxies are replaced by the ones the translator produced).
    const all: AnyResource[] = [...allSnapshotResources(snapshot).filter((r) => r.kind !== 'Proxy'), ...proxies];
    const runtimeByGateway = new Map<string, string[]>();
    for (const [listener, message] of this.runtimeErrors)
      for (const gw of this.gatewaysForListener(listener)) runtimeByGateway.set(gw, [...(runtimeByGateway.get(gw) ?? []), message]);
    for (const r of all) {
      const id = resourceId(r);
      const report = reports.get(r) ?? { errors: [], warnings: [] };
      const runtime = r.kind === 'Gateway' ? (runtimeByGateway.get(`${r.metadata.namespace}.${r.metadata.name}`) ?? []) : [];
      const own = statusFromReport(runtime.length ? { errors: report.errors, warnings: [...report.warnings, ...runtime] } : report);
      const subs = subresources.get(id);
      if (subs) own.subresourceStatuses = subs;
      const model = kindInfo(r.kind).statusModel;
      let status: unknown;
      if (model === 'namespaced') status = { statuses: { [this.writeNamespace]: own } };
      else if (model === 'skv2')
        status = {
          state: own.state.toUpperCase(),
          ...(own.reason ? { message: own.reason } : {}),
          observedGeneration: r.metadata.generation ?? 0,
        };
      next.set(id, { resource: r, status, own });
    }
    this.resources = next;
  }
}

function contentVersion(resources: Omit<XdsSnapshot, 'version'>): string {
  return createHash('sha256').update(JSON.stringify(resources)).digest('hex').slice(0, 16);
}
