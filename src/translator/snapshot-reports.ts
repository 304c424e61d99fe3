/**
 * Reports every input resource gets regardless of what translation does with it: an entry (so it
 * has a status, Accepted unless something is found) and the load errors the sources attached to it.
 */
import type { AnyResource } from '../api/resource.js';
import { formatLoadError } from '../api/load.js';
import { SNAPSHOT_FIELD, type ApiSnapshot } from '../config/snapshot.js';
import type { Reports } from './reports.js';

/** Every resource of the snapshot, of every kind the snapshot holds (in SNAPSHOT_FIELD order). */
export function allSnapshotResources(snapshot: ApiSnapshot): AnyResource[] {
  const out: AnyResource[] = [];
  const lists = snapshot as unknown as Record<string, unknown>;
  for (const field of new Set<string>(Object.values(SNAPSHOT_FIELD))) {
    const list = lists[field];
    if (Array.isArray(list)) out.push(...(list as AnyResource[]));
  }
  return out;
}

/** Registers every resource of the snapshot so each one ends up with a status. */
export function acceptSnapshotResources(snapshot: ApiSnapshot, reports: Reports): void {
  for (const r of allSnapshotResources(snapshot)) reports.accept(r);
}

/**
 * A load error that names a resource rejects that resource, with the reason
 * `<file>:<line>:<column>: <field>: <message>`.
 */
export function reportLoadErrors(snapshot: ApiSnapshot, reports: Reports): void {
  for (const e of snapshot.errors) {
    if (!e.resource) continue;
    reports.addError({ kind: e.resource.kind, metadata: { name: e.resource.name, namespace: e.resource.namespace } }, formatLoadError(e));
  }
}
