/**
 * The xDS client interface the data plane consumes. `gloo run` uses the in-process client below;
 * `gloo proxy` (issue 4) uses an ADS client over gRPC with the same interface, so both paths behave
 * identically. Snapshots are handed over as decoded copies: the data plane never shares objects
 * with the control plane.
 */
import type { XdsSnapshot } from './envoy-types.js';
import type { SnapshotCache } from './cache.js';

export interface XdsClient {
  /** The node key this client subscribes with (`<namespace>~<proxy name>`). */
  readonly role: string;
  /** Calls `onSnapshot` with every new snapshot; the current one (if any) is delivered at once. */
  watch(onSnapshot: (snapshot: XdsSnapshot) => void): void;
  close(): void;
}

export class InProcessXdsClient implements XdsClient {
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cache: SnapshotCache,
    readonly role: string,
  ) {}

  watch(onSnapshot: (snapshot: XdsSnapshot) => void): void {
    this.unsubscribe?.();
    this.unsubscribe = this.cache.subscribe(this.role, (s) => onSnapshot(structuredClone(s)));
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
