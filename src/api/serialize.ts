/**
 * Resources in Gloo's Kubernetes form (`apiVersion/kind/metadata/spec/status`), as `glooctl -o yaml`
 * and the admin API show them. Secret data is never shown: only its type and key names.
 */
import { kindInfo } from './kinds.js';
import type { AnyResource } from './resource.js';

export function toKubeObject(r: AnyResource, status?: unknown): Record<string, unknown> {
  const info = kindInfo(r.kind);
  const out: Record<string, unknown> = { apiVersion: info.apiVersion, kind: r.kind, metadata: { ...r.metadata } };
  if (r.kind === 'Secret') {
    const spec = r.spec;
    if (spec.type) out.type = spec.type;
    const keys = [...new Set([...Object.keys(spec.data ?? {}), ...Object.keys(spec.stringData ?? {})])].sort();
    out.dataKeys = keys;
    return out;
  }
  out.spec = r.spec;
  if (status !== undefined) out.status = status;
  return out;
}
