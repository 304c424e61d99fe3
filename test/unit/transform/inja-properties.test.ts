/**
 * Properties of the template engine over generated inputs (a seeded generator, so failures repeat):
 * base64 round trips and agreement with a reference encoder, JSON escaping that parses back, dump /
 * parse round trips, byte-oriented substring, a total order for sorting, and renders that do not
 * depend on what was rendered before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InjaEnvironment, dumpJson, parseJson, type InjaContext, type JsonValue } from '../../../src/transform/inja/index.js';
import { JsonFloat, jsonCompare, jsonEquals } from '../../../src/transform/inja/json-value.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\u0001', 'é', '€', '😀', '{', '}', '%', '#', '-', '_', '+', '='];

function randomString(r: () => number, max = 24): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

function randomValue(r: () => number, depth = 0): JsonValue {
  const k = r();
  if (depth > 3 || k < 0.45) {
    const t = Math.floor(r() * 7);
    if (t === 0) return null;
    if (t === 1) return r() < 0.5;
    if (t === 2) return Math.floor((r() - 0.5) * 1e6);
    if (t === 3) return (r() - 0.5) * 10 ** Math.floor(r() * 20 - 10);
    if (t === 4) return new JsonFloat(Math.floor(r() * 100));
    if (t === 5) return BigInt(Math.floor(r() * 1e6)) * 10n ** 12n;
    return randomString(r);
  }
  if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, JsonValue> = {};
  for (let i = Math.floor(r() * 4); i > 0; i--) o[randomString(r, 6)] = randomValue(r, depth + 1);
  return o;
}

const env = new InjaEnvironment();
const escaping = new InjaEnvironment({ escapeCharacters: true });

function ctxWith(json: JsonValue, body = ''): InjaContext {
  return { json, header: () => undefined, extraction: () => undefined, body: () => body };
}

describe('properties', () => {
  it('base64 and base64url: decode(encode(s)) is s, and the encoding is the standard one', () => {
    const r = rng(1);
    const enc = env.compile('{{ base64_encode(body()) }}');
    const dec = env.compile('{{ base64_decode(body()) }}');
    const encUrl = env.compile('{{ base64url_encode(body()) }}');
    const decUrl = env.compile('{{ base64url_decode(body()) }}');
    for (let i = 0; i < 500; i++) {
      const s = randomString(r, 40);
      const b64 = enc.render(ctxWith(null, s));
      assert.equal(b64, Buffer.from(s, 'utf8').toString('base64'));
      assert.equal(dec.render(ctxWith(null, b64)), s);
      const url = encUrl.render(ctxWith(null, s));
      assert.equal(url, Buffer.from(s, 'utf8').toString('base64url'));
      assert.equal(decUrl.render(ctxWith(null, url)), s);
    }
  });

  it('base64_decode is "" or agrees with a lenient decoder on arbitrary text', () => {
    const r = rng(2);
    const dec = env.compile('{{ base64_decode(body()) }}');
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ';
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let n = Math.floor(r() * 12); n > 0; n--) s += chars[Math.floor(r() * chars.length)];
      const out = dec.render(ctxWith(null, s));
      if (out !== '') assert.equal(out, Buffer.from(s, 'base64').toString('utf8'), s);
      if (out !== '') assert.equal(Buffer.from(Buffer.from(s, 'base64')).toString('base64'), s, `only canonical input decodes: ${s}`);
    }
  });

  it('raw_string and escapeCharacters output embedded in quotes parses back to the string', () => {
    const r = rng(3);
    const raw = env.compile('"{{ raw_string(s) }}"');
    const esc = escaping.compile('"{{ s }}"');
    for (let i = 0; i < 500; i++) {
      const s = randomString(r, 40);
      assert.equal(JSON.parse(raw.render(ctxWith({ s }))), s);
      assert.equal(JSON.parse(esc.render(ctxWith({ s }))), s);
    }
  });

  it('parseJson(dumpJson(v)) equals v and dumps the same', () => {
    const r = rng(4);
    for (let i = 0; i < 500; i++) {
      const v = randomValue(r);
      const text = dumpJson(v);
      const back = parseJson(text);
      assert.ok(jsonEquals(back, v), text);
      assert.equal(dumpJson(back), text);
      if (!/[0-9][.eE]|[0-9]{16}/.test(text)) assert.ok(jsonEquals(back, JSON.parse(text) as JsonValue), 'the fast path agrees');
    }
  });

  it('{{ context() }} prints the body as dumpJson does', () => {
    const r = rng(5);
    const t = env.compile('{{ context() }}');
    for (let i = 0; i < 200; i++) {
      const v = randomValue(r);
      if (typeof v === 'string' || v === null || typeof v === 'number' || typeof v === 'bigint') continue;
      assert.equal(t.render(ctxWith(v)), dumpJson(v));
    }
  });

  it('substring counts bytes like Buffer.subarray on ASCII', () => {
    const r = rng(6);
    const t = env.compile('{{ substring(s, start, len) }}');
    for (let i = 0; i < 500; i++) {
      const s = 'abcdefghij'.slice(0, Math.floor(r() * 11));
      const start = Math.floor(r() * 14) - 2;
      const len = Math.floor(r() * 14) - 2;
      const expected = start < 0 || start >= s.length ? '' : len <= 0 || start + len > s.length ? s.slice(start) : s.slice(start, start + len);
      assert.equal(t.render(ctxWith({ s, start, len })), expected, JSON.stringify({ s, start, len }));
    }
  });

  it('sort is consistent with a total order (nlohmann operator<)', () => {
    const r = rng(7);
    const t = env.compile('{{ sort(xs) }}');
    for (let i = 0; i < 100; i++) {
      const xs = Array.from({ length: Math.floor(r() * 8) }, () => randomValue(r, 3));
      const sorted = parseJson(t.render(ctxWith({ xs }))) as JsonValue[];
      for (let j = 1; j < sorted.length; j++) assert.ok(jsonCompare(sorted[j - 1], sorted[j]) <= 0, dumpJson(sorted));
      for (const a of xs) for (const b of xs) assert.ok(Math.sign(jsonCompare(a, b)) === -Math.sign(jsonCompare(b, a)), `${dumpJson(a)} ${dumpJson(b)}`);
    }
  });

  it('a render does not depend on earlier renders', () => {
    const t = env.compile('{% for x in xs %}{% set last = x %}{{ loop.index }}{% endfor %}{{ default(last, "none") }}{% set xs.0 = 9 %}{{ xs.0 }}');
    const a = ctxWith({ xs: [1, 2] });
    const b = ctxWith({ xs: [] });
    assert.equal(t.render(a), '0129');
    assert.equal(t.render(b), 'none9');
    assert.equal(t.render(a), '0129');
    assert.deepEqual(a.json, { xs: [1, 2] }, 'set never changes the context');
  });
});
