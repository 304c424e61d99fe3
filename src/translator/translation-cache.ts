/**
 * Incremental translation. Sources reuse the objects of resources that did not change (the directory
 * source keeps a file's resources when its content hash is the same), so a translation unit whose
 * inputs are the very same objects as last time produces the same output. This module memoises such
 * units across translations — a VirtualService's Proxy virtual host, a Proxy virtual host's Envoy
 * virtual host — together with the reports they made, which are replayed on a hit so statuses stay
 * exactly what a full translation gives.
 *
 * Example: `translate(snapshot, { cache })` with one `TranslationCache` kept by the control plane; a
 * one-route change re-translates one virtual host and reuses the rest.
 */
import { Reports, type ResourceIdent } from './reports.js';

type Recorded = ['accept' | 'error' | 'warning', ResourceIdent, string];

/**
 * A Reports that forwards every write to `target` (and every read from it) and records the writes,
 * so they can be replayed on a later translation that reuses the unit's output.
 */
export class RecordingReports extends Reports {
  readonly recorded: Recorded[] = [];

  constructor(private readonly target: Reports) {
    super();
  }

  override accept(r: ResourceIdent): void {
    this.recorded.push(['accept', ident(r), '']);
    this.target.accept(r);
  }
  override addError(r: ResourceIdent, message: string): void {
    this.recorded.push(['error', ident(r), message]);
    this.target.addError(r, message);
  }
  override addWarning(r: ResourceIdent, message: string): void {
    this.recorded.push(['warning', ident(r), message]);
    this.target.addWarning(r, message);
  }
  override get(r: ResourceIdent) {
    return this.target.get(r);
  }
  override hasErrors(r: ResourceIdent): boolean {
    return this.target.hasErrors(r);
  }
  override merge(other: Reports): void {
    for (const rep of other.all()) {
      const id = { kind: rep.kind, metadata: { name: rep.name, namespace: rep.namespace } };
      this.accept(id);
      for (const m of rep.errors) this.addError(id, m);
      for (const m of rep.warnings) this.addWarning(id, m);
    }
  }
  override all() {
    return this.target.all();
  }
}

function ident(r: ResourceIdent): ResourceIdent {
  return { kind: r.kind, metadata: { name: r.metadata.name, namespace: r.metadata.namespace } };
}

export function replay(recorded: readonly Recorded[], target: Reports): void {
  for (const [op, r, message] of recorded) {
    if (op === 'accept') target.accept(r);
    else if (op === 'error') target.addError(r, message);
    else target.addWarning(r, message);
  }
}

interface MemoEntry<V> {
  deps: readonly unknown[];
  value: V;
  recorded: readonly Recorded[];
  run: number;
}

/**
 * Memoised translation units by key, valid while their dependencies are the same values (`===`).
 * Entries not used during a translation are dropped at its end, so the table never outgrows the
 * configuration.
 */
export class MemoTable<V> {
  private readonly entries = new Map<string, MemoEntry<V>>();
  private run = 0;
  hits = 0;
  misses = 0;

  /** The memoised value (its reports replayed into `reports`), or undefined. */
  get(key: string, deps: readonly unknown[], reports: Reports): { value: V } | undefined {
    const e = this.entries.get(key);
    if (e === undefined || e.deps.length !== deps.length || e.deps.some((d, i) => d !== deps[i])) {
      this.misses++;
      return undefined;
    }
    e.run = this.run;
    replay(e.recorded, reports);
    this.hits++;
    return { value: e.value };
  }

  /** Computes a unit with recorded reports and memoises it. */
  compute(key: string, deps: readonly unknown[], reports: Reports, fn: (reports: Reports) => V): V {
    const hit = this.get(key, deps, reports);
    if (hit) return hit.value;
    const recording = new RecordingReports(reports);
    const value = fn(recording);
    this.entries.set(key, { deps, value, recorded: recording.recorded, run: this.run });
    return value;
  }

  beginRun(): void {
    this.run++;
    this.hits = 0;
    this.misses = 0;
  }

  /** Drops the entries this run did not use. */
  endRun(): void {
    for (const [k, e] of this.entries) if (e.run !== this.run) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A stable number per object identity (for dependency fingerprints). */
export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

/** A string naming exactly these objects, in order. */
export function identityFingerprint(list: readonly object[]): string {
  let s = '';
  for (const o of list) s += `${objectId(o)},`;
  return s;
}

/** The caches one control plane keeps between translations. */
export class TranslationCache {
  /** VirtualService (per Gateway) → Proxy virtual host. */
  readonly proxyVirtualHosts = new MemoTable<unknown>();
  /** Proxy virtual host (per proxy and listener) → Envoy virtual host. */
  readonly envoyVirtualHosts = new MemoTable<unknown>();

  beginRun(): void {
    this.proxyVirtualHosts.beginRun();
    this.envoyVirtualHosts.beginRun();
  }
  endRun(): void {
    this.proxyVirtualHosts.endRun();
    this.envoyVirtualHosts.endRun();
  }
}
