/**
 * The data plane's xDS client over gRPC (`gloo proxy`): one ADS state-of-the-world stream to the
 * control plane, implementing the same `XdsClient` interface as the in-process client of `gloo run`.
 *
 * - Sends the node `{id, cluster: 'gateway', metadata: {role}, user_agent_name: 'gloo-ts', locality: {}}`
 *   on the first request of each stream; subscribes to CDS and LDS as wildcards, and to the EDS and
 *   RDS names the received clusters and listeners refer to.
 * - Decodes every resource with the real protos; a response that cannot be decoded is NACKed
 *   (`error_detail` code 3 INVALID_ARGUMENT with the reason) and the previous resources of that type
 *   are kept.
 * - Hands the data plane a snapshot only when it is complete (the endpoints of every EDS cluster and
 *   the route configuration of every listener), or after `completenessTimeoutMs` with what it has.
 *   Responses that complete a snapshot are ACKed once the data plane has applied it
 *   (`confirmApplied`); while a snapshot is incomplete, responses are ACKed as they are accepted, so
 *   the ACKs carry the subscriptions the client is waiting on.
 * - Any request for a type carries that type's latest nonce and accepted version, so a subscription
 *   change also acknowledges the latest response of its type (as Envoy does).
 * - When the stream fails it reconnects with capped, jittered exponential back-off; the data plane
 *   keeps serving the last configuration it applied. On reconnect it resubscribes with what it has
 *   and the first complete snapshot that differs is handed over.
 *
 * Example:
 *   const client = new AdsClient({ address: '127.0.0.1:9977', role: 'gloo-system~gateway-proxy' });
 *   const proxy = new GatewayProxy({ client });
 *   client.confirmApplied = (v) => proxy.whenApplied(v);
 *   proxy.start();
 */
import os from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { TYPE_URL, type XdsSnapshot } from '../envoy-types.js';
import type { XdsClient } from '../client.js';
import { decodeResource } from '../protos.js';
import { consoleLogger, type Logger } from '../../proxy/logger.js';
import {
  adsDefinition,
  INVALID_ARGUMENT,
  roleMetadata,
  shortType,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type Node,
} from '../server/discovery-protocol.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { assembleSnapshot, edsNamesOf, missingOf, normalizeResource, rdsNamesOf, resourceName, type ReceivedResources } from './snapshot-assembly.js';

export interface AdsClientOptions {
  /** `HOST:PORT` of the control plane's xDS server. */
  address: string;
  /** Node key, `<namespace>~<proxy name>`. */
  role: string;
  /** Node id (default `<hostname>.<pid>`). */
  nodeId?: string;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** How long an incomplete snapshot waits for its missing endpoints/routes (default 5 s). */
  completenessTimeoutMs?: number;
  /** How long `confirmApplied` may take before the response is NACKed (default 30 s). */
  applyTimeoutMs?: number;
}

/** Per type: what the client accepted, and where the stream is. */
interface TypeTrack {
  typeUrl: string;
  wildcard: boolean;
  /** Subscribed names (EDS/RDS). */
  names: string[];
  accepted: Map<string, any>;
  /** version_info of the accepted resources ('' before any). */
  version: string;
  /** Latest nonce received on the current stream. */
  nonce: string;
  received: boolean;
  /** An accepted response not acknowledged yet. */
  pendingAck: { version: string; nonce: string } | null;
  /** What the last snapshot handed to the data plane held (to revert to after a rejection). */
  delivered: { resources: Map<string, any>; version: string };
}

export interface AdsClientStatus {
  address: string;
  role: string;
  nodeId: string;
  connected: boolean;
  /** Version of the last snapshot handed to the data plane. */
  deliveredVersion?: string;
  lastError?: string;
  types: Record<string, { version: string; nonce: string; resources: number; subscribed: string[] | '*' }>;
}

const ORDER = [TYPE_URL.cluster, TYPE_URL.clusterLoadAssignment, TYPE_URL.listener, TYPE_URL.routeConfiguration];

export class AdsClient implements XdsClient {
  readonly role: string;
  readonly nodeId: string;
  /** Resolves once the data plane serves `version`; set by the wiring (`gloo proxy`). Without it, ACK on hand-over. */
  confirmApplied: ((version: string) => Promise<void>) | undefined;
  /** Optional check of a complete snapshot before hand-over; a message NACKs it. */
  validate: ((snapshot: XdsSnapshot) => string | undefined) | undefined;

  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly tracks = new Map<string, TypeTrack>();
  private onSnapshot: ((s: XdsSnapshot) => void) | undefined;
  private grpcClient: grpc.Client | undefined;
  private call: grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse> | undefined;
  private nodeSent = false;
  private closed = false;
  private started = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private incompleteTimer: NodeJS.Timeout | undefined;
  private assembleScheduled = false;
  private delivered: XdsSnapshot | undefined;
  private lastError: string | undefined;
  private outage = false;

  constructor(private readonly opts: AdsClientOptions) {
    this.role = opts.role;
    this.nodeId = opts.nodeId ?? `${os.hostname()}.${process.pid}`;
    this.logger = opts.logger ?? consoleLogger;
    this.backoff = new Backoff(opts.backoff);
    for (const typeUrl of ORDER) {
      const wildcard = typeUrl === TYPE_URL.cluster || typeUrl === TYPE_URL.listener;
      this.tracks.set(typeUrl, {
        typeUrl,
        wildcard,
        names: [],
        accepted: new Map(),
        version: '',
        nonce: '',
        received: false,
        pendingAck: null,
        delivered: { resources: new Map(), version: '' },
      });
    }
  }

  watch(onSnapshot: (snapshot: XdsSnapshot) => void): void {
    this.onSnapshot = onSnapshot;
    if (this.delivered) onSnapshot(structuredClone(this.delivered));
    if (!this.started) {
      this.started = true;
      this.connect();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.incompleteTimer);
    this.call?.cancel();
    this.call = undefined;
    this.grpcClient?.close();
    this.grpcClient = undefined;
  }

  status(): AdsClientStatus {
    const types: AdsClientStatus['types'] = {};
    for (const t of this.tracks.values())
      types[shortType(t.typeUrl)] = { version: t.version, nonce: t.nonce, resources: t.accepted.size, subscribed: t.wildcard ? '*' : t.names };
    return {
      address: this.opts.address,
      role: this.role,
      nodeId: this.nodeId,
      connected: this.call !== undefined && !this.outage,
      ...(this.delivered ? { deliveredVersion: this.delivered.version } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      types,
    };
  }

  private node(): Node {
    return {
      id: this.nodeId,
      cluster: 'gateway',
      metadata: roleMetadata(this.role),
      locality: {},
      user_agent_name: 'gloo-ts',
      user_agent_version: '0.1.0',
      client_features: [],
    };
  }

  // ---- stream lifecycle ------------------------------------------------------------------------

  private connect(): void {
    if (this.closed) return;
    const { Client } = adsDefinition();
    const client = new Client(this.opts.address, grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 5000,
    });
    this.grpcClient = client;
    const call = (client as any).StreamAggregatedResources() as grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;
    this.call = call;
    this.nodeSent = false;
    for (const t of this.tracks.values()) {
      t.nonce = '';
      t.pendingAck = null;
    }
    call.on('data', (res: DiscoveryResponse) => {
      if (call !== this.call) return;
      try {
        this.onResponse(res);
      } catch (err) {
        this.logger.error('xDS response handling failed', { err });
      }
    });
    call.on('error', (err: grpc.ServiceError) => this.onStreamDown(call, client, err.details || err.message));
    call.on('end', () => this.onStreamDown(call, client, 'stream ended by the control plane'));
    // Resubscribe with what is held: wildcards for CDS/LDS, names for EDS/RDS.
    for (const t of this.tracks.values()) if (t.wildcard || t.names.length > 0) this.request(t);
  }

  private onStreamDown(call: grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>, client: grpc.Client, reason: string): void {
    if (call !== this.call) return;
    this.call = undefined;
    client.close();
    if (this.grpcClient === client) this.grpcClient = undefined;
    if (this.closed) return;
    const delay = this.backoff.next();
    this.lastError = reason;
    if (!this.outage) {
      this.outage = true;
      this.logger.warn('xDS stream to the control plane is down; the last configuration keeps serving', {
        address: this.opts.address,
        reason,
        retryInMs: delay,
      });
    } else this.logger.debug?.('xDS reconnect failed', { address: this.opts.address, reason, retryInMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Sends a request for a type: its subscription, latest nonce and accepted version (an ACK of the latest nonce), or a NACK. */
  private request(t: TypeTrack, error?: string): void {
    const call = this.call;
    if (!call) return;
    const req: DiscoveryRequest = {
      version_info: t.version,
      resource_names: t.wildcard ? [] : t.names,
      type_url: t.typeUrl,
      response_nonce: t.nonce,
      error_detail: error === undefined ? null : { code: INVALID_ARGUMENT, message: error },
    };
    if (!this.nodeSent) {
      req.node = this.node();
      this.nodeSent = true;
    }
    if (error === undefined) t.pendingAck = null;
    call.write(req);
  }

  // ---- responses -------------------------------------------------------------------------------

  private onResponse(res: DiscoveryResponse): void {
    const t = this.tracks.get(res.type_url);
    if (!t) {
      this.logger.warn('xDS response of a type never asked for is ignored', { typeUrl: res.type_url });
      return;
    }
    if (this.outage) {
      this.outage = false;
      this.lastError = undefined;
      this.logger.info('xDS stream to the control plane is up', { address: this.opts.address });
    }
    this.backoff.reset();
    t.nonce = res.nonce;
    const decoded = new Map<string, any>();
    try {
      for (const any of res.resources ?? []) {
        if (any.type_url !== res.type_url) throw new Error(`resource of type ${any.type_url} in a ${res.type_url} response`);
        const r = normalizeResource(res.type_url, decodeResource(res.type_url, any.value));
        const name = resourceName(res.type_url, r);
        if (!name) throw new Error(`a ${shortType(res.type_url)} resource has no name`);
        decoded.set(name, r);
      }
    } catch (err) {
      const message = `xDS response validation errors: ${(err as Error).message}`;
      this.logger.warn('xDS response rejected (NACK)', { type: shortType(res.type_url), version: res.version_info, error: message });
      this.request(t, message);
      return;
    }
    t.accepted = decoded;
    t.version = res.version_info;
    t.received = true;
    t.pendingAck = { version: res.version_info, nonce: res.nonce };
    if (t.typeUrl === TYPE_URL.cluster) this.resubscribe(TYPE_URL.clusterLoadAssignment, edsNamesOf(decoded.values()));
    if (t.typeUrl === TYPE_URL.listener) this.resubscribe(TYPE_URL.routeConfiguration, rdsNamesOf(decoded.values()));
    this.scheduleAssemble();
  }

  private resubscribe(typeUrl: string, names: string[]): void {
    const t = this.tracks.get(typeUrl)!;
    if (names.length === t.names.length && names.every((n, i) => n === t.names[i])) return;
    t.names = names;
    // Names no longer wanted are dropped now (a new map: the delivered one stays as it was); new ones
    // arrive with the next response of the type.
    const wanted = new Set(names);
    t.accepted = new Map([...t.accepted].filter(([n]) => wanted.has(n)));
    this.request(t);
  }

  /** Coalesces the responses of one push (CDS, EDS, LDS, RDS arrive back to back) into one snapshot. */
  private scheduleAssemble(): void {
    if (this.assembleScheduled) return;
    this.assembleScheduled = true;
    setImmediate(() => {
      this.assembleScheduled = false;
      if (!this.closed) this.assemble(false);
    });
  }

  private received(): ReceivedResources {
    const m = (u: string) => this.tracks.get(u)!.accepted;
    return { clusters: m(TYPE_URL.cluster), endpoints: m(TYPE_URL.clusterLoadAssignment), listeners: m(TYPE_URL.listener), routes: m(TYPE_URL.routeConfiguration) };
  }

  private assemble(timedOut: boolean): void {
    if (!this.tracks.get(TYPE_URL.cluster)!.received || !this.tracks.get(TYPE_URL.listener)!.received) return;
    const received = this.received();
    const missing = missingOf(received);
    if (!timedOut && (missing.endpoints.length > 0 || missing.routes.length > 0)) {
      // Accepted but not complete: acknowledge now, so the ACKs carry the names being waited on.
      for (const t of this.tracks.values()) if (t.pendingAck) this.request(t);
      this.incompleteTimer ??= setTimeout(() => {
        this.incompleteTimer = undefined;
        if (!this.closed) this.assemble(true);
      }, this.opts.completenessTimeoutMs ?? 5000);
      return;
    }
    clearTimeout(this.incompleteTimer);
    this.incompleteTimer = undefined;
    if (timedOut && (missing.endpoints.length > 0 || missing.routes.length > 0))
      this.logger.warn('xDS snapshot still incomplete; applying it without the missing resources', missing);
    const version = ORDER.map((u) => this.tracks.get(u)!.version).join('/');
    const pending = [...this.tracks.values()].filter((t) => t.pendingAck).map((t) => ({ t, ...t.pendingAck! }));
    for (const p of pending) p.t.pendingAck = null;
    if (this.delivered?.version === version) {
      for (const p of pending) this.ack(p.t, p.nonce);
      return;
    }
    const snapshot = assembleSnapshot(received, version);
    const invalid = this.validate?.(snapshot);
    if (invalid !== undefined) {
      this.reject(pending, invalid);
      return;
    }
    this.delivered = snapshot;
    for (const t of this.tracks.values()) t.delivered = { resources: t.accepted, version: t.version };
    this.onSnapshot?.(structuredClone(snapshot));
    const confirm = this.confirmApplied;
    if (!confirm) {
      for (const p of pending) this.ack(p.t, p.nonce);
      return;
    }
    const timeoutMs = this.opts.applyTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the data plane did not apply version ${version} within ${timeoutMs} ms`)), timeoutMs);
    });
    Promise.race([confirm(version), timeout]).then(
      () => {
        clearTimeout(timer);
        for (const p of pending) this.ack(p.t, p.nonce);
      },
      (err: Error) => {
        clearTimeout(timer);
        // Superseded by a newer snapshot: its own ACK covers these types.
        if (this.delivered !== snapshot) return;
        this.reject(pending, err.message);
      },
    );
  }

  /** ACKs `nonce` if it is still the latest response of its type on the current stream. */
  private ack(t: TypeTrack, nonce: string): void {
    if (t.nonce === nonce) this.request(t);
  }

  /** NACKs the responses that led to a rejected snapshot and goes back to what was delivered before. */
  private reject(pending: { t: TypeTrack; nonce: string }[], message: string): void {
    this.logger.warn('xDS snapshot rejected (NACK)', { types: pending.map((p) => shortType(p.t.typeUrl)), error: message });
    for (const p of pending) {
      p.t.accepted = p.t.delivered.resources;
      p.t.version = p.t.delivered.version;
      if (p.t.nonce === p.nonce) this.request(p.t, message);
    }
  }
}
