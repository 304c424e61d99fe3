/**
 * The 64-bit string hash behind consistent hashing: ring positions, maglev permutations and the
 * request keys of route hash policies. Two 32-bit lanes mixed with `Math.imul` and rotations, then a
 * cross-lane avalanche, so hashing a header value or a slice of the Cookie header allocates nothing.
 * Callers use 53 bits of it as a number (exact in a double; the full key space for rings of Envoy's
 * maximum 8M entries) or all 64 bits as 16 hex digits (generated cookie values). The values differ
 * from Envoy's xxHash, so a key maps to another host than in Envoy; stickiness and balance are what
 * count, and both hold.
 *
 * Example: `hash53('127.0.0.1:8080_0')`; `hashLanes(cookie, start, end); to53(highLane(), lo)`.
 */

let lastHigh = 0;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hashes `s[start, end)` (UTF-16 code units). Returns the low 32-bit lane (unsigned); the high lane
 * is read with `highLane()` right after.
 */
export function hashLanes(s: string, start = 0, end: number = s.length, seed = 0): number {
  let a = 0x9e3779b1 ^ seed;
  let b = 0x7f4a7c15 ^ Math.imul(seed, 0x27d4eb2f);
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x9e3779b1);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ c, 0x85ebca77);
    b = (b << 13) | (b >>> 19);
  }
  const len = end - start;
  a ^= len;
  b ^= Math.imul(len, 0x165667b1);
  a = fmix(a ^ Math.imul(b, 0xcc9e2d51));
  b = fmix(b ^ Math.imul(a, 0x1b873593));
  a = fmix(a + b);
  lastHigh = b >>> 0;
  return a >>> 0;
}

/** The high lane of the last `hashLanes` call. */
export function highLane(): number {
  return lastHigh;
}

/** 53 bits of a 64-bit hash as a number in [0, 2^53). */
export function to53(high: number, low: number): number {
  return (high & 0x1fffff) * 4294967296 + (low >>> 0);
}

/** `s` hashed to a number in [0, 2^53). */
export function hash53(s: string, seed = 0): number {
  const low = hashLanes(s, 0, s.length, seed);
  return to53(lastHigh, low);
}

/** A 64-bit hash as 16 lowercase hex digits. */
export function hex64(high: number, low: number): string {
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}

/** A random 53-bit hash, for requests that carry no key (Envoy: a hash balancer then acts as random). */
export function randomHash(): number {
  return Math.floor(Math.random() * 9007199254740992);
}
