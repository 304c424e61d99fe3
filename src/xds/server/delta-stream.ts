/**
 * One incremental ADS stream (`DeltaAggregatedResources`). Per type URL it keeps the subscription
 * (names, plus wildcard: `*`, or a first request without names for LDS/CDS), and what the proxy is
 * known to hold (`name → version`, seeded from `initial_resource_versions` on reconnect). Each
 * response carries only the resources whose version (a content hash) differs from what the proxy
 * holds, and `removed_resources` for what it holds that no longer exists.
 *
 * Subscription changes are never dropped (unlike SotW, a delta request is not a full state, so there
 * is no "stale" request); the nonce only identifies which response an ACK/NACK is about. After a
 * NACK the proxy is assumed to hold what it held before that response, and the rejected resources
 * are not re-sent until a new snapshot arrives.
 */
import { RESOURCE_TYPES } from '../protos.js';
import { CONTROL_PLANE_ID, isWildcardType, shortType, type DeltaCall, type DeltaDiscoveryRequest, type DeltaDiscoveryResponse } from './discovery-protocol.js';
import type { StreamDeps } from './node-session.js';
import { AdsStream } from './ads-stream.js';
import { typeOf, type PreparedSnapshot } from './prepared-snapshot.js';

/** Responses whose ACK is still awaited, per type (older ones are forgotten past this). */
const MAX_OUTSTANDING = 16;

interface Outstanding {
  version: string;
  /** What the proxy was known to hold of each sent or removed name before this response. */
  prior: Map<string, string | undefined>;
}

interface TypeState {
  wildcard: boolean;
  subscribed: Set<string>;
  known: Map<string, string>;
  outstanding: Map<string, Outstanding>;
  /** Names NACKed under `nackedIn`: not re-sent while that snapshot is current. */
  nacked?: { snapshot: PreparedSnapshot; names: Set<string> };
  responded: boolean;
}

export class DeltaStream extends AdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();

  constructor(call: DeltaCall, deps: StreamDeps) {
    super(call, deps, 'delta');
  }

  protected onRequest(req: DeltaDiscoveryRequest): void {
    if (this.closed) return;
    if (!this.session.started) this.session.start(req.node, () => this.pushAll());
    const conn = this.session.conn!;
    const typeUrl = req.type_url;
    const subscribe = req.resource_names_subscribe ?? [];
    let st = this.types.get(typeUrl);
    if (!st) {
      st = {
        wildcard: subscribe.length === 0 && isWildcardType(typeUrl),
        subscribed: new Set(),
        known: new Map(Object.entries(req.initial_resource_versions ?? {})),
        outstanding: new Map(),
        responded: false,
      };
      this.types.set(typeUrl, st);
    }
    for (const n of subscribe) {
      if (n === '*') st.wildcard = true;
      else st.subscribed.add(n);
    }
    for (const n of req.resource_names_unsubscribe ?? []) {
      if (n === '*') st.wildcard = false;
      else {
        st.subscribed.delete(n);
        st.known.delete(n);
      }
    }
    if (req.response_nonce) {
      const out = st.outstanding.get(req.response_nonce);
      if (out) {
        st.outstanding.delete(req.response_nonce);
        if (req.error_detail) {
          const message = req.error_detail.message ?? '';
          for (const [name, v] of out.prior) {
            if (v === undefined) st.known.delete(name);
            else st.known.set(name, v);
          }
          st.nacked = { snapshot: this.session.current!, names: new Set(out.prior.keys()) };
          this.deps.accounting.nack(conn, typeUrl, { version: out.version, nonce: req.response_nonce, code: req.error_detail.code ?? 0, message });
          this.deps.logger.warn('proxy rejected configuration (delta NACK)', {
            nodeId: conn.nodeId,
            role: conn.role,
            type: shortType(typeUrl),
            version: out.version,
            nonce: req.response_nonce,
            error: message,
          });
        } else {
          this.deps.accounting.ack(conn, typeUrl, out.version, req.response_nonce);
        }
      }
    }
    this.send(typeUrl, st);
  }

  private pushAll(): void {
    if (this.closed) return;
    const order = [...RESOURCE_TYPES, ...[...this.types.keys()].filter((t) => !(RESOURCE_TYPES as readonly string[]).includes(t))];
    for (const typeUrl of order) {
      const st = this.types.get(typeUrl);
      if (st) this.send(typeUrl, st);
    }
  }

  private send(typeUrl: string, st: TypeState): void {
    const current = this.session.current!;
    const type = typeOf(current, typeUrl);
    const skip = st.nacked?.snapshot === current ? st.nacked.names : undefined;
    if (st.nacked && !skip) st.nacked = undefined;
    const resources = [];
    const prior = new Map<string, string | undefined>();
    for (const r of type.resources) {
      if (!st.wildcard && !st.subscribed.has(r.name)) continue;
      if (st.known.get(r.name) === r.hash || skip?.has(r.name)) continue;
      prior.set(r.name, st.known.get(r.name));
      resources.push({ name: r.name, version: r.hash, resource: r.any });
    }
    const removed: string[] = [];
    for (const name of st.known.keys()) {
      if (type.byName.has(name) || skip?.has(name)) continue;
      prior.set(name, st.known.get(name));
      removed.push(name);
    }
    if (resources.length === 0 && removed.length === 0 && st.responded) return;
    st.responded = true;
    for (const r of resources) st.known.set(r.name, r.version);
    for (const n of removed) st.known.delete(n);
    const nonce = String(++this.nonce);
    const version = current.snapshot.version;
    st.outstanding.set(nonce, { version, prior });
    if (st.outstanding.size > MAX_OUTSTANDING) st.outstanding.delete(st.outstanding.keys().next().value!);
    this.call.write({ system_version_info: version, resources, type_url: typeUrl, removed_resources: removed, nonce, control_plane: { identifier: CONTROL_PLANE_ID } });
    this.deps.accounting.sent(this.session.conn!, typeUrl, version, nonce, resources.length);
  }
}
