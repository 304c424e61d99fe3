/**
 * Decimal digits of a double as nlohmann::json prints them: Florian Loitsch's Grisu2 ("Printing
 * Floating-Point Numbers Quickly and Accurately with Integers", PLDI 2010) with nlohmann's parameters
 * (α = -60, γ = -32, a cached power of ten every 8 decimal exponents). Grisu2 output always reads back
 * as the same double but is not always the shortest: -218.49512 prints `-218.49511999999999`, which
 * is why we cannot use JavaScript's own (shortest) formatting and still print bodies as Gloo does.
 *
 * 64-bit unsigned arithmetic is done on bigints; the cached powers are computed once from exact
 * powers of ten (rounded to 64-bit significands).
 */

const MASK64 = (1n << 64n) - 1n;
const MASK32 = 0xffffffffn;

interface DiyFp {
  f: bigint; // 64-bit significand
  e: number; // binary exponent: value = f * 2^e
}

function mul(x: DiyFp, y: DiyFp): DiyFp {
  // the upper 64 bits of the 128-bit product, rounded (ties up), as nlohmann does with 32-bit halves
  const uLo = x.f & MASK32;
  const uHi = x.f >> 32n;
  const vLo = y.f & MASK32;
  const vHi = y.f >> 32n;
  const p0 = uLo * vLo;
  const p1 = uLo * vHi;
  const p2 = uHi * vLo;
  const p3 = uHi * vHi;
  let q = (p0 >> 32n) + (p1 & MASK32) + (p2 & MASK32);
  q += 1n << 31n;
  return { f: (p3 + (p2 >> 32n) + (p1 >> 32n) + (q >> 32n)) & MASK64, e: x.e + y.e + 64 };
}

/** Bits of a bigint of any size (config time only). */
function bitLength(v: bigint): number {
  return v.toString(2).length;
}

/** Bits of a non-zero value below 2^64. */
function bitLength64(v: bigint): number {
  const hi = Number(v >> 32n);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(v));
}

function normalize(x: DiyFp): DiyFp {
  const shift = 64 - bitLength64(x.f);
  return { f: (x.f << BigInt(shift)) & MASK64, e: x.e - shift };
}

// ---- cached powers: c_k ≈ 10^k = f * 2^e with f normalized, for k = -300, -292, …, 324 ------------

const MIN_DEC_EXP = -300;
const DEC_STEP = 8;

interface CachedPower {
  f: bigint;
  e: number;
  k: number;
}

function roundedShift(n: bigint, shift: bigint): bigint {
  return (n + (1n << (shift - 1n))) >> shift;
}

function cachedPower(k: number): CachedPower {
  if (k >= 0) {
    const n = 10n ** BigInt(k);
    const len = bitLength(n);
    if (len <= 64) return { f: n << BigInt(64 - len), e: len - 64, k };
    let f = roundedShift(n, BigInt(len - 64));
    let e = len - 64;
    if (f >> 64n) {
      f >>= 1n;
      e++;
    }
    return { f, e, k };
  }
  // 10^k = 1 / d: f = round(2^s / d) with 2^63 <= f < 2^64, e = -s
  const d = 10n ** BigInt(-k);
  let s = 63 + bitLength(d);
  let f = ((1n << BigInt(s)) + d / 2n) / d;
  while (f >> 64n) {
    s--;
    f = ((1n << BigInt(s)) + d / 2n) / d;
  }
  while (!(f >> 63n)) {
    s++;
    f = ((1n << BigInt(s)) + d / 2n) / d;
  }
  return { f, e: -s, k };
}

const CACHED: CachedPower[] = Array.from({ length: 79 }, (_, i) => cachedPower(MIN_DEC_EXP + i * DEC_STEP));

const ALPHA = -60;

function cachedPowerFor(e: number): CachedPower {
  const f = ALPHA - e - 1;
  const k = Math.trunc((f * 78913) / 262144) + (f > 0 ? 1 : 0);
  const index = Math.floor((-MIN_DEC_EXP + k + (DEC_STEP - 1)) / DEC_STEP);
  return CACHED[index];
}

// ---- the algorithm ---------------------------------------------------------------------------------

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** The digits and decimal exponent of a finite positive double: value ≈ digits × 10^exponent. */
export function grisu2(value: number): { digits: string; exponent: number } {
  F64[0] = value;
  const bits = U64[0];
  const biasedE = Number(bits >> 52n);
  const frac = bits & ((1n << 52n) - 1n);
  const hidden = 1n << 52n;
  const v: DiyFp = biasedE === 0 ? { f: frac, e: 1 - 1075 } : { f: frac + hidden, e: biasedE - 1075 };
  const lowerCloser = frac === 0n && biasedE > 1;
  const mPlus = normalize({ f: 2n * v.f + 1n, e: v.e - 1 });
  const mMinusRaw: DiyFp = lowerCloser ? { f: 4n * v.f - 1n, e: v.e - 2 } : { f: 2n * v.f - 1n, e: v.e - 1 };
  const mMinus: DiyFp = { f: mMinusRaw.f << BigInt(mMinusRaw.e - mPlus.e), e: mPlus.e };
  const w = normalize(v);

  const cached = cachedPowerFor(mPlus.e);
  const c: DiyFp = { f: cached.f, e: cached.e };
  const wScaled = mul(w, c);
  const minus = mul(mMinus, c);
  const plus = mul(mPlus, c);
  const Mminus: DiyFp = { f: minus.f + 1n, e: minus.e };
  const Mplus: DiyFp = { f: plus.f - 1n, e: plus.e };
  return digitGen(Mminus, wScaled, Mplus, -cached.k);
}

function digitGen(Mminus: DiyFp, w: DiyFp, Mplus: DiyFp, exponent: number): { digits: string; exponent: number } {
  let delta = Mplus.f - Mminus.f;
  let dist = Mplus.f - w.f;
  const oneE = -Mplus.e;
  const oneEn = BigInt(oneE);
  const oneF = 1n << oneEn;
  let p1 = Number(Mplus.f >> oneEn); // < 2^32
  let p2 = Mplus.f & (oneF - 1n);
  let pow10 = largestPow10(p1);
  let n = String(pow10).length;
  const buf: number[] = [];
  while (n > 0) {
    const d = Math.floor(p1 / pow10);
    p1 = p1 % pow10;
    buf.push(d);
    n--;
    const rest = (BigInt(p1) << oneEn) + p2;
    if (rest <= delta) {
      round(buf, dist, delta, rest, BigInt(pow10) << oneEn);
      return { digits: buf.join(''), exponent: exponent + n };
    }
    pow10 = Math.floor(pow10 / 10);
  }
  let m = 0;
  for (;;) {
    p2 *= 10n;
    const d = Number(p2 >> oneEn);
    p2 &= oneF - 1n;
    buf.push(d);
    m++;
    delta *= 10n;
    dist *= 10n;
    if (p2 <= delta) break;
  }
  round(buf, dist, delta, p2, oneF);
  return { digits: buf.join(''), exponent: exponent - m };
}

function largestPow10(n: number): number {
  let p = 1;
  while (p * 10 <= n && p < 1_000_000_000) p *= 10;
  return p;
}

/** Moves the last digit towards the exact value while it stays in the interval (grisu2_round). */
function round(buf: number[], dist: bigint, delta: bigint, rest: bigint, tenK: bigint): void {
  while (rest < dist && delta - rest >= tenK && (rest + tenK < dist || dist - rest > rest + tenK - dist)) {
    buf[buf.length - 1]--;
    rest += tenK;
  }
}
