/**
 * Source metadata: the Proxy listeners and virtual hosts carry the refs of the Gateways and
 * VirtualServices they came from (`metadataStatic.sources`), so reports made against a Proxy
 * sub-resource flow back to the resource the user wrote, and the reconciler can tell whose version
 * to keep.
 *
 * Example: `{sources: [{resourceRef: {name: petstore, namespace: gloo-system}, resourceKind: '*v1.VirtualService', observedGeneration: '1'}]}`
 */
import type { Resource } from '../api/resource.js';
import type { ResourceIdent } from './reports.js';

export interface SourceRef {
  resourceRef?: { name?: string; namespace?: string };
  resourceKind?: string;
  observedGeneration?: string;
}
export interface SourceMetadataValue {
  sources?: SourceRef[];
}

/** Gloo's Go type names for the kinds that appear as sources. */
const GO_KIND: Record<string, string> = {
  Gateway: '*v1.Gateway',
  VirtualService: '*v1.VirtualService',
  RouteTable: '*v1.RouteTable',
  MatchableHttpGateway: '*v1.MatchableHttpGateway',
};
const KIND_BY_GO = new Map(Object.entries(GO_KIND).map(([k, v]) => [v, k]));

export function sourceMetadata(resources: Resource[]): { sources: Required<SourceRef>[] } {
  return {
    sources: resources.map((r) => ({
      resourceRef: { name: r.metadata.name, namespace: r.metadata.namespace },
      resourceKind: GO_KIND[r.kind] ?? `*v1.${r.kind}`,
      observedGeneration: String(r.metadata.generation ?? 0),
    })),
  };
}

/** The resources a `metadataStatic` names, as report identities. */
export function sourceIdents(meta: SourceMetadataValue | undefined): ResourceIdent[] {
  const out: ResourceIdent[] = [];
  for (const s of meta?.sources ?? []) {
    if (!s.resourceRef?.name || !s.resourceKind) continue;
    const kind = KIND_BY_GO.get(s.resourceKind) ?? s.resourceKind.replace(/^\*v\d+\./, '');
    out.push({ kind, metadata: { name: s.resourceRef.name, namespace: s.resourceRef.namespace ?? '' } });
  }
  return out;
}
