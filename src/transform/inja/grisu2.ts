/**
 * Decimal digits of a double as nlohmann::json prints them: Florian Loitsch's Grisu2 ("Printing
 * Floating-Point Numbers Quickly and Accurately with Integers", PLDI 2010) with nlohmann's parameters
 * (α = -60, γ = -32, a cached power of ten every 8 decimal exponents). Grisu2 output always reads back
 * as the same double but is not always the shortest: -218.49512 prints `-218.49511999999999`, which
 * is why we cannot use JavaScript's own (shortest) formatting and still print bodies as Gloo does.
 *
 * The algorithm works on 64-bit unsigned integers; here each is a pair of 32-bit halves held in
 * numbers (`hi`, `lo`), and products go through 16-bit limbs so every intermediate value is exact in a
 * double. The cached powers are computed once, with bigints, from exact powers of ten.
 */

const TWO32 = 4294967296;

/** An unsigned 64-bit value as two 32-bit halves, with a binary exponent: (hi·2^32 + lo)·2^e. */
interface DiyFp {
  hi: number;
  lo: number;
  e: number;
}

/** x << s for 0 <= s < 64, when no set bit is shifted out. */
function shl(hi: number, lo: number, s: number): [number, number] {
  if (s === 0) return [hi, lo];
  if (s >= 32) return [(lo << (s - 32)) >>> 0, 0];
  return [((hi << s) | (lo >>> (32 - s))) >>> 0, (lo << s) >>> 0];
}

function normalize(x: DiyFp): DiyFp {
  const s = x.hi !== 0 ? Math.clz32(x.hi) : 32 + Math.clz32(x.lo);
  const [hi, lo] = shl(x.hi, x.lo, s);
  return { hi, lo, e: x.e - s };
}

function sub(aHi: number, aLo: number, bHi: number, bLo: number): [number, number] {
  let lo = aLo - bLo;
  let hi = aHi - bHi;
  if (lo < 0) {
    lo += TWO32;
    hi -= 1;
  }
  return [hi, lo];
}

function add(aHi: number, aLo: number, bHi: number, bLo: number): [number, number] {
  let lo = aLo + bLo;
  let hi = aHi + bHi;
  if (lo >= TWO32) {
    lo -= TWO32;
    hi += 1;
  }
  return [hi, lo];
}

function lt(aHi: number, aLo: number, bHi: number, bLo: number): boolean {
  return aHi < bHi || (aHi === bHi && aLo < bLo);
}

function le(aHi: number, aLo: number, bHi: number, bLo: number): boolean {
  return aHi < bHi || (aHi === bHi && aLo <= bLo);
}

function times10(hi: number, lo: number): [number, number] {
  const l = lo * 10;
  const carry = Math.floor(l / TWO32);
  return [hi * 10 + carry, l - carry * TWO32];
}

/**
 * The upper 64 bits of the 128-bit product, rounded as nlohmann does: floor((⌊x·y / 2^32⌋ + 2^31) / 2^32).
 */
function mul(x: DiyFp, y: DiyFp): DiyFp {
  const x0 = x.lo & 0xffff;
  const x1 = x.lo >>> 16;
  const x2 = x.hi & 0xffff;
  const x3 = x.hi >>> 16;
  const y0 = y.lo & 0xffff;
  const y1 = y.lo >>> 16;
  const y2 = y.hi & 0xffff;
  const y3 = y.hi >>> 16;
  // columns of 16-bit limbs, each sum < 2^35, carried forward
  let c = x0 * y0;
  let carry = Math.floor(c / 65536);
  c = carry + x0 * y1 + x1 * y0;
  carry = Math.floor(c / 65536);
  c = carry + x0 * y2 + x1 * y1 + x2 * y0;
  const r2 = c % 65536;
  carry = Math.floor(c / 65536);
  c = carry + x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0;
  const r3 = c % 65536;
  carry = Math.floor(c / 65536);
  c = carry + x1 * y3 + x2 * y2 + x3 * y1;
  const r4 = c % 65536;
  carry = Math.floor(c / 65536);
  c = carry + x2 * y3 + x3 * y2;
  const r5 = c % 65536;
  carry = Math.floor(c / 65536);
  c = carry + x3 * y3;
  const r6 = c % 65536;
  const r7 = Math.floor(c / 65536);
  const roundUp = r2 + r3 * 65536 + 2147483648 >= TWO32 ? 1 : 0;
  let lo = r4 + r5 * 65536 + roundUp;
  let hi = r6 + r7 * 65536;
  if (lo >= TWO32) {
    lo -= TWO32;
    hi += 1;
  }
  return { hi, lo, e: x.e + y.e + 64 };
}

// ---- cached powers: c_k ≈ 10^k = f * 2^e with f normalized, for k = -300, -292, …, 324 ------------

const MIN_DEC_EXP = -300;
const DEC_STEP = 8;

interface CachedPower extends DiyFp {
  k: number;
}

function bitLength(v: bigint): number {
  return v.toString(2).length;
}

function cachedPower(k: number): CachedPower {
  let f: bigint;
  let e: number;
  if (k >= 0) {
    const n = 10n ** BigInt(k);
    const len = bitLength(n);
    if (len <= 64) {
      f = n << BigInt(64 - len);
      e = len - 64;
    } else {
      f = (n + (1n << BigInt(len - 65))) >> BigInt(len - 64);
      e = len - 64;
      if (f >> 64n) {
        f >>= 1n;
        e++;
      }
    }
  } else {
    // 10^k = 1 / d: f = round(2^s / d) with 2^63 <= f < 2^64, e = -s
    const d = 10n ** BigInt(-k);
    let s = 63 + bitLength(d);
    f = ((1n << BigInt(s)) + d / 2n) / d;
    while (f >> 64n) f = ((1n << BigInt(--s)) + d / 2n) / d;
    while (!(f >> 63n)) f = ((1n << BigInt(++s)) + d / 2n) / d;
    e = -s;
  }
  return { hi: Number(f >> 32n), lo: Number(f & 0xffffffffn), e, k };
}

const CACHED: CachedPower[] = Array.from({ length: 79 }, (_, i) => cachedPower(MIN_DEC_EXP + i * DEC_STEP));

const ALPHA = -60;

function cachedPowerFor(e: number): CachedPower {
  const f = ALPHA - e - 1;
  const k = Math.trunc((f * 78913) / 262144) + (f > 0 ? 1 : 0);
  return CACHED[Math.floor((-MIN_DEC_EXP + k + (DEC_STEP - 1)) / DEC_STEP)];
}

// ---- the algorithm ---------------------------------------------------------------------------------

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The digits and decimal exponent of a finite positive double: value ≈ digits × 10^exponent. */
export function grisu2(value: number): { digits: string; exponent: number } {
  F64[0] = value;
  const bitsHi = LITTLE_ENDIAN ? U32[1] : U32[0];
  const bitsLo = LITTLE_ENDIAN ? U32[0] : U32[1];
  const biasedE = bitsHi >>> 20;
  const fracHi = bitsHi & 0xfffff;
  const v: DiyFp = biasedE === 0 ? { hi: fracHi, lo: bitsLo, e: -1074 } : { hi: fracHi + 0x100000, lo: bitsLo, e: biasedE - 1075 };
  const lowerCloser = fracHi === 0 && bitsLo === 0 && biasedE > 1;

  // boundaries m+ = (2v + 1)·2^(e-1), m- = (2v - 1)·2^(e-1), or (4v - 1)·2^(e-2) when the lower one is closer
  const [p2Hi, p2Lo] = shl(v.hi, v.lo, 1);
  const mPlus = normalize({ hi: p2Hi, lo: p2Lo + 1, e: v.e - 1 });
  const [mmHi0, mmLo0] = lowerCloser ? shl(v.hi, v.lo, 2) : [p2Hi, p2Lo];
  const [mmHi, mmLo] = sub(mmHi0, mmLo0, 0, 1);
  const mmE = lowerCloser ? v.e - 2 : v.e - 1;
  const [mHi, mLo] = shl(mmHi, mmLo, mmE - mPlus.e);
  const mMinus: DiyFp = { hi: mHi, lo: mLo, e: mPlus.e };
  const w = normalize(v);

  const cached = cachedPowerFor(mPlus.e);
  const wScaled = mul(w, cached);
  const minus = mul(mMinus, cached);
  const plus = mul(mPlus, cached);
  const [mpHi, mpLo] = sub(plus.hi, plus.lo, 0, 1); // M+ = w+ - 1 unit, M- = w- + 1 unit
  const [mnHi, mnLo] = add(minus.hi, minus.lo, 0, 1);
  return digitGen(mnHi, mnLo, wScaled, mpHi, mpLo, plus.e, -cached.k);
}

function digitGen(mnHi: number, mnLo: number, w: DiyFp, mpHi: number, mpLo: number, e: number, exponent: number): { digits: string; exponent: number } {
  let [deltaHi, deltaLo] = sub(mpHi, mpLo, mnHi, mnLo);
  let [distHi, distLo] = sub(mpHi, mpLo, w.hi, w.lo);
  const oneE = -e; // 32..60: the integral part p1 is the top 64 - oneE bits
  const hiShift = oneE - 32;
  const hiScale = 2 ** hiShift;
  let p1 = Math.floor(mpHi / hiScale);
  let p2Hi = mpHi - p1 * hiScale; // p2 = M+ mod 2^oneE, as (hi, lo)
  let p2Lo = mpLo;

  let pow10 = 1;
  while (pow10 * 10 <= p1 && pow10 < 1_000_000_000) pow10 *= 10;
  let n = String(pow10).length;
  let digits = '';
  while (n > 0) {
    const d = Math.floor(p1 / pow10);
    p1 -= d * pow10;
    digits += d;
    n--;
    const restHi = p1 * hiScale + p2Hi;
    if (le(restHi, p2Lo, deltaHi, deltaLo)) {
      digits = round(digits, distHi, distLo, deltaHi, deltaLo, restHi, p2Lo, pow10 * hiScale, 0);
      return { digits, exponent: exponent + n };
    }
    pow10 = Math.floor(pow10 / 10);
  }
  let m = 0;
  for (;;) {
    [p2Hi, p2Lo] = times10(p2Hi, p2Lo);
    const d = Math.floor(p2Hi / hiScale);
    p2Hi -= d * hiScale;
    digits += d;
    m++;
    [deltaHi, deltaLo] = times10(deltaHi, deltaLo);
    [distHi, distLo] = times10(distHi, distLo);
    if (le(p2Hi, p2Lo, deltaHi, deltaLo)) break;
  }
  digits = round(digits, distHi, distLo, deltaHi, deltaLo, p2Hi, p2Lo, hiScale, 0);
  return { digits, exponent: exponent - m };
}

/** Moves the last digit towards the exact value while it stays in the interval (grisu2_round). */
function round(
  digits: string,
  distHi: number,
  distLo: number,
  deltaHi: number,
  deltaLo: number,
  restHi: number,
  restLo: number,
  tenHi: number,
  tenLo: number,
): string {
  let last = digits.charCodeAt(digits.length - 1) - 48;
  for (;;) {
    if (!lt(restHi, restLo, distHi, distLo)) break;
    const [roomHi, roomLo] = sub(deltaHi, deltaLo, restHi, restLo);
    if (lt(roomHi, roomLo, tenHi, tenLo)) break;
    const [nextHi, nextLo] = add(restHi, restLo, tenHi, tenLo);
    if (!lt(nextHi, nextLo, distHi, distLo)) {
      // dist - rest > next - dist: the next candidate is not closer
      const [aHi, aLo] = sub(distHi, distLo, restHi, restLo);
      const [bHi, bLo] = sub(nextHi, nextLo, distHi, distLo);
      if (!lt(bHi, bLo, aHi, aLo)) break;
    }
    last--;
    restHi = nextHi;
    restLo = nextLo;
  }
  return digits.slice(0, -1) + last;
}
