/**
 * The schema language: each scalar kind with protobuf-JSON leniency, durations, enums by name or
 * number, objects (snake_case aliases, unknown fields, oneofs, required), lists and maps (null
 * values), recursion through `lazy`, support levels and `collectUnsupported`, and JSON Schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  any,
  arr,
  bool,
  camelToSnake,
  double,
  duration,
  empty,
  enumOf,
  formatDurationMs,
  formatPath,
  int32,
  int64,
  lazy,
  map,
  obj,
  parseDurationMs,
  snakeToCamel,
  str,
  struct,
  uint32,
  uint64,
  validate,
  type Infer,
  type Schema,
} from '../../../src/api/schema.js';
import { notYetObj } from '../../../src/api/types/field-support.js';

/** The value `schema` makes of `input`, asserting there were no errors. */
function ok<T>(schema: Schema<T>, input: unknown): T {
  const r = validate(schema, input);
  assert.deepEqual(r.errors, [], `unexpected errors for ${JSON.stringify(input)}`);
  return r.value as T;
}

/** The errors as `path: message` lines. */
function errs(schema: Schema<unknown>, input: unknown): string[] {
  const r = validate(schema, input);
  assert.equal(r.value, undefined, 'a value with errors must not be returned');
  return r.errors.map((e) => `${formatPath(e.path)}: ${e.message}`);
}

/** Wraps a scalar in an object so scalar errors get a path. */
const field = <T>(s: Schema<T>) => obj({ f: s });

test('str: strings, and numbers/booleans as text (YAML leniency); not objects', () => {
  assert.equal(ok(str(), 'a'), 'a');
  assert.equal(ok(str(), ''), '');
  assert.deepEqual(ok(field(str()), { f: 12 }), { f: '12' });
  assert.deepEqual(ok(field(str()), { f: true }), { f: 'true' });
  assert.deepEqual(errs(field(str()), { f: { a: 1 } }), ['f: expected a string, got object']);
  assert.deepEqual(errs(field(str()), { f: [1] }), ['f: expected a string, got list']);
});

test('bool: booleans and the strings "true"/"false"', () => {
  assert.deepEqual(ok(field(bool()), { f: false }), { f: false });
  assert.deepEqual(ok(field(bool()), { f: 'true' }), { f: true });
  assert.deepEqual(errs(field(bool()), { f: 'yes' }), ['f: expected a boolean, got string']);
  assert.deepEqual(errs(field(bool()), { f: 1 }), ['f: expected a boolean, got number']);
});

test('integers: ranges per kind, quoted digits, no fractions', () => {
  assert.deepEqual(ok(field(int32()), { f: -5 }), { f: -5 });
  assert.deepEqual(ok(field(int32()), { f: ' 42 ' }), { f: 42 });
  assert.deepEqual(errs(field(int32()), { f: 2147483648 }), ['f: 2147483648 is out of range for int32 (-2147483648..2147483647)']);
  assert.deepEqual(ok(field(uint32()), { f: 4294967295 }), { f: 4294967295 });
  assert.deepEqual(errs(field(uint32()), { f: -1 }), ['f: -1 is out of range for uint32 (0..4294967295)']);
  assert.deepEqual(errs(field(uint32()), { f: 1.5 }), ['f: expected an integer (uint32), got 1.5']);
  assert.deepEqual(errs(field(uint32()), { f: '1.5' }), ['f: expected an integer (uint32), got string']);
  // 64-bit integers come quoted in proto JSON.
  assert.deepEqual(ok(field(int64()), { f: '-9007199254740991' }), { f: -9007199254740991 });
  assert.deepEqual(ok(field(uint64()), { f: '123' }), { f: 123 });
  assert.deepEqual(errs(field(uint64()), { f: '-1' }), ['f: -1 is out of range for uint64 (0..9007199254740991)']);
});

test('double: numbers and numeric strings, finite only', () => {
  assert.deepEqual(ok(field(double()), { f: 2.5 }), { f: 2.5 });
  assert.deepEqual(ok(field(double()), { f: '10' }), { f: 10 });
  assert.deepEqual(errs(field(double()), { f: 'ten' }), ['f: expected a number, got string']);
  assert.deepEqual(errs(field(double()), { f: '' }), ['f: expected a number, got string']);
  assert.deepEqual(errs(field(double()), { f: Infinity }), ['f: expected a number, got number']);
});

test('durations: 15s, 0.5s, 500ms, 1m30s, {seconds, nanos} → canonical seconds text', () => {
  const d = field(duration());
  const cases: [unknown, string][] = [
    ['15s', '15s'],
    ['0.5s', '0.5s'],
    ['5.000s', '5s'],
    ['500ms', '0.5s'],
    ['1m30s', '90s'],
    ['1h', '3600s'],
    ['250us', '0.00025s'],
    ['0s', '0s'],
    ['0', '0s'],
    [{ seconds: 1, nanos: 500000000 }, '1.5s'],
    [{ seconds: '2' }, '2s'],
    [{ nanos: 1000000 }, '0.001s'],
  ];
  for (const [input, want] of cases) assert.deepEqual(ok(d, { f: input }), { f: want }, JSON.stringify(input));
  for (const bad of ['15', 'soon', '1.5.s', '-1s', '', { seconds: -1 }, 5]) {
    const e = errs(d, { f: bad });
    assert.equal(e.length, 1, JSON.stringify(bad));
    assert.match(e[0]!, /^f: expected a duration such as "15s", "0.5s" or "500ms"/);
  }
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('1.5h'), 5_400_000);
  assert.equal(parseDurationMs('x'), undefined);
  assert.equal(formatDurationMs(1500), '1.5s');
  assert.equal(formatDurationMs(60_000), '60s');
});

test('enums: by name, by number and numeric string in declaration (proto) order', () => {
  const e = field(enumOf(['MOVED_PERMANENTLY', 'FOUND', 'SEE_OTHER'] as const));
  assert.deepEqual(ok(e, { f: 'FOUND' }), { f: 'FOUND' });
  assert.deepEqual(ok(e, { f: 0 }), { f: 'MOVED_PERMANENTLY' });
  assert.deepEqual(ok(e, { f: '2' }), { f: 'SEE_OTHER' });
  assert.deepEqual(errs(e, { f: 3 }), ['f: expected one of MOVED_PERMANENTLY, FOUND, SEE_OTHER, got 3']);
  assert.deepEqual(errs(e, { f: 'found' }), ['f: expected one of MOVED_PERMANENTLY, FOUND, SEE_OTHER, got "found"']);
  assert.deepEqual(errs(e, { f: -1 }), ['f: expected one of MOVED_PERMANENTLY, FOUND, SEE_OTHER, got -1']);
  const typed: Infer<typeof e> = ok(e, { f: 1 });
  assert.equal(typed.f, 'FOUND');
});

test('any / struct carry values as they are', () => {
  const s = obj({ config: struct(), raw: any() });
  assert.deepEqual(ok(s, { config: { a: [1, { b: null }] }, raw: 'x' }), { config: { a: [1, { b: null }] }, raw: 'x' });
});

test('objects: camelCase and snake_case keys, unknown fields, a field set twice, null fields dropped', () => {
  const s = obj({ retryOn: str(), numRetries: uint32(), proxy100Continue: bool(), traceId128bit: bool() });
  assert.deepEqual(ok(s, { retry_on: '5xx', numRetries: 2 }), { retryOn: '5xx', numRetries: 2 });
  // Proto names with digits: protoc's JSON name drops the underscore before the digit.
  assert.deepEqual(ok(s, { proxy_100_continue: true, trace_id_128bit: false }), { proxy100Continue: true, traceId128bit: false });
  assert.deepEqual(ok(s, { proxy100Continue: true, traceId128bit: true }), { proxy100Continue: true, traceId128bit: true });
  assert.deepEqual(ok(s, { retryOn: null }), {});
  assert.deepEqual(errs(s, { retryon: 'x', extra: 1 }), ['retryon: unknown field "retryon"', 'extra: unknown field "extra"']);
  assert.deepEqual(errs(s, { retryOn: 'a', retry_on: 'b' }), [
    'retry_on: field "retryOn" is set twice (as "retryOn" and "retry_on")',
  ]);
  assert.deepEqual(errs(s, ['a']), [': expected an object, got list']);
  assert.equal(snakeToCamel('default_host_for_http_10'), 'defaultHostForHttp10');
  assert.equal(camelToSnake('xffNumTrustedHops'), 'xff_num_trusted_hops');
});

test('oneofs: at most one member; the error sits on the second member set', () => {
  const s = obj(
    { prefix: str(), exact: str(), regex: str(), caseSensitive: bool() },
    { oneofs: [['prefix', 'exact', 'regex']] },
  );
  assert.deepEqual(ok(s, { exact: '/a', caseSensitive: false }), { exact: '/a', caseSensitive: false });
  assert.deepEqual(ok(s, {}), {});
  assert.deepEqual(errs(s, { regex: '/b', prefix: '/a' }), [
    'regex: only one of prefix, exact, regex may be set (found prefix, regex)',
  ]);
  // A member spelled snake_case is named as the user wrote it.
  const t = obj({ secretRef: str(), sslFiles: str() }, { oneofs: [['secretRef', 'sslFiles']] });
  assert.deepEqual(errs(t, { secretRef: 'a', ssl_files: 'b' }), [
    'ssl_files: only one of secretRef, sslFiles may be set (found secretRef, sslFiles)',
  ]);
  // An explicit null is "not set".
  assert.deepEqual(ok(t, { secretRef: 'a', sslFiles: null }), { secretRef: 'a' });
});

test('required fields', () => {
  const s = obj({ baseInterval: duration(), maxInterval: duration() }, { required: ['baseInterval'] });
  assert.deepEqual(ok(s, { baseInterval: '1s' }), { baseInterval: '1s' });
  assert.deepEqual(errs(s, { maxInterval: '1s' }), [': missing required field "baseInterval"']);
  assert.deepEqual(errs(obj({ r: s }), { r: {} }), ['r: missing required field "baseInterval"']);
});

test('lists: items validated at their index; empty items are errors', () => {
  const s = obj({ codes: arr(uint32()) });
  assert.deepEqual(ok(s, { codes: [503, '504'] }), { codes: [503, 504] });
  assert.deepEqual(errs(s, { codes: [1, 'x', null] }), [
    'codes[1]: expected an integer (uint32), got string',
    'codes[2]: list item is empty',
  ]);
  assert.deepEqual(errs(s, { codes: 5 }), ['codes: expected a list, got number']);
});

test('maps: keys kept verbatim; null values become empty messages or empty strings', () => {
  const tmpl = obj({ text: str() });
  const s = obj({ headers: map(tmpl), labels: map(str()) });
  assert.deepEqual(ok(s, { headers: { ':status': { text: '400' }, 'content-type': {}, 'x-gone': null }, labels: { app: 'a', empty: null } }), {
    headers: { ':status': { text: '400' }, 'content-type': {}, 'x-gone': {} },
    labels: { app: 'a', empty: '' },
  });
  // Map keys are data, not field names: snake_case keys are not rewritten.
  assert.deepEqual(ok(s, { labels: { some_key: 'v' } }), { labels: { some_key: 'v' } });
  assert.deepEqual(errs(s, { headers: { a: { txt: 'x' } } }), ['headers.a.txt: unknown field "txt"']);
  assert.deepEqual(errs(s, { labels: [] }), ['labels: expected a map, got list']);
});

test('empty messages', () => {
  const s = obj({ passthrough: empty() });
  assert.deepEqual(ok(s, { passthrough: {} }), { passthrough: {} });
  assert.deepEqual(errs(s, { passthrough: { a: 1 } }), ['passthrough.a: unknown field "a"']);
});

test('lazy: recursive types validate at any depth', () => {
  interface Filter {
    status?: number;
    andFilter?: { filters?: Filter[] };
  }
  const Filter: Schema<Filter> = lazy<Filter>(() =>
    obj({ status: uint32(), andFilter: obj({ filters: arr(Filter) }) }, { oneofs: [['status', 'andFilter']] }),
  );
  const input = { andFilter: { filters: [{ status: 500 }, { andFilter: { filters: [{ status: 404 }] } }] } };
  assert.deepEqual(ok(Filter, input), input);
  assert.deepEqual(errs(Filter, { andFilter: { filters: [{ andFilter: { filters: [{ status: 'x', and_filter: {} }] } }] } }), [
    'andFilter.filters[0].andFilter.filters[0].status: expected an integer (uint32), got string',
  ]);
  assert.deepEqual(errs(Filter, { andFilter: { filters: [{ status: 1, and_filter: {} }] } }), [
    'andFilter.filters[0].and_filter: only one of status, andFilter may be set (found status, andFilter)',
  ]);
});

test('support levels: unsupported fields are listed once, partial ones are descended into', () => {
  const inner = obj({ done: str().supported(), todo: str().notYet('ignored') });
  const s = obj({
    a: str().supported(),
    b: inner.supported(),
    c: inner.notYet('c is not implemented yet'),
    d: inner.partial('only done is'),
    e: arr(inner).supported(),
    m: map(inner).supported(),
    u: str(),
  });
  const r = validate(s, {
    a: 'x',
    b: { done: 'x', todo: 'y' },
    c: { todo: 'y' },
    d: { todo: 'y' },
    e: [{ done: 'x' }, { todo: 'y' }],
    m: { k: { todo: 'y' } },
    u: 'z',
  });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.unsupported.map((u) => `${u.path} ${u.level} ${u.note ?? '-'}`),
    [
      'b.todo no ignored',
      'c no c is not implemented yet',
      'd partial only done is',
      'd.todo no ignored',
      'e[1].todo no ignored',
      'm.k.todo no ignored',
      'u no -',
    ],
  );
  // Marks are copies: the shared schema is unchanged.
  assert.equal(inner.support, 'no');
  assert.equal(s.shape.b.support, 'supported');
});

test('notYetObj marks unmarked fields and keeps existing marks', () => {
  const s = notYetObj(
    'ignored',
    { a: str(), b: str().supported(), c: str().notYet('own note'), d: str().partial('half') },
    { oneofs: [['a', 'b']] },
  );
  assert.equal(s.shape.a.support, 'no');
  assert.equal(s.shape.a.supportNote, 'ignored');
  assert.equal(s.shape.b.support, 'supported');
  assert.equal(s.shape.c.supportNote, 'own note');
  assert.equal(s.shape.d.support, 'partial');
  assert.deepEqual(errs(s, { a: 'x', b: 'y' }), ['b: only one of a, b may be set (found a, b)']);
});

test('JSON Schema', () => {
  const s = obj({
    name: str(),
    port: uint32(),
    weight: int32(),
    ratio: double(),
    on: bool(),
    timeout: duration(),
    mode: enumOf(['A', 'B'] as const),
    tags: arr(str()),
    labels: map(str()),
    config: struct(),
  });
  assert.deepEqual(s.jsonSchema(), {
    type: 'object',
    properties: {
      name: { type: 'string' },
      port: { type: 'integer', minimum: 0 },
      weight: { type: 'integer' },
      ratio: { type: 'number' },
      on: { type: 'boolean' },
      timeout: { type: 'string' },
      mode: { 'x-kubernetes-int-or-string': true },
      tags: { type: 'array', items: { type: 'string' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      config: { 'x-kubernetes-preserve-unknown-fields': true },
    },
  });
});

test('validate() of null or undefined input validates an empty object', () => {
  assert.deepEqual(ok(obj({ a: str() }), null), {});
  assert.deepEqual(errs(obj({ a: str() }, { required: ['a'] }), undefined), [': missing required field "a"']);
  assert.equal(formatPath(['spec', 'routes', 0, 'matchers', 1]), 'spec.routes[0].matchers[1]');
});
