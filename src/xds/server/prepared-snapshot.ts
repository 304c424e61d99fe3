/**
 * A snapshot made ready for the wire: every resource encoded once into a `google.protobuf.Any` with
 * a content hash (the per-resource version of delta xDS), grouped by type URL. Prepared snapshots
 * are cached per snapshot object, and encoded resources per resource object, so N proxies on one
 * node key — and unchanged resources between snapshots — cost one encoding.
 */
import { createHash } from 'node:crypto';
import { TYPE_URL, type XdsSnapshot } from '../envoy-types.js';
import { encodeResource } from '../protos.js';
import type { AnyMessage } from './discovery-protocol.js';

export interface EncodedResource {
  name: string;
  /** Hash of the encoded bytes: identical content ⇔ identical version. */
  hash: string;
  any: AnyMessage;
}

export interface PreparedType {
  /** In the snapshot's order. */
  resources: EncodedResource[];
  byName: Map<string, EncodedResource>;
  /** Version of the whole type (what a wildcard subscriber is sent). */
  version: string;
}

export interface PreparedSnapshot {
  snapshot: XdsSnapshot;
  types: Map<string, PreparedType>;
}

const FIELD: [typeUrl: string, field: keyof Omit<XdsSnapshot, 'version'>, name: (r: any) => string][] = [
  [TYPE_URL.cluster, 'clusters', (r) => r.name],
  [TYPE_URL.clusterLoadAssignment, 'endpoints', (r) => r.cluster_name],
  [TYPE_URL.listener, 'listeners', (r) => r.name],
  [TYPE_URL.routeConfiguration, 'routes', (r) => r.name],
];

const EMPTY_TYPE: PreparedType = Object.freeze({ resources: [], byName: new Map(), version: versionOf([]) }) as PreparedType;

/** The version of a list of resources (what one SotW response carries). */
export function versionOf(resources: readonly EncodedResource[]): string {
  const h = createHash('sha256');
  for (const r of resources) h.update(r.name).update('\0').update(r.hash).update('\n');
  return h.digest('hex').slice(0, 16);
}

export class SnapshotPreparer {
  private readonly prepared = new WeakMap<XdsSnapshot, PreparedSnapshot>();
  private readonly encoded = new WeakMap<object, EncodedResource>();

  /** Throws when a resource cannot be encoded (a translator bug; the proto checker should catch it first). */
  prepare(snapshot: XdsSnapshot): PreparedSnapshot {
    const hit = this.prepared.get(snapshot);
    if (hit) return hit;
    const types = new Map<string, PreparedType>();
    for (const [typeUrl, field, nameOf] of FIELD) {
      const resources: EncodedResource[] = [];
      const byName = new Map<string, EncodedResource>();
      for (const r of (snapshot[field] ?? []) as object[]) {
        let e = this.encoded.get(r);
        if (!e) {
          const value = Buffer.from(encodeResource(typeUrl, r));
          e = { name: nameOf(r), hash: createHash('sha256').update(value).digest('hex').slice(0, 16), any: { type_url: typeUrl, value } };
          this.encoded.set(r, e);
        }
        if (byName.has(e.name)) continue; // first one wins, as the data plane does
        byName.set(e.name, e);
        resources.push(e);
      }
      types.set(typeUrl, { resources, byName, version: versionOf(resources) });
    }
    const p = { snapshot, types };
    this.prepared.set(snapshot, p);
    return p;
  }
}

/** The resources of one type (an unknown type has none). */
export function typeOf(p: PreparedSnapshot, typeUrl: string): PreparedType {
  return p.types.get(typeUrl) ?? EMPTY_TYPE;
}
