/**
 * A hybridGateway → the Proxy's `hybridListener` (spec §2.7.1): one matched listener per entry of
 * `matchedGateways`, each `{matcher, httpListener | tcpListener}`.
 *
 * Rules, each an error on the Gateway (which then keeps its previous listener):
 * - matchers must be unique: two entries with the same matcher cannot be told apart;
 * - at most one empty matcher (the catch-all filter chain);
 * - every entry has an httpGateway or a tcpGateway;
 * - a hybrid gateway with no matchedGateways serves nothing.
 * For a matched httpGateway the Gateway's `ssl` flag is ignored: the matcher's sslConfig decides the
 * SSL partition of the VirtualServices it selects, and the VirtualServices' own sslConfigs are not
 * carried (the matcher's applies). `delegatedHttpGateways` / `delegatedTcpGateways`
 * (MatchableHttpGateway / MatchableTcpGateway) are not selected yet: a Warning says so.
 */
import type { Resource } from '../../api/resource.js';
import type { HybridGateway } from '../../api/kinds/gateway.js';
import type { HttpListener, MatchedListener, ProxyMatcher } from '../../api/kinds/proxy.js';
import type { Reports } from '../reports.js';
import { tcpListenerFor } from './tcp-listener.js';
import { stableJson } from '../stable-json.js';


/** The Proxy matcher of a Gateway matcher: only the fields that are set (empty lists dropped). */
export function proxyMatcher(m: ProxyMatcher | undefined): ProxyMatcher {
  const out: ProxyMatcher = {};
  if (m?.sslConfig) out.sslConfig = m.sslConfig;
  if (m?.sourcePrefixRanges && m.sourcePrefixRanges.length > 0) out.sourcePrefixRanges = m.sourcePrefixRanges;
  if (m?.passthroughCipherSuites && m.passthroughCipherSuites.length > 0) out.passthroughCipherSuites = m.passthroughCipherSuites;
  return out;
}

/** A key equal for equal matchers; `{}` for the catch-all. */
export function matcherKey(m: ProxyMatcher | undefined): string {
  return stableJson(proxyMatcher(m));
}

/**
 * Checks the matchers of `hybrid`; true when the Gateway can be translated. Errors go on `gw`.
 */
export function validateHybridGateway(gw: Resource<'Gateway'>, hybrid: HybridGateway, reports: Reports): boolean {
  const matched = hybrid.matchedGateways ?? [];
  if (matched.length === 0) {
    if (hybrid.delegatedHttpGateways || hybrid.delegatedTcpGateways) {
      reports.addWarning(
        gw,
        'hybrid gateway does not have any populated matched gateways: delegatedHttpGateways / delegatedTcpGateways (MatchableHttpGateway, MatchableTcpGateway) are not selected yet, so the gateway opens no listener',
      );
    } else {
      reports.addError(gw, 'invalid gateway: hybrid gateway does not have any populated matched gateways');
    }
    return false;
  }
  let ok = true;
  const seen = new Map<string, number>();
  const catchAlls: number[] = [];
  matched.forEach((mg, i) => {
    if (!mg.httpGateway && !mg.tcpGateway) {
      reports.addError(gw, `invalid gateway: hybridGateway.matchedGateways[${i}] must contain httpGateway or tcpGateway`);
      ok = false;
    }
    const key = matcherKey(mg.matcher);
    if (key === '{}') {
      catchAlls.push(i);
      return;
    }
    const first = seen.get(key);
    if (first !== undefined) {
      reports.addError(
        gw,
        `invalid gateway: hybridGateway.matchedGateways[${first}] and matchedGateways[${i}] have the same matcher; matchers must be unique`,
      );
      ok = false;
    } else seen.set(key, i);
  });
  if (catchAlls.length > 1) {
    reports.addError(
      gw,
      `invalid gateway: hybridGateway has more than one matched gateway with an empty (catch-all) matcher: ${catchAlls.map((i) => `matchedGateways[${i}]`).join(', ')}`,
    );
    ok = false;
  }
  return ok;
}

/**
 * The matched listeners of a valid hybrid gateway. `httpListenerFor(http, ssl)` builds the HTTP
 * listener of one matched httpGateway (VS selection in the `ssl` partition, domain checks).
 */
export function matchedListenersFor(
  gw: Resource<'Gateway'>,
  hybrid: HybridGateway,
  httpListenerFor: (http: NonNullable<NonNullable<HybridGateway['matchedGateways']>[number]['httpGateway']>, ssl: boolean) => HttpListener,
): MatchedListener[] {
  const out: MatchedListener[] = [];
  for (const mg of hybrid.matchedGateways ?? []) {
    const matcher = proxyMatcher(mg.matcher);
    if (mg.httpGateway) out.push({ matcher, httpListener: httpListenerFor(mg.httpGateway, matcher.sslConfig != null) });
    else if (mg.tcpGateway) out.push({ matcher, tcpListener: tcpListenerFor(mg.tcpGateway, gw.metadata.namespace) });
  }
  return out;
}
