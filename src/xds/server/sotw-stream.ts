/**
 * One state-of-the-world ADS stream (`StreamAggregatedResources`). Per type URL it keeps the
 * subscribed names (empty = wildcard, for LDS and CDS only; `*` = wildcard for any type), the last
 * response sent (version, nonce) and the version the proxy NACKed. Requests are classified as:
 *
 * - initial (first request of a type on the stream): always answered;
 * - stale (`response_nonce` is not the last nonce sent for the type): ignored entirely, without an
 *   answer — the proxy repeats its subscription with the ACK of the response it has not read yet
 *   (answering would start a ping-pong);
 * - ACK (latest nonce, no `error_detail`) or NACK (latest nonce, `error_detail` set; never inferred
 *   from `version_info`), counted once per nonce — later requests with the same nonce (e.g. an
 *   unsubscribe when the client closes) only change the subscription.
 *
 * A type is (re)sent when its subscription changed, or on a new snapshot when the resources it
 * selects differ from the last response (content-addressed versions); a version the proxy NACKed is
 * not sent again until the content changes. On a new snapshot types are sent in the order
 * CDS → EDS → LDS → RDS, so a proxy learns clusters before endpoints and listeners before routes.
 */
import { RESOURCE_TYPES } from '../protos.js';
import {
  CONTROL_PLANE_ID,
  isWildcardType,
  shortType,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type SotwCall,
} from './discovery-protocol.js';
import type { StreamDeps } from './node-session.js';
import { AdsStream } from './ads-stream.js';
import { typeOf, versionOf, type EncodedResource } from './prepared-snapshot.js';

interface TypeState {
  wildcard: boolean;
  names: Set<string>;
  sentVersion?: string;
  sentNonce?: string;
  /** The nonce already counted as ACK or NACK. */
  answeredNonce?: string;
  nackedVersion?: string;
}

export class SotwStream extends AdsStream<DiscoveryRequest, DiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();

  constructor(call: SotwCall, deps: StreamDeps) {
    super(call, deps, 'sotw');
  }

  protected onRequest(req: DiscoveryRequest): void {
    if (this.closed) return;
    if (!this.session.started) this.session.start(req.node, () => this.pushAll());
    const conn = this.session.conn!;
    const typeUrl = req.type_url;
    const requested = new Set(req.resource_names ?? []);
    const wildcard = requested.has('*') || (requested.size === 0 && isWildcardType(typeUrl));
    requested.delete('*');
    let st = this.types.get(typeUrl);
    if (!st) {
      st = { wildcard, names: requested };
      this.types.set(typeUrl, st);
      this.send(typeUrl, st, true);
      return;
    }
    if (req.response_nonce !== st.sentNonce) {
      this.deps.logger.debug?.('stale xDS request ignored', { nodeId: conn.nodeId, type: shortType(typeUrl), nonce: req.response_nonce, latest: st.sentNonce });
      return;
    }
    if (st.answeredNonce !== req.response_nonce) {
      st.answeredNonce = req.response_nonce;
      const version = st.sentVersion ?? '';
      if (req.error_detail) {
        st.nackedVersion = version;
        const message = req.error_detail.message ?? '';
        this.deps.accounting.nack(conn, typeUrl, { version, nonce: req.response_nonce, code: req.error_detail.code ?? 0, message });
        this.deps.logger.warn('proxy rejected configuration (NACK)', {
          nodeId: conn.nodeId,
          role: conn.role,
          type: shortType(typeUrl),
          version,
          acceptedVersion: req.version_info,
          nonce: req.response_nonce,
          error: message,
        });
      } else {
        this.deps.accounting.ack(conn, typeUrl, version, req.response_nonce);
      }
    }
    if (wildcard !== st.wildcard || !sameSet(requested, st.names)) {
      st.wildcard = wildcard;
      st.names = requested;
      this.send(typeUrl, st, false);
    }
  }

  /** On a new snapshot: every subscribed type whose selection changed, in CDS → EDS → LDS → RDS order. */
  private pushAll(): void {
    if (this.closed) return;
    const order = [...RESOURCE_TYPES, ...[...this.types.keys()].filter((t) => !(RESOURCE_TYPES as readonly string[]).includes(t))];
    for (const typeUrl of order) {
      const st = this.types.get(typeUrl);
      if (st) this.send(typeUrl, st, false);
    }
  }

  private send(typeUrl: string, st: TypeState, force: boolean): void {
    const type = typeOf(this.session.current!, typeUrl);
    let resources: readonly EncodedResource[];
    let version: string;
    if (st.wildcard) {
      resources = type.resources;
      version = type.version;
    } else {
      resources = type.resources.filter((r) => st.names.has(r.name));
      version = versionOf(resources);
    }
    if (!force && (version === st.sentVersion || version === st.nackedVersion)) return;
    const nonce = String(++this.nonce);
    st.sentVersion = version;
    st.sentNonce = nonce;
    st.nackedVersion = undefined;
    this.call.write({ version_info: version, resources: resources.map((r) => r.any), type_url: typeUrl, nonce, control_plane: { identifier: CONTROL_PLANE_ID } });
    this.deps.accounting.sent(this.session.conn!, typeUrl, version, nonce, resources.length);
  }
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
