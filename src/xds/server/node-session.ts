/**
 * What both stream kinds (SotW and delta) share: reading the node from the first request, the node
 * key (`node.metadata.role`), the subscription to that key in the snapshot cache, the fallback
 * (empty) snapshot for a role without one — with one warning per stream — and the accounting record.
 */
import { EMPTY_SNAPSHOT, type SnapshotCache } from '../cache.js';
import type { XdsSnapshot } from '../envoy-types.js';
import type { Logger } from '../../logger.js';
import { roleOf, type Node } from './discovery-protocol.js';
import type { ConnectionStatus, XdsAccounting } from './connection-status.js';
import type { PreparedSnapshot, SnapshotPreparer } from './prepared-snapshot.js';

export interface StreamDeps {
  cache: SnapshotCache;
  preparer: SnapshotPreparer;
  accounting: XdsAccounting;
  logger: Logger;
}

export class NodeSession {
  conn: ConnectionStatus | undefined;
  current: PreparedSnapshot | undefined;
  private unsubscribe: (() => void) | undefined;
  private warned = false;

  constructor(
    private readonly deps: StreamDeps,
    private readonly streamType: 'sotw' | 'delta',
    private readonly peer: string,
  ) {}

  get started(): boolean {
    return this.conn !== undefined;
  }

  /** Opens the session from the stream's first request; `onChange` runs on every later snapshot. */
  start(node: Node | null | undefined, onChange: () => void): void {
    const role = roleOf(node);
    const userAgent = [node?.user_agent_name, node?.user_agent_version].filter(Boolean).join('/');
    this.conn = this.deps.accounting.open({
      nodeId: node?.id ?? '',
      role,
      knownRole: this.deps.cache.get(role) !== undefined,
      userAgent,
      streamType: this.streamType,
      peer: this.peer,
    });
    this.deps.logger.info('proxy connected', { nodeId: this.conn.nodeId, role, userAgent, stream: this.streamType, peer: this.peer });
    this.setSnapshot(this.deps.cache.get(role) ?? EMPTY_SNAPSHOT);
    // The cache delivers the current snapshot at once: the same object is no change.
    this.unsubscribe = this.deps.cache.subscribe(role, (s) => {
      if (s !== this.current?.snapshot && this.setSnapshot(s)) onChange();
    });
  }

  private setSnapshot(s: XdsSnapshot): boolean {
    const conn = this.conn!;
    conn.knownRole = s !== EMPTY_SNAPSHOT && this.deps.cache.get(conn.role) === s;
    if (!conn.knownRole && !this.warned) {
      this.warned = true;
      this.deps.logger.warn('proxy has an unknown role; it gets the fallback (empty) snapshot', {
        nodeId: conn.nodeId,
        role: conn.role || '<none>',
        knownRoles: this.deps.cache.keys(),
      });
    }
    try {
      this.current = this.deps.preparer.prepare(s);
      return true;
    } catch (err) {
      this.deps.logger.error('snapshot cannot be encoded; the previous one keeps being served', { role: conn.role, version: s.version, err });
      this.current ??= this.deps.preparer.prepare(EMPTY_SNAPSHOT);
      return false;
    }
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.conn) {
      this.deps.accounting.close(this.conn);
      this.deps.logger.info('proxy disconnected', { nodeId: this.conn.nodeId, role: this.conn.role, stream: this.streamType });
    }
  }
}
