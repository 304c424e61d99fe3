/**
 * The byte-level parts of gRPC-Web (grpc/doc/PROTOCOL-WEB.md), all streaming-safe across arbitrary
 * chunk boundaries:
 * - `GrpcFrameParser` splits a gRPC message stream (1 flag byte, 4-byte big-endian length, payload)
 *   into whole frames, holding a partial frame until the rest arrives;
 * - `Base64StreamDecoder` decodes `application/grpc-web-text` request bodies 4 characters at a time,
 *   keeping the remainder for the next chunk; padding may end any 4-character group (clients may
 *   encode each message on its own); anything else is invalid;
 * - `trailerFrame` writes trailers as a gRPC-Web trailer frame (flag 0x80, `name:value\r\n` lines).
 */

/** Flag bit of a gRPC-Web frame that carries trailers instead of a message. */
export const TRAILER_FLAG = 0x80;

/** One whole frame: the 5-byte header and the payload, as they arrived. */
export type Frame = Buffer;

export class GrpcFrameParser {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes of the frame being read: 5 until its header is known, then 5 + its length. */
  private need = 5;
  private headerRead = false;

  /** Adds bytes; returns the frames they completed (possibly none). */
  push(chunk: Buffer): Frame[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.size += chunk.length;
    let out: Frame[] | null = null;
    for (;;) {
      if (!this.headerRead) {
        if (this.size < 5) break;
        this.need = 5 + this.peekLength();
        this.headerRead = true;
      }
      if (this.size < this.need) break;
      (out ??= []).push(this.take(this.need));
      this.headerRead = false;
      this.need = 5;
    }
    return out ?? [];
  }

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.size;
  }

  /** The 32-bit length in bytes 1–4 of the held data (which may span chunks). */
  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 5) return first.readUInt32BE(1);
    const head = Buffer.concat(this.chunks, Math.min(this.size, 5)).subarray(0, 5);
    return head.readUInt32BE(1);
  }

  /** Removes the first `n` held bytes as one buffer. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let frame: Buffer;
    if (first.length >= n) {
      frame = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      frame = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - at);
        c.copy(frame, at, 0, k);
        at += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.size -= n;
    return frame;
  }
}

/** 1 for each byte of the base64 alphabet (RFC 4648 §4, not the URL-safe one). */
const ALPHABET = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;
const PAD = 61; // '='

/** Base64 text that does not decode: the request is answered 400 (Envoy's wording). */
export class InvalidBase64Error extends Error {
  readonly code = 'GLOO_GRPC_WEB_BAD_BASE64';
  constructor() {
    super('Bad gRPC-web request, invalid base64 data.');
  }
}

export class Base64StreamDecoder {
  /** Up to 3 characters carried over to the next chunk. */
  private rest: Buffer | null = null;

  /**
   * Decodes what whole 4-character groups `chunk` completes (null: none yet). `end`: the body ends
   * here, and a partial group left over is an error. Throws InvalidBase64Error.
   */
  push(chunk: Buffer, end: boolean): Buffer | null {
    let data = chunk;
    if (this.rest !== null) {
      data = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    const whole = data.length - (data.length % 4);
    if (whole < data.length) {
      if (end) throw new InvalidBase64Error();
      this.rest = Buffer.from(data.subarray(whole));
    }
    if (whole === 0) return null;
    return decodeGroups(data, whole);
  }
}

/** Decodes `data[0, len)` (a multiple of 4) group by group; padding may end any group. */
function decodeGroups(data: Buffer, len: number): Buffer {
  // Validate, and find the groups that end with padding (usually none, or only the last).
  let paddedGroups: number[] | null = null;
  for (let g = 0; g < len; g += 4) {
    const a = data[g]!;
    const b = data[g + 1]!;
    const c = data[g + 2]!;
    const d = data[g + 3]!;
    if (ALPHABET[a] === 0 || ALPHABET[b] === 0) throw new InvalidBase64Error();
    if (ALPHABET[c] === 1 && ALPHABET[d] === 1) continue;
    // "xx==" or "xxx="
    if ((c === PAD && d === PAD) || (ALPHABET[c] === 1 && d === PAD)) (paddedGroups ??= []).push(g);
    else throw new InvalidBase64Error();
  }
  if (paddedGroups === null || (paddedGroups.length === 1 && paddedGroups[0] === len - 4)) {
    return Buffer.from(data.toString('latin1', 0, len), 'base64');
  }
  // Padding inside the text: decode each run that ends at a padded group on its own.
  const parts: Buffer[] = [];
  let from = 0;
  for (const g of paddedGroups) {
    parts.push(Buffer.from(data.toString('latin1', from, g + 4), 'base64'));
    from = g + 4;
  }
  if (from < len) parts.push(Buffer.from(data.toString('latin1', from, len), 'base64'));
  return Buffer.concat(parts);
}

/** Trailers as a gRPC-Web trailer frame: flag 0x80, 4-byte length, `name:value\r\n` per value. */
export function trailerFrame(trailers: Readonly<Record<string, string | readonly string[]>>): Buffer {
  let text = '';
  for (const name in trailers) {
    const v = trailers[name]!;
    if (typeof v === 'string') text += `${name}:${v}\r\n`;
    else for (const x of v) text += `${name}:${x}\r\n`;
  }
  const body = Buffer.from(text, 'latin1');
  const frame = Buffer.allocUnsafe(5 + body.length);
  frame[0] = TRAILER_FLAG;
  frame.writeUInt32BE(body.length, 1);
  body.copy(frame, 5);
  return frame;
}

/** A message frame (flag 0) around `payload`. */
export function messageFrame(payload: Buffer, flags = 0): Buffer {
  const frame = Buffer.allocUnsafe(5 + payload.length);
  frame[0] = flags;
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, 5);
  return frame;
}

/** The `name:value` lines of a trailer frame's payload, names lowercased. */
export function parseTrailerBlock(payload: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of payload.toString('latin1').split('\r\n')) {
    if (line === '') continue;
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  }
  return out;
}
