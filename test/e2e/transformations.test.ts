/**
 * Transformations end to end through `gloo run` (spec §4, §7.3): Gloo YAML in a config directory, an
 * echo upstream that answers with the request it saw as JSON, real HTTP clients. One VirtualService
 * per feature, told apart by the Host header: the §7.3 examples, JSON body templates with dotted
 * access, mergeExtractorsToBody, headerBodyTransform, response transformations matched by `:status`,
 * early and regular stages, clearRouteCache, bodies that stream (passthrough, header-only templates)
 * and bodies that are buffered (413 past the limit), bad templates Rejected with their position,
 * ignoreErrorOnParse, and dynamic metadata in the access log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { getFreePort, glooctl, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

let gloo: GlooProcess;
let dir: string;
let echo: UpstreamServer;
let echo2: UpstreamServer;
let port: number;
let accessLog: string;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function send(host: string, p: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const r = await request(`http://127.0.0.1:${port}${p}`, {
    method: (opts.method ?? (opts.body !== undefined ? 'POST' : 'GET')) as 'GET',
    headers: { host, ...opts.headers },
    body: opts.body,
  });
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
}

const echoed = (a: Answer): EchoResponse => JSON.parse(a.text) as EchoResponse;

function vs(name: string, spec: string): string {
  return `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: gloo-system}
spec:
  virtualHost:
${spec}`;
}

const toEcho = (u = 'echo') => `routeAction: {single: {upstream: {name: ${u}, namespace: gloo-system}}}`;

before(async () => {
  echo = await UpstreamServer.start('echo');
  echo2 = await UpstreamServer.start('echo2');
  port = await getFreePort();
  dir = makeConfigDir('gloo-xform-');
  accessLog = path.join(dir, 'access.log');
  writeConfig(
    dir,
    'gateways/gloo-system/gw.yaml',
    yaml.gateway('gw', port) +
      `  options:
    accessLoggingService:
      accessLog:
      - fileSink:
          path: '${accessLog}'
          stringFormat: "%REQ(:AUTHORITY)% %REQ(:PATH)% %RESPONSE_CODE% user=%DYNAMIC_METADATA(io.solo.transformation:user)% sum=%DYNAMIC_METADATA(io.solo.transformation:sum)% obj=%DYNAMIC_METADATA(io.solo.transformation:obj)% other=%DYNAMIC_METADATA(team.ns:plan)% empty=%DYNAMIC_METADATA(io.solo.transformation:empty)%\\n"
`,
  );
  writeConfig(dir, 'upstreams/gloo-system/echo.yaml', yaml.staticUpstream('echo', echo.port));
  writeConfig(dir, 'upstreams/gloo-system/echo2.yaml', yaml.staticUpstream('echo2', echo2.port));

  // §7.3: query parameters into headers (vhost `transformations`, extractors on `:path`).
  writeConfig(
    dir,
    'virtualservices/gloo-system/query.yaml',
    vs(
      'query',
      `    domains: [query.example.com]
    options:
      transformations:
        requestTransformation:
          transformationTemplate:
            extractors:
              foo: {header: ':path', regex: '(.*foo=([^&]*).*)', subgroup: 2}
              bar: {header: ':path', regex: '(.*bar=([^&]*).*)', subgroup: 2}
            headers:
              foo: {text: '{{ foo }}'}
              bar: {text: '{{ bar }}'}
    routes:
    - matchers: [{prefix: /}]
      ${toEcho()}
`,
    ),
  );
  // §7.3: the response status from the body; §7.3: a header on every request.
  writeConfig(
    dir,
    'virtualservices/gloo-system/status.yaml',
    vs(
      'status',
      `    domains: [status.example.com]
    options:
      stagedTransformations:
        regular:
          requestTransforms:
          - requestTransformation:
              transformationTemplate:
                headers: {foo: {text: bar}}
    routes:
    - matchers: [{prefix: /}]
      options:
        transformations:
          responseTransformation:
            transformationTemplate:
              headers:
                ':status': {text: '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}'}
      ${toEcho()}
`,
    ),
  );
  writeConfig(
    dir,
    'virtualservices/gloo-system/every.yaml',
    vs(
      'every',
      `    domains: [every.example.com]
    options:
      stagedTransformations:
        regular:
          requestTransforms:
          - requestTransformation:
              transformationTemplate:
                headers: {foo: {text: bar}}
    routes:
    - matchers: [{prefix: /a}]
      ${toEcho()}
    - matchers: [{prefix: /b}]
      ${toEcho('echo2')}
`,
    ),
  );
  // Bodies: a JSON body template with dotted access, ignoreErrorOnParse, mergeExtractorsToBody,
  // mergeJsonKeys, headerBodyTransform.
  writeConfig(
    dir,
    'virtualservices/gloo-system/body.yaml',
    vs(
      'body',
      `    domains: [body.example.com]
    routes:
    - matchers: [{prefix: /template}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  headers:
                    x-user-id: {text: '{{ user.id }}'}
                    content-type: {text: application/json}
                  body:
                    text: '{"user": "{{ upper(user.name) }}", "firstSku": "{{ items.0.sku }}", "count": {{ length(items) }}}'
      ${toEcho()}
    - matchers: [{prefix: /lenient}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  ignoreErrorOnParse: true
                  body: {text: '{"user": "{{ default(user.name, "anonymous") }}"}'}
      ${toEcho()}
    - matchers: [{prefix: /merge}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  extractors:
                    user.region: {header: x-region, regex: '(.*)', subgroup: 1}
                    item: {header: ':path', regex: '/merge/([a-z0-9]+)(\\?.*)?', subgroup: 1}
                  mergeExtractorsToBody: {}
      ${toEcho()}
    - matchers: [{prefix: /keys}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  mergeJsonKeys:
                    jsonKeys:
                      total: {tmpl: {text: '{{ a + b }}'}}
                      who: {tmpl: {text: '"{{ header("x-who") }}"'}}
                      skipped: {tmpl: {text: ''}}
      ${toEcho()}
    - matchers: [{prefix: /hb}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                headerBodyTransform: {addRequestMetadata: true}
      ${toEcho()}
`,
    ),
  );
  // A response transformation matched on the response's :status.
  writeConfig(
    dir,
    'virtualservices/gloo-system/resp.yaml',
    vs(
      'resp',
      `    domains: [resp.example.com]
    options:
      stagedTransformations:
        regular:
          responseTransforms:
          - matchers: [{name: ':status', value: '404'}]
            responseTransformation:
              transformationTemplate:
                parseBodyBehavior: DontParse
                headers:
                  x-was: {text: '{{ header(":status") }}'}
                  content-type: {text: text/plain}
                body: {text: 'nothing at {{ request_header(":path") }}'}
          - matchers: [{name: x-upstream-name, value: 'echo[0-9]*', regex: true}]
            responseTransformation:
              transformationTemplate:
                headers: {x-seen-by: {text: 'gloo {{ request_header(":method") }}'}}
    routes:
    - matchers: [{prefix: /}]
      ${toEcho()}
`,
    ),
  );
  // Early then regular on requests; regular then early on responses.
  writeConfig(
    dir,
    'virtualservices/gloo-system/order.yaml',
    vs(
      'order',
      `    domains: [order.example.com]
    routes:
    - matchers: [{prefix: /}]
      options:
        stagedTransformations:
          early:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  headers: {x-stage: {text: 'early'}}
              responseTransformation:
                transformationTemplate:
                  headers: {x-resp: {text: '{{ header("x-resp") }}-early'}}
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  headers: {x-stage: {text: '{{ header("x-stage") }}-regular'}}
              responseTransformation:
                transformationTemplate:
                  headers: {x-resp: {text: 'regular'}}
      ${toEcho()}
`,
    ),
  );
  // clearRouteCache: a rewritten :path selects the route again; without it the route stays.
  writeConfig(
    dir,
    'virtualservices/gloo-system/reroute.yaml',
    vs(
      'reroute',
      `    domains: [reroute.example.com]
    routes:
    - matchers: [{prefix: /old}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - matcher: {prefix: /old/clear}
              clearRouteCache: true
              requestTransformation:
                transformationTemplate:
                  headers: {':path': {text: '/new{{ header(":path") }}'}}
            - requestTransformation:
                transformationTemplate:
                  headers: {':path': {text: '/new{{ header(":path") }}'}}
      ${toEcho()}
    - matchers: [{prefix: /new}]
      ${toEcho('echo2')}
`,
    ),
  );
  // Weighted destinations: a destination's transformations replace the route's for requests sent to it.
  writeConfig(
    dir,
    'virtualservices/gloo-system/weighted.yaml',
    vs(
      'weighted',
      `    domains: [weighted.example.com]
    routes:
    - matchers: [{prefix: /}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  headers: {x-dest: {text: route}}
      routeAction:
        multi:
          destinations:
          - weight: 1
            destination: {upstream: {name: echo, namespace: gloo-system}}
            options:
              stagedTransformations:
                regular:
                  requestTransforms:
                  - requestTransformation:
                      transformationTemplate:
                        headers: {x-dest: {text: 'own-{{ header(":path") }}'}}
          - weight: 1
            destination: {upstream: {name: echo2, namespace: gloo-system}}
`,
    ),
  );
  // Large bodies: passthrough and header-only templates stream; a body template buffers (413 past 1 MiB).
  writeConfig(
    dir,
    'virtualservices/gloo-system/big.yaml',
    vs(
      'big',
      `    domains: [big.example.com]
    routes:
    - matchers: [{prefix: /passthrough}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  passthrough: {}
                  headers: {x-seen: {text: '{{ header("content-length") }}'}}
      ${toEcho()}
    - matchers: [{prefix: /headers-only}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  extractors:
                    id: {header: x-id, regex: 'id-([0-9]+)', subgroup: 1}
                  headers: {x-id-number: {text: '{{ id }}'}}
      ${toEcho()}
    - matchers: [{prefix: /buffered}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  parseBodyBehavior: DontParse
                  body: {text: '{{ length(body()) }}'}
      ${toEcho()}
`,
    ),
  );
  // Dynamic metadata for the access log.
  writeConfig(
    dir,
    'virtualservices/gloo-system/meta.yaml',
    vs(
      'meta',
      `    domains: [meta.example.com]
    routes:
    - matchers: [{prefix: /}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  dynamicMetadataValues:
                  - key: user
                    value: {text: '{{ header("x-user") }}'}
                  - key: sum
                    jsonToProto: true
                    value: {text: '{{ 1 + 2 }}'}
                  - key: obj
                    jsonToProto: true
                    value: {text: '{"a": [1, "b"]}'}
                  - key: plan
                    metadataNamespace: team.ns
                    value: {text: gold}
                  - key: empty
                    value: {text: ''}
      ${toEcho()}
`,
    ),
  );
  gloo = await startGloo(dir);
  await waitFor('the VirtualServices to serve', async () => (await send('meta.example.com', '/ready')).status === 200);
});

after(async () => {
  await gloo?.stop();
  await echo?.close();
  await echo2?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('§7.3: query parameters become headers through extractors on :path', async () => {
  const r = await send('query.example.com', '/get?foo=foo-value&bar=bar-value');
  assert.equal(r.status, 200);
  const e = echoed(r);
  assert.equal(e.headers.foo, 'foo-value');
  assert.equal(e.headers.bar, 'bar-value');
  assert.equal(e.url, '/get?foo=foo-value&bar=bar-value');
  // A parameter that is absent extracts "": the header is removed (an empty render removes it).
  const none = echoed(await send('query.example.com', '/get?foo=only', { headers: { bar: 'client' } }));
  assert.equal(none.headers.foo, 'only');
  assert.equal(none.headers.bar, undefined);
});

test('§7.3: the response status comes from the body', async () => {
  const error = await send('status.example.com', '/x', { headers: { 'x-upstream-echo': 'raw' }, body: '{"data": {"error": {"message": "boom"}}}' });
  assert.equal(error.status, 400);
  assert.equal(error.text, '{"data": {"error": {"message": "boom"}}}');
  const ok = await send('status.example.com', '/x', { headers: { 'x-upstream-echo': 'raw' }, body: '{"data": {}}' });
  assert.equal(ok.status, 200);
  const created = await send('status.example.com', '/x', { headers: { 'x-upstream-echo': 'raw', 'x-upstream-status': '201' }, body: '{}' });
  assert.equal(created.status, 201);
});

test('§7.3: a header on every request of the virtual host; a route with its own config replaces the virtual host\'s', async () => {
  assert.equal(echoed(await send('every.example.com', '/a')).headers.foo, 'bar');
  const b = echoed(await send('every.example.com', '/b', { headers: { foo: 'client' } }));
  assert.equal(b.name, 'echo2');
  assert.equal(b.headers.foo, 'bar', 'headers replace the client value');
  // status.example.com: the route's `transformations` (response only) replace the vhost's request header.
  const s = echoed(await send('status.example.com', '/x'));
  assert.equal(s.headers.foo, undefined);
});

test('a request body template reads the JSON body with dotted paths', async () => {
  const body = JSON.stringify({ user: { id: 7, name: 'Ann' }, items: [{ sku: 'a1' }, { sku: 'b2' }] });
  const r = await send('body.example.com', '/template', { body, headers: { 'content-type': 'text/plain' } });
  assert.equal(r.status, 200);
  const e = echoed(r);
  assert.equal(e.body, '{"user": "ANN", "firstSku": "a1", "count": 2}');
  assert.equal(e.headers['content-length'], String(Buffer.byteLength(e.body!)));
  assert.equal(e.headers['x-user-id'], '7');
  assert.equal(e.headers['content-type'], 'application/json');
});

test('a body that is not JSON is answered 400 with envoy-gloo\'s text; ignoreErrorOnParse renders without it', async () => {
  const bad = await send('body.example.com', '/template', { body: 'not json' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /^bad request: \[json\.exception\.parse_error\.101\] parse error at line 1, column 2: syntax error while parsing value - invalid literal; last read: 'no'/);
  const lenient = await send('body.example.com', '/lenient', { body: 'not json' });
  assert.equal(lenient.status, 200);
  assert.equal(echoed(lenient).body, '{"user": "anonymous"}');
  // A missing variable is a render error: 400 too. The body renders first, then the headers.
  const missing = await send('body.example.com', '/template', { body: '{"user": {"name": "x"}, "items": [{"sku": "a"}]}' });
  assert.equal(missing.status, 400);
  assert.match(missing.text, /^bad request: \[inja\.exception\.render_error\] \(at 1:4\) variable 'user\.id' not found$/);
});

test('mergeExtractorsToBody writes the extractions into the JSON body at their dotted names', async () => {
  const r = await send('body.example.com', '/merge/abc42?x=1', { body: '{"a": 1, "user": {"name": "x"}}', headers: { 'x-region': 'eu' } });
  assert.equal(r.status, 200);
  assert.equal(echoed(r).body, '{"a":1,"item":"abc42","user":{"name":"x","region":"eu"}}');
});

test('mergeJsonKeys renders each key as JSON into the body; an empty render is skipped', async () => {
  const r = await send('body.example.com', '/keys', { body: '{"a": 1, "b": 2.5, "skipped": true}', headers: { 'x-who': 'me' } });
  assert.equal(r.status, 200);
  assert.equal(echoed(r).body, '{"a":1,"b":2.5,"skipped":true,"total":3.5,"who":"me"}');
});

test('headerBodyTransform with addRequestMetadata gives an API-Gateway-like event', async () => {
  const r = await send('body.example.com', '/hb/items?tag=a&tag=b%20c&solo', { body: 'raw text', headers: { 'x-multi': 'one' } });
  assert.equal(r.status, 200);
  const e = echoed(r);
  assert.equal(e.headers['content-type'], 'application/json');
  const ev = JSON.parse(e.body!) as Record<string, unknown>;
  assert.equal(ev.body, 'raw text');
  assert.equal(ev.httpMethod, 'POST');
  assert.equal(ev.path, '/hb/items');
  assert.equal(ev.queryString, 'tag=a&tag=b%20c&solo');
  assert.deepEqual(ev.queryStringParameters, { tag: 'b c', solo: '' });
  assert.deepEqual(ev.multiValueQueryStringParameters, { tag: ['a', 'b c'] });
  const headers = ev.headers as Record<string, string>;
  assert.equal(headers[':authority'], 'body.example.com');
  assert.equal(headers[':path'], '/hb/items?tag=a&tag=b%20c&solo');
  assert.equal(headers['x-multi'], 'one');
});

test('a response transformation matched by :status; others by a response header regex', async () => {
  const nf = await send('resp.example.com', '/missing', { headers: { 'x-upstream-status': '404' } });
  assert.equal(nf.status, 404);
  assert.equal(nf.text, 'nothing at /missing');
  assert.equal(nf.headers['x-was'], '404');
  assert.equal(nf.headers['content-type'], 'text/plain');
  assert.equal(nf.headers['content-length'], String('nothing at /missing'.length));
  const ok = await send('resp.example.com', '/here');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['x-seen-by'], 'gloo GET');
  assert.equal(echoed(ok).url, '/here');
});

test('early runs before regular on requests, after it on responses', async () => {
  const r = await send('order.example.com', '/');
  assert.equal(echoed(r).headers['x-stage'], 'early-regular');
  assert.equal(r.headers['x-resp'], 'regular-early');
});

test('clearRouteCache selects the route again after a :path rewrite; without it the route stays', async () => {
  const cleared = echoed(await send('reroute.example.com', '/old/clear?q=1'));
  assert.equal(cleared.name, 'echo2');
  assert.equal(cleared.url, '/new/old/clear?q=1');
  const kept = echoed(await send('reroute.example.com', '/old/keep'));
  assert.equal(kept.name, 'echo');
  assert.equal(kept.url, '/new/old/keep');
});

test('a weighted destination\'s transformations apply to the requests sent to it; the others get the route\'s', async () => {
  const seen = new Map<string, string>();
  for (let i = 0; i < 40; i++) {
    const e = echoed(await send('weighted.example.com', `/w${i}`));
    const want = e.name === 'echo' ? `own-/w${i}` : 'route';
    assert.equal(e.headers['x-dest'], want, `request ${i} to ${e.name}`);
    seen.set(e.name, want);
  }
  assert.equal(seen.size, 2, 'both destinations were picked');
});

test('passthrough and header-only templates do not buffer: a body larger than the buffer limit streams through', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024, 'x');
  const p = await send('big.example.com', '/passthrough', { body: big });
  assert.equal(p.status, 200);
  assert.equal(echoed(p).bodyLength, big.length);
  assert.equal(echoed(p).headers['x-seen'], String(big.length));
  const h = await send('big.example.com', '/headers-only', { body: big, headers: { 'x-id': 'id-123', 'content-type': 'text/plain' } });
  assert.equal(h.status, 200);
  assert.equal(echoed(h).bodyLength, big.length);
  assert.equal(echoed(h).headers['x-id-number'], '123');
  assert.equal(echoed(h).headers['content-type'], 'text/plain');
  // A template that reads the body buffers it: past the limit, 413.
  const b = await send('big.example.com', '/buffered', { body: big });
  assert.equal(b.status, 413);
  const small = await send('big.example.com', '/buffered', { body: 'hello' });
  assert.equal(echoed(small).body, '5');
});

test('dynamic metadata is written to the access log', async () => {
  const r = await send('meta.example.com', '/who', { headers: { 'x-user': 'ann' } });
  assert.equal(r.status, 200);
  const line = await waitFor('the access log line', () => {
    const text = fs.existsSync(accessLog) ? fs.readFileSync(accessLog, 'utf8') : '';
    return text.split('\n').find((l) => l.startsWith('meta.example.com /who '));
  });
  assert.equal(line, 'meta.example.com /who 200 user=ann sum=3 obj={"a":[1,"b"]} other=gold empty=-');
});

const versioned = (body: string) =>
  vs(
    'bad',
    `    domains: [bad.example.com]
    routes:
    - matchers: [{prefix: /}]
      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
${body}
      ${toEcho()}
`,
  );

test('a template with a syntax error Rejects its VirtualService with the template, line and column; the last accepted version keeps serving', async () => {
  writeConfig(dir, 'virtualservices/gloo-system/bad.yaml', versioned('                  headers: {x-version: {text: v1}}'));
  await waitFor('the first version to serve', async () => echoed(await send('bad.example.com', '/')).headers['x-version'] === 'v1');
  writeConfig(
    dir,
    'virtualservices/gloo-system/bad.yaml',
    versioned(`                  headers: {x-version: {text: v2}}
                  body:
                    text: |-
                      {"a": "{{ a }}",
                       "b": "{{ uppr(b) }}"}`),
  );
  const table = await waitFor('the VirtualService to be Rejected', async () => {
    const r = await glooctl(gloo, 'get', 'vs', 'bad');
    return r.stdout.includes('Rejected') ? r.stdout : null;
  });
  assert.match(table, /Reason: route 0:/);
  const doc = JSON.parse((await glooctl(gloo, 'get', 'vs', 'bad', '-o', 'json')).stdout) as { status: { statuses: Record<string, { state: string; reason: string }> } };
  const st = doc.status.statuses['gloo-system']!;
  assert.equal(st.state, 'Rejected');
  assert.equal(
    st.reason,
    'route 0: stagedTransformations.regular.requestTransforms[0].requestTransformation: Failed to parse request template: ' +
      'Failed to parse body template [inja.exception.parser_error] (at 2:17) unknown function uppr',
  );
  // The last accepted version serves; every other VirtualService too.
  assert.equal(echoed(await send('bad.example.com', '/')).headers['x-version'], 'v1');
  assert.equal(echoed(await send('every.example.com', '/a')).headers.foo, 'bar');
});
