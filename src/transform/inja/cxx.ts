/**
 * C and C++ library behaviours that show through Inja and envoy-gloo, reproduced for identical output:
 * byte-oriented strings (`length("é")` is 2), ASCII-only case mapping and whitespace, `std::stoi` /
 * `std::stod` (what `int()` and `float()` call, with libc++'s exception texts, as Envoy is built with
 * libc++), `std::round` (half away from zero) and printf's `%g`.
 */
import { stdError } from './errors.js';

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/** std::string::length(): UTF-8 bytes. */
export function byteLength(s: string): number {
  return isAscii(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

/** ::toupper per byte in the C locale: only a-z change. */
export function asciiUpper(s: string): string {
  if (isAscii(s)) return s.toUpperCase();
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** ::tolower per byte in the C locale: only A-Z change. */
export function asciiLower(s: string): string {
  if (isAscii(s)) return s.toLowerCase();
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** isspace() in the C locale: space, \t, \n, \v, \f, \r. */
export function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** absl::StripAsciiWhitespace. */
export function stripAsciiWhitespace(s: string): string {
  let b = 0;
  let e = s.length;
  while (b < e && isCSpace(s.charCodeAt(b))) b++;
  while (e > b && isCSpace(s.charCodeAt(e - 1))) e--;
  return b === 0 && e === s.length ? s : s.slice(b, e);
}

/** std::string::substr on UTF-8 bytes (a cut inside a character decodes to U+FFFD). */
export function byteSubstring(s: string, start: number, len?: number): string {
  if (isAscii(s)) return len === undefined ? s.slice(start) : s.slice(start, start + len);
  const b = Buffer.from(s, 'utf8');
  return b.toString('utf8', start, len === undefined ? b.length : start + len);
}

/** std::round: halves away from zero. */
export function cppRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(Math.abs(x));
  return x < 0 || Object.is(x, -0) ? -r : r;
}

/** std::stoi (libc++): leading C whitespace, optional sign, decimal digits; int range. */
export function stoi(s: string): number {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === start) throw stdError('stoi: no conversion');
  const digits = s.slice(start, i);
  const v = digits.length > 15 ? BigInt(digits) : Number(digits);
  const limit = neg ? 2147483648 : 2147483647;
  if (typeof v === 'bigint' ? v > BigInt(limit) : v > limit) throw stdError('stoi: out of range');
  const n = Number(v);
  return neg ? (n === 0 ? 0 : -n) : n;
}

const HEX = /^[0-9a-fA-F]$/;

/** std::stod (libc++ over strtod): decimal, hexadecimal, inf/infinity, nan; the longest valid prefix. */
export function stod(s: string): number {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1;
    i++;
  }
  const rest = s.slice(i);
  const lower = rest.slice(0, 8).toLowerCase();
  if (lower.startsWith('infinity')) return sign * Infinity;
  if (lower.startsWith('inf')) return sign * Infinity;
  if (lower.startsWith('nan')) return NaN;
  if ((rest[0] === '0' && (rest[1] === 'x' || rest[1] === 'X')) && (HEX.test(rest[2] ?? '') || (rest[2] === '.' && HEX.test(rest[3] ?? '')))) {
    return sign * parseHexFloat(rest.slice(2));
  }
  const m = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(rest);
  if (!m) throw stdError('stod: no conversion');
  const v = Number(m[0].endsWith('.') ? m[0] + '0' : m[0]);
  const nonZeroDigits = /[1-9]/.test(m[0].split(/[eE]/)[0]);
  if (!Number.isFinite(v) || (v === 0 && nonZeroDigits) || (v !== 0 && Math.abs(v) < 2.2250738585072014e-308)) {
    throw stdError('stod: out of range');
  }
  return sign * v;
}

function parseHexFloat(t: string): number {
  const m = /^([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?/.exec(t)!;
  const intPart = m[1] ?? '';
  const frac = m[2] ?? '';
  let v = 0;
  for (const c of intPart + frac) v = v * 16 + parseInt(c, 16);
  const exp = (m[3] ? Number(m[3]) : 0) - 4 * frac.length;
  const r = v * Math.pow(2, exp);
  if (!Number.isFinite(r)) throw stdError('stod: out of range');
  return r;
}

/** printf("%.<precision>g"). Example: formatG(1234567, 6) is `1.23457e+06`, formatG(0.5, 6) is `0.5`. */
export function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = precision === 0 ? 1 : precision;
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  if (exp < -4 || exp >= p) {
    const [mant, e] = x.toExponential(p - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, p - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
