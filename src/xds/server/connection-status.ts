/**
 * Accounting of the ADS server: one record per connected proxy (node id, role, user agent, stream
 * type, connected since) with, per resource type, what was last sent, ACKed and NACKed; and
 * server-wide counters for Prometheus (`xds_acks_total{type}`, `xds_nacks_total{type}`,
 * `xds_connected_proxies`). The admin server shows `snapshot()` at `GET /api/v1/xds`.
 *
 * Example of one connection in `snapshot().connections`:
 *   { id: 3, nodeId: 'host.123', role: 'gloo-system~gateway-proxy', knownRole: true, userAgent: 'gloo-ts/0.1.0',
 *     streamType: 'sotw', connectedSince: '2024-…Z',
 *     types: { CDS: { typeUrl: '…Cluster', lastSentVersion: 'ab12…', lastSentNonce: '4', lastAckedVersion: 'ab12…',
 *                     acks: 2, nacks: 0, resources: 3 } } }
 */
import { shortType } from './discovery-protocol.js';

export interface NackRecord {
  version: string;
  nonce: string;
  code: number;
  message: string;
  time: string;
}

export interface TypeStatus {
  typeUrl: string;
  lastSentVersion?: string;
  lastSentNonce?: string;
  lastSentAt?: string;
  /** Number of resources in the last response. */
  resources?: number;
  lastAckedVersion?: string;
  lastAckedAt?: string;
  lastNack?: NackRecord;
  acks: number;
  nacks: number;
}

export interface ConnectionStatus {
  id: number;
  nodeId: string;
  role: string;
  /** false when the role had no snapshot of its own and the fallback was served. */
  knownRole: boolean;
  userAgent: string;
  streamType: 'sotw' | 'delta';
  peer: string;
  connectedSince: string;
  types: Record<string, TypeStatus>;
}

export interface XdsServerStatus {
  address: string;
  connections: ConnectionStatus[];
  acks: Record<string, number>;
  nacks: Record<string, number>;
}

export interface AckEvent {
  connection: ConnectionStatus;
  typeUrl: string;
  version: string;
  nonce: string;
}

export class XdsAccounting {
  private readonly connections = new Map<number, ConnectionStatus>();
  private readonly acks = new Map<string, number>();
  private readonly nacks = new Map<string, number>();
  private readonly ackListeners = new Set<(e: AckEvent) => void>();
  private nextId = 1;
  address = '';

  open(c: Omit<ConnectionStatus, 'id' | 'types' | 'connectedSince'>): ConnectionStatus {
    const conn: ConnectionStatus = { id: this.nextId++, ...c, connectedSince: new Date().toISOString(), types: {} };
    this.connections.set(conn.id, conn);
    return conn;
  }

  close(conn: ConnectionStatus): void {
    this.connections.delete(conn.id);
  }

  private type(conn: ConnectionStatus, typeUrl: string): TypeStatus {
    const key = shortType(typeUrl);
    return (conn.types[key] ??= { typeUrl, acks: 0, nacks: 0 });
  }

  sent(conn: ConnectionStatus, typeUrl: string, version: string, nonce: string, resources: number): void {
    const t = this.type(conn, typeUrl);
    t.lastSentVersion = version;
    t.lastSentNonce = nonce;
    t.lastSentAt = new Date().toISOString();
    t.resources = resources;
  }

  ack(conn: ConnectionStatus, typeUrl: string, version: string, nonce: string): void {
    const t = this.type(conn, typeUrl);
    t.lastAckedVersion = version;
    t.lastAckedAt = new Date().toISOString();
    t.acks++;
    const key = shortType(typeUrl);
    this.acks.set(key, (this.acks.get(key) ?? 0) + 1);
    for (const l of this.ackListeners) l({ connection: conn, typeUrl, version, nonce });
  }

  nack(conn: ConnectionStatus, typeUrl: string, nack: Omit<NackRecord, 'time'>): void {
    const t = this.type(conn, typeUrl);
    t.lastNack = { ...nack, time: new Date().toISOString() };
    t.nacks++;
    const key = shortType(typeUrl);
    this.nacks.set(key, (this.nacks.get(key) ?? 0) + 1);
  }

  /** Called on every ACK (benchmarks and tests wait on it). */
  onAck(listener: (e: AckEvent) => void): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  snapshot(): XdsServerStatus {
    return {
      address: this.address,
      connections: [...this.connections.values()].map((c) => structuredClone(c)),
      acks: Object.fromEntries(this.acks),
      nacks: Object.fromEntries(this.nacks),
    };
  }

  /** Prometheus exposition lines. */
  metrics(): string[] {
    const lines = ['# HELP xds_acks_total xDS responses ACKed by proxies', '# TYPE xds_acks_total counter'];
    for (const [t, n] of this.acks) lines.push(`xds_acks_total{type="${t}"} ${n}`);
    lines.push('# HELP xds_nacks_total xDS responses NACKed by proxies', '# TYPE xds_nacks_total counter');
    for (const [t, n] of this.nacks) lines.push(`xds_nacks_total{type="${t}"} ${n}`);
    lines.push('# HELP xds_connected_proxies proxies with an open ADS stream', '# TYPE xds_connected_proxies gauge');
    lines.push(`xds_connected_proxies ${this.connections.size}`);
    return lines;
  }
}
