/**
 * Validation is a dry run of the same translation (DESIGN §3): the current snapshot plus a proposed
 * change (resources to create or replace, resources to delete) is translated by the very `translate()`
 * the control plane runs, and the reports decide, by Gloo's rules (spec §3.3), whether the change is
 * admitted. It backs `POST /api/v1/validate`, `glooctl validate` and, through the same translation,
 * `glooctl x translate`. Pure: never throws, never touches the running configuration.
 *
 * What a change is blamed for: the errors and warnings of every resource it proposes (in the
 * snapshot with the change applied), plus the problems it adds to resources it does not touch —
 * deleting an Upstream still routed to gives that VirtualService a new `InvalidDestinationWarning`.
 * Problems those other resources already had are not the change's fault and are not counted (Gloo
 * counts them and rejects every change while anything is broken; we do not).
 *
 * The decision reads `gateway.validation.alwaysAccept` / `allowWarnings` from the Settings of the
 * CURRENT snapshot, not of the change: a change must not loosen the rules it is judged by (a request
 * that holds a broken VirtualService and a Settings with `alwaysAccept: true` is judged strictly if
 * the running Settings are strict). Gloo likewise reads them from the Settings it started with.
 */
import type { AnyResource, Resource } from '../api/resource.js';
import { DEFAULT_NAMESPACE, resourceId } from '../api/resource.js';
import { formatLoadError, type LoadError } from '../api/load.js';
import { SNAPSHOT_FIELD, type ApiSnapshot } from '../config/snapshot.js';
import { translate } from '../translator/translate.js';
import { settingsOf } from '../translator/settings.js';
import { defaultGateways } from '../translator/gateway/default-gateways.js';
import type { Reports } from '../translator/reports.js';
import { denyMessage, type DenyItem } from './deny-message.js';

/** A resource named by kind, namespace and name, e.g. `{kind: 'Upstream', namespace: 'gloo-system', name: 'petstore'}`. */
export interface ResourceKey {
  kind: string;
  namespace: string;
  name: string;
}

export interface ProposedChange {
  /** Resources to create, or to replace the resource of the same kind, namespace and name. */
  apply: AnyResource[];
  delete: ResourceKey[];
  /** Problems reading the proposed text. Each one rejects the change, even with `alwaysAccept`. */
  loadErrors?: LoadError[] | undefined;
}

export interface ValidateOptions {
  /** Where Gateways are read from and Proxies written (default `gloo-system`). */
  writeNamespace?: string | undefined;
  previousProxies?: Map<string, Resource<'Proxy'>> | undefined;
}

/**
 * Why a resource appears in the result: it is proposed (`apply`), deleted (`delete`), broken by the
 * change without being part of it (`affected`), or its proposed text could not be read (`load`).
 */
export type ChangeRole = 'apply' | 'delete' | 'affected' | 'load';

/**
 * One resource's verdict. Example:
 *   {kind: 'VirtualService', namespace: 'gloo-system', name: 'default', change: 'apply', errors: [],
 *    warnings: ['Route Warning: InvalidDestinationWarning. Reason: *v1.Upstream { gloo-system.nope } not found']}
 * For `load` problems that name no resource, kind and namespace are empty and `name` is the file.
 */
export interface ResourceValidation extends ResourceKey {
  change: ChangeRole;
  errors: string[];
  warnings: string[];
}

export interface ValidationResult {
  allowed: boolean;
  /** Gloo's deny message (`resource incompatible with current Gloo snapshot: [...]`); empty when allowed. */
  message: string;
  results: ResourceValidation[];
  /** The rules the decision applied (from the current Settings). */
  settings: { alwaysAccept: boolean; allowWarnings: boolean };
}

function keyId(k: ResourceKey): string {
  return `${k.kind} ${k.namespace}.${k.name}`;
}

/** The snapshot with `change` applied: same order, replaced in place, new ones appended. */
export function applyChange(current: ApiSnapshot, change: Pick<ProposedChange, 'apply' | 'delete'>): ApiSnapshot {
  const replace = new Map<string, AnyResource>(change.apply.map((r) => [resourceId(r), r]));
  const removed = new Set(change.delete.map(keyId));
  const next = { ...current } as unknown as Record<string, unknown>;
  const fields = SNAPSHOT_FIELD as Record<string, string>;
  const placed = new Set<string>();
  for (const field of new Set(Object.values(fields))) {
    const list = ((current as unknown as Record<string, AnyResource[] | undefined>)[field] ?? []).flatMap((r) => {
      const id = resourceId(r);
      if (removed.has(id)) return [];
      const proposed = replace.get(id);
      if (!proposed) return [r];
      placed.add(id);
      return [proposed];
    });
    next[field] = list;
  }
  for (const [id, r] of replace) {
    if (placed.has(id)) continue;
    (next[fields[r.kind]!] as AnyResource[]).push(r);
  }
  // A source error about a resource the change replaces or deletes no longer applies to it.
  const touched = new Set([...replace.keys(), ...removed]);
  next.errors = current.errors.filter((e) => !e.resource || !touched.has(keyId(e.resource)));
  return next as unknown as ApiSnapshot;
}

/** The snapshot as the control plane translates it: Gloo's two default Gateways when there is none. */
export function withDefaultGateways(snapshot: ApiSnapshot, writeNamespace: string): ApiSnapshot {
  return snapshot.gateways.length > 0 ? snapshot : { ...snapshot, gateways: defaultGateways(writeNamespace) };
}

function reportOf(reports: Reports, k: ResourceKey): { errors: string[]; warnings: string[] } {
  const r = reports.get({ kind: k.kind, metadata: { name: k.name, namespace: k.namespace } });
  return { errors: [...(r?.errors ?? [])], warnings: [...(r?.warnings ?? [])] };
}

export function validateChange(current: ApiSnapshot, change: ProposedChange, opts: ValidateOptions = {}): ValidationResult {
  const writeNamespace = opts.writeNamespace ?? DEFAULT_NAMESPACE;
  const translateOpts = { writeNamespace, previousProxies: opts.previousProxies };
  const { alwaysAccept, allowWarnings } = settingsOf(current, writeNamespace).validation;

  const before = translate(withDefaultGateways(current, writeNamespace), translateOpts).reports;
  const after = translate(withDefaultGateways(applyChange(current, change), writeNamespace), translateOpts).reports;

  const results: ResourceValidation[] = [];
  for (const e of change.loadErrors ?? []) {
    const k = e.resource ?? { kind: '', namespace: '', name: e.file };
    results.push({ kind: k.kind, namespace: k.namespace, name: k.name, change: 'load', errors: [formatLoadError(e)], warnings: [] });
  }
  const proposed = new Set<string>();
  for (const r of change.apply) {
    const k = { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name };
    proposed.add(keyId(k));
    results.push({ ...k, change: 'apply', ...reportOf(after, k) });
  }
  for (const d of change.delete) {
    proposed.add(keyId(d));
    results.push({ kind: d.kind, namespace: d.namespace, name: d.name, change: 'delete', errors: [], warnings: [] });
  }
  for (const rep of after.all()) {
    const k = { kind: rep.kind, namespace: rep.namespace, name: rep.name };
    // Proxies are outputs: their problems are the problems of the resources they came from.
    if (proposed.has(keyId(k)) || k.kind === 'Proxy') continue;
    const old = reportOf(before, k);
    const errors = rep.errors.filter((m) => !old.errors.includes(m));
    const warnings = rep.warnings.filter((m) => !old.warnings.includes(m));
    if (errors.length || warnings.length) results.push({ ...k, change: 'affected', errors, warnings });
  }

  const blocking = (r: ResourceValidation): string[] => {
    if (r.change === 'load') return r.errors;
    const out = alwaysAccept ? [] : [...r.errors];
    if (!alwaysAccept && !allowWarnings) out.push(...r.warnings);
    return out;
  };
  const loadItems: string[] = [];
  const items: DenyItem[] = [];
  const itemFor = (k: ResourceKey): DenyItem => {
    let item = items.find((i) => keyId(i) === keyId(k));
    if (!item) items.push((item = { kind: k.kind, namespace: k.namespace, name: k.name, problems: [] }));
    return item;
  };
  // With a single proposed resource, what it breaks elsewhere is reported under its name, as Gloo
  // does (deleting an Upstream: "Validating *v1.Upstream failed: … not found"). With several, the
  // culprit is not known, so a broken resource is reported under its own name.
  const changeItems = [...change.apply.map((r) => ({ kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name })), ...change.delete];
  const sole = changeItems.length === 1 ? changeItems[0] : undefined;
  for (const r of results) {
    const problems = blocking(r);
    if (problems.length === 0) continue;
    if (r.change === 'load') loadItems.push(...problems.map((p) => `could not unmarshal raw object: ${p}`));
    else itemFor(r.change === 'affected' && sole ? sole : r).problems.push(...problems);
  }
  const allowed = loadItems.length === 0 && items.length === 0;
  return {
    allowed,
    message: allowed ? '' : denyMessage(loadItems, items),
    results,
    settings: { alwaysAccept, allowWarnings },
  };
}
