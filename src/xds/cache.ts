/**
 * The xDS snapshot cache: one consistent, versioned snapshot per node key (`node.metadata.role`,
 * e.g. `gloo-system~gateway-proxy`). Subscribers are told of every new snapshot for their key; a
 * key with no snapshot of its own gets the fallback snapshot (empty), as Gloo does for unknown roles.
 */
import type { XdsSnapshot } from './envoy-types.js';

export type SnapshotListener = (snapshot: XdsSnapshot) => void;

export const EMPTY_SNAPSHOT: XdsSnapshot = Object.freeze({
  version: '0',
  listeners: [],
  routes: [],
  clusters: [],
  endpoints: [],
}) as XdsSnapshot;

export class SnapshotCache {
  private readonly snapshots = new Map<string, XdsSnapshot>();
  private readonly listeners = new Map<string, Set<SnapshotListener>>();

  /** Replaces the snapshot of a node key and tells its subscribers. */
  set(nodeKey: string, snapshot: XdsSnapshot): void {
    this.snapshots.set(nodeKey, snapshot);
    for (const l of this.listeners.get(nodeKey) ?? []) l(snapshot);
  }

  /** Drops a node key (its proxies get the fallback snapshot). */
  delete(nodeKey: string): void {
    if (!this.snapshots.delete(nodeKey)) return;
    for (const l of this.listeners.get(nodeKey) ?? []) l(EMPTY_SNAPSHOT);
  }

  get(nodeKey: string): XdsSnapshot | undefined {
    return this.snapshots.get(nodeKey);
  }

  keys(): string[] {
    return [...this.snapshots.keys()];
  }

  /** Subscribes to a node key; the current snapshot, if any, is delivered at once. */
  subscribe(nodeKey: string, listener: SnapshotListener): () => void {
    let set = this.listeners.get(nodeKey);
    if (!set) this.listeners.set(nodeKey, (set = new Set()));
    set.add(listener);
    const current = this.snapshots.get(nodeKey);
    if (current) listener(current);
    return () => {
      set.delete(listener);
    };
  }
}
