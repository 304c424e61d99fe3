/**
 * One transformation on a request or response (src/proxy/filters/transformation/transformation.ts):
 * envoy-gloo's order of effects, header edits, pseudo-headers, body kinds, extractions merged into
 * the context or read with extraction(), escapeCharacters, dynamic metadata, and which
 * transformations need the body (the filter's buffering decision).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { compileTransformation, type TransformationConfig, type TransformationDefaults } from '../../../../src/proxy/filters/transformation/transformation.js';
import { RequestChange, RequestHeaders, ResponseHeaders } from '../../../../src/proxy/filters/transformation/headers.js';
import { StreamInfoRecord } from '../../../../src/proxy/http/stream-info.js';

const DEFAULTS: TransformationDefaults = { escapeCharacters: false, logRequestResponseInfo: false };

function fakeRequest(url: string, headers: Record<string, string | string[]> = {}, method = 'GET', rawHeaders: string[] = []): IncomingMessage {
  return { url, method, headers: { host: 'example.com', ...headers }, rawHeaders } as unknown as IncomingMessage;
}

function runRequest(c: TransformationConfig, req: IncomingMessage, body = '', defaults = DEFAULTS): { body: string | null; headers: RequestHeaders; info: StreamInfoRecord } {
  const t = compileTransformation(c, defaults);
  const h = new RequestHeaders(req);
  const info = new StreamInfoRecord();
  const out = t.transform(h, h, Buffer.from(body), info, true);
  return { body: out === null ? null : out.toString('utf8'), headers: h, info };
}

test('headers: rendered in order, an empty render removes the header, headersToRemove then headersToAppend', () => {
  const req = fakeRequest('/p', { 'x-a': 'old', 'x-gone': '1', 'x-app': 'first', 'x-empty': 'present' });
  runRequest(
    {
      transformationTemplate: {
        headers: { 'X-A': { text: 'new-{{ header("x-a") }}' }, 'x-b': { text: '{{ header("x-a") }}' }, 'x-empty': { text: '' } },
        headersToRemove: ['X-Gone'],
        headersToAppend: [{ key: 'x-app', value: { text: 'second' } }, { key: 'x-skip', value: { text: '' } }],
      },
    },
    req,
  );
  assert.equal(req.headers['x-a'], 'new-old');
  assert.equal(req.headers['x-b'], 'new-old', 'a later header template sees the earlier edit');
  assert.equal(req.headers['x-empty'], undefined);
  assert.equal(req.headers['x-gone'], undefined);
  assert.deepEqual(req.headers['x-app'], ['first', 'second']);
  assert.equal('x-skip' in req.headers, false);
});

test('request pseudo-headers: :path, :method, :authority are read and written', () => {
  const req = fakeRequest('/a?x=1', {}, 'GET');
  const { headers } = runRequest(
    {
      transformationTemplate: {
        headers: {
          ':path': { text: '/b{{ header(":path") }}' },
          ':method': { text: 'POST' },
          ':authority': { text: 'up.{{ header(":authority") }}' },
          'x-scheme': { text: '{{ header(":scheme") }}' },
        },
      },
    },
    req,
  );
  assert.equal(req.url, '/b/a?x=1');
  assert.equal(req.method, 'POST');
  assert.equal(req.headers.host, 'up.example.com');
  assert.equal(req.headers['x-scheme'], 'http');
  assert.equal(headers.changes, RequestChange.Path | RequestChange.Method | RequestChange.Authority);
});

test('header() gives the first value of a repeated header', () => {
  const req = fakeRequest('/', { 'x-r': 'one, two', cookie: 'a=1; b=2' }, 'GET', ['X-R', 'one', 'x-r', 'two', 'Cookie', 'a=1', 'cookie', 'b=2']);
  runRequest({ transformationTemplate: { headers: { 'x-first': { text: '{{ header("x-r") }}|{{ header("cookie") }}' } } } }, req);
  assert.equal(req.headers['x-first'], 'one|a=1');
  // A single value with a comma is kept whole.
  const one = fakeRequest('/', { 'x-r': 'one, two' }, 'GET', ['x-r', 'one, two']);
  runRequest({ transformationTemplate: { headers: { 'x-first': { text: '{{ header("x-r") }}' } } } }, one);
  assert.equal(one.headers['x-first'], 'one, two');
});

test('extractions are merged into the JSON context by dotted name without advanced templates', () => {
  const req = fakeRequest('/users/42');
  const { body } = runRequest(
    {
      transformationTemplate: {
        extractors: { 'user.id': { header: ':path', regex: '/users/([0-9]+)', subgroup: 1 } },
        body: { text: '{{ user.id }}/{{ user.name }}/{{ extraction("user.id") }}' },
      },
    },
    req,
    '{"user": {"name": "ann"}}',
  );
  assert.equal(body, '42/ann/', 'extraction() finds nothing without advanced templates');
});

test('advanced templates: JSON-pointer variables, extractions only through extraction()', () => {
  const req = fakeRequest('/users/42');
  const { body } = runRequest(
    {
      transformationTemplate: {
        advancedTemplates: true,
        extractors: { id: { header: ':path', regex: '/users/([0-9]+)', subgroup: 1 } },
        body: { text: '{{ extraction("id") }}/{{ user/name }}/{{ default(id, "none") }}' },
      },
    },
    req,
    '{"user": {"name": "ann"}}',
  );
  assert.equal(body, '42/ann/none');
});

test('the body renders before the headers, and header templates see the original body', () => {
  const req = fakeRequest('/');
  const { body } = runRequest(
    { transformationTemplate: { parseBodyBehavior: 'DontParse', body: { text: 'new' }, headers: { 'x-old': { text: '{{ body() }}' } } } },
    req,
    'old',
  );
  assert.equal(body, 'new');
  assert.equal(req.headers['x-old'], 'old');
  assert.equal(req.headers['content-length'], '3');
});

test('a body that is not JSON throws nlohmann\'s error; ignoreErrorOnParse leaves an empty context', () => {
  const req = fakeRequest('/');
  assert.throws(() => runRequest({ transformationTemplate: { headers: { x: { text: 'a' } } } }, req, '{bad'), /\[json\.exception\.parse_error\.101\]/);
  const { body } = runRequest({ transformationTemplate: { ignoreErrorOnParse: true, body: { text: '{{ default(a, "none") }}|{{ context() }}|{{ body() }}' } } }, fakeRequest('/'), '{bad');
  assert.equal(body, 'none||{bad');
  assert.throws(() => runRequest({ transformationTemplate: { ignoreErrorOnParse: true, body: { text: '{{ a }}' } } }, fakeRequest('/'), '{bad'), /variable 'a' not found/);
});

test('mergeExtractorsToBody and mergeJsonKeys', () => {
  const merged = runRequest(
    { transformationTemplate: { extractors: { 'a.b': { header: 'x', regex: '(.*)', subgroup: 1 } }, mergeExtractorsToBody: {} } },
    fakeRequest('/', { x: 'v' }),
    '{"a": {"c": 1}, "z": [1.0]}',
  );
  assert.equal(merged.body, '{"a":{"b":"v","c":1},"z":[1.0]}');
  const empty = runRequest({ transformationTemplate: { mergeExtractorsToBody: {} } }, fakeRequest('/'), '');
  assert.equal(empty.body, 'null', 'nlohmann dumps an empty context as null');
  const keys = runRequest(
    {
      transformationTemplate: {
        mergeJsonKeys: { jsonKeys: { n: { tmpl: { text: '{{ a * 2 }}' } }, o: { tmpl: { text: '{"k": "{{ header("x") }}"}' } }, e: { tmpl: { text: '' } } } },
        headers: { 'x-n': { text: '{{ n }}' } },
      },
    },
    fakeRequest('/', { x: 'v' }),
    '{"a": 2}',
  );
  assert.equal(keys.body, '{"a":2,"n":4,"o":{"k":"v"}}');
  assert.equal(keys.headers.get('x-n'), '4', 'later templates see the merged keys');
  assert.throws(
    () => runRequest({ transformationTemplate: { mergeJsonKeys: { jsonKeys: { e: { tmpl: { text: '' }, overrideEmpty: true } } } } }, fakeRequest('/'), '{}'),
    /\[json\.exception\.parse_error\.101\]/,
  );
  assert.throws(() => runRequest({ transformationTemplate: { mergeJsonKeys: { jsonKeys: { n: { tmpl: { text: '1' } } } } } }, fakeRequest('/'), '[1]'), /type_error\.305/);
});

test('escapeCharacters: the template\'s own setting wins over the defaults', () => {
  const text = '{"v": "{{ header("x") }}"}';
  const req = () => fakeRequest('/', { x: 'a"b' });
  assert.equal(runRequest({ transformationTemplate: { body: { text } } }, req()).body, '{"v": "a"b"}');
  assert.equal(runRequest({ transformationTemplate: { body: { text } } }, req(), '', { ...DEFAULTS, escapeCharacters: true }).body, '{"v": "a\\"b"}');
  assert.equal(runRequest({ transformationTemplate: { escapeCharacters: false, body: { text } } }, req(), '', { ...DEFAULTS, escapeCharacters: true }).body, '{"v": "a"b"}');
});

test('dynamic metadata: strings, jsonToProto values, namespaces; an empty render is skipped', () => {
  const { info } = runRequest(
    {
      transformationTemplate: {
        dynamicMetadataValues: [
          { key: 'user', value: { text: '{{ header("x-user") }}' } },
          { key: 'n', jsonToProto: true, value: { text: '{{ 40 + 2 }}' } },
          { key: 'not-json', jsonToProto: true, value: { text: 'a b' } },
          { key: 'e', value: { text: '' } },
          { metadataNamespace: 'other', key: 'k', value: { text: 'v' } },
        ],
        headers: { 'x-md': { text: '{{ dynamic_metadata("user") }}' } },
      },
    },
    fakeRequest('/', { 'x-user': 'ann' }),
  );
  assert.deepEqual(info.dynamicMetadata, {
    'io.solo.transformation': { fields: { user: { stringValue: 'ann' }, n: { numberValue: 42 }, 'not-json': { stringValue: 'a b' } } },
    other: { fields: { k: { stringValue: 'v' } } },
  });
});

test('response transformations: :status, response headers, request_header()', () => {
  const t = compileTransformation(
    { transformationTemplate: { headers: { ':status': { text: '{% if header(":status") == "404" %}410{% else %}{{ header(":status") }}{% endif %}' }, 'x-p': { text: '{{ request_header(":path") }}' } } } },
    DEFAULTS,
  );
  const list = ['Content-Type', 'application/json', 'X-P', 'upstream'];
  const h = new ResponseHeaders(404, list, true);
  const req = new RequestHeaders(fakeRequest('/orig'));
  t.transform(h, req, Buffer.alloc(0), undefined, false);
  assert.equal(h.status, 410);
  assert.deepEqual(list, ['Content-Type', 'application/json', 'x-p', '/orig']);
  const fixed = new ResponseHeaders(404, [], false);
  t.transform(fixed, req, Buffer.alloc(0), undefined, false);
  assert.equal(fixed.status, 404, 'the status cannot change once it is fixed');
});

test('headerBodyTransform without request metadata: headers (last value wins) and body', () => {
  const t = compileTransformation({ headerBodyTransform: {} }, DEFAULTS);
  const list = ['content-type', 'text/plain', 'x-r', 'a', 'x-r', 'b'];
  const h = new ResponseHeaders(200, list, true);
  const out = t.transform(h, h, Buffer.from('hello'), undefined, false)!;
  assert.deepEqual(JSON.parse(out.toString()), { body: 'hello', headers: { ':status': '200', 'content-type': 'text/plain', 'x-r': 'b' } });
  assert.equal(h.get('content-type'), 'application/json');
  const empty = t.transform(new ResponseHeaders(204, [], true), h, Buffer.alloc(0), undefined, false)!;
  assert.deepEqual(JSON.parse(empty.toString()), { headers: { ':status': '204' } });
});

test('which transformations need the body', () => {
  const needs = (c: TransformationConfig): boolean => compileTransformation(c, DEFAULTS).needsBody;
  const ext = { id: { header: 'x-id', regex: '(.*)', subgroup: 1 } };
  assert.equal(needs({ transformationTemplate: { headers: { a: { text: 'b' } } } }), false, 'constant header');
  assert.equal(needs({ transformationTemplate: { headers: { a: { text: '{{ header("x") }}' } } } }), false, 'header()');
  assert.equal(needs({ transformationTemplate: { extractors: ext, headers: { a: { text: '{{ id }}' } } } }), false, 'an extraction by its name');
  assert.equal(needs({ transformationTemplate: { extractors: ext, headers: { a: { text: '{{ other }}' } } } }), true, 'a body variable');
  assert.equal(needs({ transformationTemplate: { extractors: ext, parseBodyBehavior: 'DontParse', headers: { a: { text: '{{ other }}' } } } }), false, 'DontParse: no body variables');
  assert.equal(needs({ transformationTemplate: { parseBodyBehavior: 'DontParse', headers: { a: { text: '{{ body() }}' } } } }), true, 'body()');
  assert.equal(needs({ transformationTemplate: { headers: { a: { text: '{{ exists("x") }}' } } } }), true, 'exists()');
  assert.equal(needs({ transformationTemplate: { headers: { a: { text: '{% for x in range(2) %}{{ x }}{{ loop.index }}{% endfor %}' } } } }), false, 'loop variables');
  assert.equal(needs({ transformationTemplate: { advancedTemplates: true, extractors: ext, headers: { a: { text: '{{ id }}' } } } }), true, 'advanced: variables are the body');
  assert.equal(needs({ transformationTemplate: { extractors: { b: { body: {}, regex: '.*' } } } }), true, 'a body extractor');
  assert.equal(needs({ transformationTemplate: { body: { text: 'x' } } }), true, 'a new body');
  assert.equal(needs({ transformationTemplate: { mergeExtractorsToBody: {} } }), true);
  assert.equal(needs({ transformationTemplate: { passthrough: {}, headers: { a: { text: '{{ body() }}' } } } }), false, 'passthrough');
  assert.equal(needs({ headerBodyTransform: {} }), true);
});

test('configurations refused when compiled', () => {
  const refused = (c: TransformationConfig, re: RegExp) => assert.throws(() => compileTransformation(c, DEFAULTS), (err: Error) => re.test(err.message));
  refused({ transformationTemplate: { headers: { 'x-a': { text: '{{ uppr(x) }}' } } } }, /^Failed to parse header template 'x-a': \[inja\.exception\.parser_error\] \(at 1:10\) unknown function uppr$/);
  refused({ transformationTemplate: { body: { text: '{% if %}' } } }, /^Failed to parse body template \[inja\.exception\.parser_error\]/);
  refused({ transformationTemplate: { mergeJsonKeys: { jsonKeys: { 'a.b': { tmpl: { text: '1' } } } } } }, /^Invalid key name for merge_json_keys: \(a\.b\)$/);
  refused({ transformationTemplate: { parseBodyBehavior: 'DontParse', mergeJsonKeys: {} } }, /^MergeJsonKeys requires parsing the body$/);
  refused({ xsltTransformation: {} }, /^xsltTransformation is not supported/);
  refused({}, /^unknown transformation type <nil>$/);
});
