/**
 * Envoy's path normalisation (`normalize_path`, `merge_slashes` on the connection manager): before route
 * matching, percent-encoded unreserved characters are decoded (`%41` → `A`, `%2e` → `.`), other
 * percent-encodings get uppercase hex, RFC 3986 dot segments are removed (`/a/./b/../c` → `/a/c`),
 * and with `merge_slashes` runs of `/` collapse to one. So `/public/../admin` or `/public/%2e%2e/admin`
 * can never match a route on `/public/`. `%2F` (an encoded slash) stays encoded, as in Envoy's default
 * `path_with_escaped_slashes_action: KEEP_UNCHANGED`.
 *
 * Fast path: one scan of the path decides whether anything needs doing; most paths return `null`.
 *
 * Example: `normalizePath('/public/%2e%2e/admin')` → `'/admin'`; `normalizePath('/ok')` → `null`.
 */

/** One scan: whether `s[0..end)` (a path starting with `/`) has anything to normalise. */
function needsWork(s: string, end: number, mergeSlashes: boolean): boolean {
  let prev = 47;
  for (let i = 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ || (c === 46 /* . */ && prev === 47) || (mergeSlashes && c === 47 && prev === 47)) return true;
    prev = c;
  }
  return false;
}

/** The normalised path, or `null` when `path` is already normal (or not origin-form). */
export function normalizePath(path: string, mergeSlashes = false): string | null {
  if (path.charCodeAt(0) !== 47 /* / */ || !needsWork(path, path.length, mergeSlashes)) return null;
  let p = path.includes('%') ? normalizePercent(path) : path;
  if (mergeSlashes) p = p.replace(/\/{2,}/g, '/');
  p = removeDotSegments(p);
  return p === path ? null : p;
}

/** `url` (path and query) with its path normalised, or `null` when nothing changes. No allocation on the fast path. */
export function normalizeUrl(url: string, mergeSlashes = false): string | null {
  if (url.charCodeAt(0) !== 47) return null;
  const q = url.indexOf('?');
  if (!needsWork(url, q === -1 ? url.length : q, mergeSlashes)) return null;
  const n = normalizePath(q === -1 ? url : url.slice(0, q), mergeSlashes);
  if (n === null) return null;
  return q === -1 ? n : n + url.slice(q);
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e
  );
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function normalizePercent(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '%' && i + 2 < path.length) {
      const h = hexVal(path.charCodeAt(i + 1));
      const l = hexVal(path.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        const v = h * 16 + l;
        out += isUnreserved(v) ? String.fromCharCode(v) : '%' + path.slice(i + 1, i + 3).toUpperCase();
        i += 2;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** RFC 3986 §5.2.4 on an absolute path. */
export function removeDotSegments(path: string): string {
  const segs = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i]!;
    const last = i === segs.length - 1;
    if (s === '.') {
      if (last) out.push('');
    } else if (s === '..') {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(s);
    }
  }
  return '/' + out.join('/');
}
