/**
 * Reports every input resource gets regardless of what translation does with it: an entry (so it
 * has a status, Accepted unless something is found) and the load errors the sources attached to it.
 */
import type { AnyResource } from '../api/resource.js';
import { formatLoadError } from '../api/load.js';
import type { ApiSnapshot } from '../config/snapshot.js';
import type { Reports } from './reports.js';

/** Every resource of the snapshot, kinds in a fixed order. */
export function allSnapshotResources(snapshot: ApiSnapshot): AnyResource[] {
  return [
    ...snapshot.gateways,
    ...snapshot.virtualServices,
    ...snapshot.routeTables,
    ...snapshot.upstreams,
    ...snapshot.upstreamGroups,
    ...snapshot.settings,
    ...snapshot.proxies,
    ...snapshot.authConfigs,
    ...snapshot.rateLimitConfigs,
    ...snapshot.secrets,
  ];
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
