/**
 * Envoy's `tls_inspector` listener filter: reads (without consuming — the caller puts the bytes back)
 * the first bytes of a connection and tells whether it opens with a TLS ClientHello and, if so, the
 * SNI host name and ALPN protocols it offers. Filter chains are chosen from these before any
 * handshake, so the certificate, client-certificate policy and ALPN of the chosen chain apply.
 *
 * A ClientHello may span several TLS records and TCP segments: `inspect` answers `need-more` until
 * the whole handshake message is buffered (bounded by MAX_CLIENT_HELLO; past it, or when the hello is
 * malformed, the connection counts as TLS without SNI and the handshake itself fails or proceeds).
 *
 * Example:
 *   inspect(firstBytes)  // {kind: 'tls', sni: 'api.example.com', alpn: ['h2', 'http/1.1']}
 */

export type Inspection =
  | { kind: 'need-more' }
  | { kind: 'plain' }
  | { kind: 'tls'; sni: string | null; alpn: readonly string[] };

const HANDSHAKE = 0x16;
const CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
/** Envoy's tls_inspector reads at most 64 KiB before giving up. */
export const MAX_CLIENT_HELLO = 64 * 1024;

const NEED_MORE: Inspection = { kind: 'need-more' };
const PLAIN: Inspection = { kind: 'plain' };
const TLS_UNKNOWN: Inspection = { kind: 'tls', sni: null, alpn: [] };

/** What the first bytes of a connection say (see the module comment). */
export function inspect(buf: Buffer): Inspection {
  if (buf.length === 0) return NEED_MORE;
  if (buf[0] !== HANDSHAKE) return PLAIN;
  // Reassemble the handshake message from consecutive handshake records.
  const parts: Buffer[] = [];
  let have = 0;
  let want = -1;
  let at = 0;
  while (want < 0 || have < want) {
    if (at + 5 > buf.length) return buf.length >= MAX_CLIENT_HELLO ? TLS_UNKNOWN : NEED_MORE;
    if (buf[at] !== HANDSHAKE || buf[at + 1] !== 3) return TLS_UNKNOWN;
    const len = buf.readUInt16BE(at + 3);
    if (at + 5 + len > buf.length) return buf.length >= MAX_CLIENT_HELLO ? TLS_UNKNOWN : NEED_MORE;
    parts.push(buf.subarray(at + 5, at + 5 + len));
    have += len;
    at += 5 + len;
    if (want < 0 && have >= 4) {
      const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      if (head[0] !== CLIENT_HELLO) return TLS_UNKNOWN;
      want = 4 + ((head[1]! << 16) | (head[2]! << 8) | head[3]!);
      if (want > MAX_CLIENT_HELLO) return TLS_UNKNOWN;
    }
    if (len === 0) return TLS_UNKNOWN;
  }
  const msg = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return parseClientHello(msg.subarray(4, want)) ?? TLS_UNKNOWN;
}

/** SNI and ALPN from a ClientHello body, or null when it is malformed. */
function parseClientHello(b: Buffer): Inspection | null {
  let p = 2 + 32; // client_version, random
  if (p + 1 > b.length) return null;
  p += 1 + b[p]!; // session_id
  if (p + 2 > b.length) return null;
  p += 2 + b.readUInt16BE(p); // cipher_suites
  if (p + 1 > b.length) return null;
  p += 1 + b[p]!; // compression_methods
  if (p === b.length) return TLS_UNKNOWN; // no extensions
  if (p + 2 > b.length) return null;
  const end = p + 2 + b.readUInt16BE(p);
  if (end > b.length) return null;
  p += 2;
  let sni: string | null = null;
  const alpn: string[] = [];
  while (p + 4 <= end) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    const data = p + 4;
    p = data + len;
    if (p > end) return null;
    if (type === EXT_SERVER_NAME && len >= 2) {
      let q = data + 2;
      while (q + 3 <= p) {
        const nameType = b[q]!;
        const nameLen = b.readUInt16BE(q + 1);
        if (q + 3 + nameLen > p) return null;
        if (nameType === 0 && sni === null) sni = b.toString('latin1', q + 3, q + 3 + nameLen).toLowerCase();
        q += 3 + nameLen;
      }
    } else if (type === EXT_ALPN && len >= 2) {
      let q = data + 2;
      while (q + 1 <= p) {
        const l = b[q]!;
        if (q + 1 + l > p) return null;
        alpn.push(b.toString('latin1', q + 1, q + 1 + l));
        q += 1 + l;
      }
    }
  }
  return { kind: 'tls', sni, alpn };
}
