/**
 * Choosing a listener's filter chain for a connection as Envoy's `filter_chain_match` does, from
 * the SNI and transport protocol the TLS inspector read (tls-inspector.ts) and the source address:
 * `server_names` first (exact, then the most specific `*.` wildcard, then chains naming none), then
 * `transport_protocol`, then `source_prefix_ranges` (the longest matching prefix wins; a chain without
 * ranges matches every source with the lowest precedence); on a tie the first chain wins; no match
 * means the connection is not served. IPv4-mapped IPv6 sources
 * (`::ffff:10.0.0.1`, what a dual-stack `::` socket reports) match IPv4 ranges.
 *
 * Example:
 *   const s = new FilterChainSelector([{ranges: [parseCidr('10.0.0.0', 8)!], value: 'internal'}, {ranges: [], value: 'default'}]);
 *   s.select('::ffff:10.1.2.3')  // 'internal'
 *   s.select('192.0.2.1')        // 'default'
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  bytes: Uint8Array;
  prefixLen: number;
}

/** The bytes of an IP address (4 for IPv4 and IPv4-mapped IPv6, else 16), or undefined. */
export function ipBytes(address: string): Uint8Array | undefined {
  const addr = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  if (isIPv4(addr)) return Uint8Array.from(addr.split('.').map(Number));
  if (!isIPv6(addr)) return undefined;
  let text = addr;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (isIPv4(last)) {
    tail.push(...last.split('.').map(Number));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  const mapped = out.slice(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff;
  return mapped ? out.slice(12) : out;
}

/** A CIDR range, or undefined when the address does not parse. The prefix length is clamped to the address size. */
export function parseCidr(addressPrefix: string, prefixLen: number | undefined): Cidr | undefined {
  const bytes = ipBytes(addressPrefix);
  if (!bytes) return undefined;
  return { bytes, prefixLen: Math.max(0, Math.min(prefixLen ?? 0, bytes.length * 8)) };
}

/** Whether `ip` (from ipBytes) is inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (cidr.bytes.length !== ip.length) return false;
  let bits = cidr.prefixLen;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}

export interface ChainCandidate<T> {
  /** The chain's source ranges; empty = any source. */
  ranges: Cidr[];
  /** `server_names` (exact, or `*.suffix` wildcards), lower-cased; empty/absent = any SNI. */
  serverNames?: readonly string[];
  /** `transport_protocol` (`tls`, `raw_buffer`); empty/absent = any. */
  transport?: string;
  value: T;
}

/** How specifically a chain's server names match an SNI: exact > longest wildcard > none listed; -1 no match. */
function sniScore(names: readonly string[] | undefined, sni: string | null): number {
  if (names === undefined || names.length === 0) return 0;
  if (sni === null) return -1;
  let best = -1;
  for (const n of names) {
    if (n === sni) return Number.MAX_SAFE_INTEGER;
    if (n.startsWith('*.') && sni.length > n.length - 1 && sni.endsWith(n.slice(1)) && n.length > best) best = n.length;
  }
  return best;
}

export class FilterChainSelector<T> {
  constructor(private readonly chains: readonly ChainCandidate<T>[]) {}

  /** Every chain's value. */
  values(): T[] {
    return this.chains.map((c) => c.value);
  }

  /**
   * The chain for a connection, or null when none matches. Envoy's order of criteria: server name
   * (exact, then the longest matching wildcard, then chains naming none), then transport protocol
   * (exact, then chains naming none), then source address (longest prefix, then chains with no
   * ranges); the first chain wins a tie.
   */
  select(remoteAddress: string | undefined, sni: string | null = null, transport = 'raw_buffer'): T | null {
    let stage: ChainCandidate<T>[] = [];
    let bestSni = -1;
    for (const c of this.chains) {
      const s = sniScore(c.serverNames, sni);
      if (s < 0 || s < bestSni) continue;
      if (s > bestSni) {
        stage = [];
        bestSni = s;
      }
      stage.push(c);
    }
    const exactTransport = stage.filter((c) => c.transport === transport);
    stage = exactTransport.length > 0 ? exactTransport : stage.filter((c) => c.transport === undefined || c.transport === '');
    const ip = remoteAddress ? ipBytes(remoteAddress) : undefined;
    let best: T | null = null;
    let bestLen = -2;
    for (const c of stage) {
      let len = -2;
      if (c.ranges.length === 0) len = -1;
      else if (ip) for (const r of c.ranges) if (r.prefixLen > len && cidrContains(r, ip)) len = r.prefixLen;
      if (len > bestLen) {
        best = c.value;
        bestLen = len;
      }
    }
    return best;
  }
}
