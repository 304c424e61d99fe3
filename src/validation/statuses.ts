/**
 * The status of every input resource after a translation, in each kind's own status model (Gloo's
 * namespaced statuses `status.statuses.<writeNamespace>`, or skv2's `{state, message}` for
 * RateLimitConfig), with the Proxies each resource contributed to as subresource statuses (from the
 * translation). Used by offline tools (`glooctl x translate`): what the control plane shows for the
 * same snapshot, minus run-time problems (a port in use) that only a running gateway can have.
 */
import type { AnyResource } from '../api/resource.js';
import { resourceId } from '../api/resource.js';
import { kindInfo } from '../api/kinds.js';
import { statusFromReport, type Status } from '../api/status.js';
import type { ApiSnapshot } from '../config/snapshot.js';
import type { TranslationResult } from '../translator/translate.js';
import { allSnapshotResources } from '../translator/snapshot-reports.js';

export interface ResourceStatus {
  resource: AnyResource;
  /** In the kind's status model, e.g. `{statuses: {'gloo-system': {state: 'Accepted', reportedBy: 'gloo'}}}`. */
  status: unknown;
  /** This controller's status, flattened. */
  own: Status;
}

/** Every input resource (user-written Proxies replaced by the translated ones) with its status. */
export function resourceStatuses(snapshot: ApiSnapshot, result: TranslationResult, writeNamespace: string): ResourceStatus[] {
  const all: AnyResource[] = [...allSnapshotResources(snapshot).filter((r) => r.kind !== 'Proxy'), ...result.proxies];
  return all.map((r) => {
    const own = statusFromReport(result.reports.get(r) ?? { errors: [], warnings: [] });
    const subs = result.subresources.get(resourceId(r));
    if (subs) own.subresourceStatuses = subs;
    const model = kindInfo(r.kind).statusModel;
    let status: unknown;
    if (model === 'namespaced') status = { statuses: { [writeNamespace]: own } };
    else if (model === 'skv2')
      status = { state: own.state.toUpperCase(), ...(own.reason ? { message: own.reason } : {}), observedGeneration: r.metadata.generation ?? 0 };
    return { resource: r, status, own };
  });
}
