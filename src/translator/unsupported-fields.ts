/**
 * Fields a user set that gloo-ts does not implement (or only partly): each becomes a Warning on its
 * resource, naming the field, so nothing the user wrote is ignored silently (DESIGN §1.1).
 */
import type { UnsupportedField } from '../api/resource.js';
import type { ApiSnapshot } from '../config/snapshot.js';
import { allSnapshotResources } from './snapshot-reports.js';
import type { Reports } from './reports.js';

/**
 * Example: `field spec.virtualHost.routes[0].options.cors is not supported yet and is ignored: cors is not implemented yet`.
 */
export function unsupportedFieldMessage(u: UnsupportedField): string {
  const note = u.note ? `: ${u.note}` : '';
  return u.level === 'partial'
    ? `field ${u.path} is only partly supported${note}`
    : `field ${u.path} is not supported yet and is ignored${note}`;
}

/** Puts one Warning per unsupported field on every resource of the snapshot. */
export function reportUnsupportedFields(snapshot: ApiSnapshot, reports: Reports): void {
  for (const r of allSnapshotResources(snapshot)) {
    for (const u of r.unsupported) reports.addWarning(r, unsupportedFieldMessage(u));
  }
}
