/**
 * The filter's per-route config and per-request instances (src/proxy/filters/transformation/):
 * first matching request entry wins, response entries only when that entry has no response
 * transformation, stage selection, and the hooks an instance gets — a header-only transformation
 * never gets `decodeBody`/`encodeBody`, so nothing is buffered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toStruct, TYPE_URL, type TypedConfig } from '../../../../src/xds/envoy-types.js';
import { transformationFilterFactory, type TransformationPerRoute } from '../../../../src/proxy/filters/transformation/index.js';
import { BodyNeed, compileStage, ROUTE_TRANSFORMATIONS_TYPE_URL, FILTER_TRANSFORMATIONS_TYPE_URL, type StagesConfig } from '../../../../src/proxy/filters/transformation/stages.js';
import type { FilterCallbacks, FilterFactory, StreamFilter } from '../../../../src/proxy/http/filter.js';
import { silentLogger } from '../../../../src/proxy/logger.js';
import { createProxyStats } from '../../../../src/proxy/stats.js';

const DEFAULTS = { escapeCharacters: false, logRequestResponseInfo: false };
const header = (name: string, text: string) => ({ transformationTemplate: { headers: { [name]: { text } } } });
const bodyT = (text: string) => ({ transformationTemplate: { body: { text } } });

function req(url: string, headers: Record<string, string> = {}, method = 'GET'): IncomingMessage {
  return { url, method, headers: { host: 'h', ...headers }, rawHeaders: [] } as unknown as IncomingMessage;
}

test('the first request entry whose matcher matches applies; entries with no transformation are left out', () => {
  const stages: StagesConfig = {
    regular: {
      requestTransforms: [
        { matcher: { prefix: '/skip' } },
        { matcher: { prefix: '/api', headers: [{ name: 'x-v', value: '2' }] }, requestTransformation: header('x', 'v2') },
        { matcher: { exact: '/api/exact', methods: ['POST', 'PUT'] }, requestTransformation: header('x', 'post') },
        { matcher: { regex: '/api/[0-9]+', queryParameters: [{ name: 'q' }] }, requestTransformation: header('x', 'regex') },
        { requestTransformation: header('x', 'any') },
      ],
    },
  };
  const s = compileStage(stages, 0, DEFAULTS)!;
  assert.equal(s.requestEntries.length, 4);
  const which = (r: IncomingMessage) => {
    const e = s.matchRequest(r);
    return e === null ? null : s.requestEntries.indexOf(e);
  };
  assert.equal(which(req('/api/x', { 'x-v': '2' })), 0);
  assert.equal(which(req('/api/exact', {}, 'PUT')), 1);
  assert.equal(which(req('/api/exact?x=1', {}, 'GET')), 3);
  assert.equal(which(req('/api/12?q')), 2);
  assert.equal(which(req('/api/12')), 3);
  assert.equal(which(req('/skip')), 3, 'an entry without transformations matches nothing');
  assert.equal(which(req('/api/../api/12?q=1')), 2, 'the path is normalised as for routes');
});

test('a stage without entries matching gives no transformation; early and regular compile separately', () => {
  const stages: StagesConfig = { early: { requestTransforms: [{ matcher: { prefix: '/e' }, requestTransformation: header('x', 'e') }] } };
  assert.equal(compileStage(stages, 0, DEFAULTS), null);
  const early = compileStage(stages, 1, DEFAULTS)!;
  assert.equal(early.matchRequest(req('/other')), null);
  assert.notEqual(early.matchRequest(req('/e/1')), null);
});

test('response entries: matched on response headers and :status, first match wins', () => {
  const s = compileStage(
    {
      regular: {
        responseTransforms: [
          { matchers: [{ name: ':status', value: '5[0-9]{2}', regex: true }, { name: 'x-err' }], responseTransformation: header('a', '1') },
          { matchers: [{ name: ':status', value: '404' }], responseTransformation: header('a', '2') },
          { matchers: [{ name: 'content-type', value: 'text/html', invertMatch: true }], responseTransformation: header('a', '3') },
          { responseCodeDetails: 'via_upstream', responseTransformation: header('a', '4') },
        ],
      },
    },
    0,
    DEFAULTS,
  )!;
  const which = (status: number, headers: string[], details: string | null = null) => {
    const t = s.matchResponse(status, headers, () => details);
    return t === null ? null : s.responseEntries.findIndex((e) => e.response === t);
  };
  assert.equal(which(503, ['X-Err', '1', 'content-type', 'text/html']), 0);
  assert.equal(which(503, ['content-type', 'text/html']), null);
  assert.equal(which(503, ['content-type', 'text/html'], 'via_upstream'), 3);
  assert.equal(which(404, ['content-type', 'text/html']), 1);
  assert.equal(which(200, ['content-type', 'application/json']), 2);
});

test('request body needs of a stage', () => {
  const need = (requestTransforms: NonNullable<StagesConfig['regular']>['requestTransforms']) => compileStage({ regular: { requestTransforms } }, 0, DEFAULTS)!.requestBody;
  assert.equal(need([{ requestTransformation: header('a', 'b') }]), BodyNeed.Never);
  assert.equal(need([{ requestTransformation: bodyT('x') }]), BodyNeed.Always);
  assert.equal(need([{ matcher: { prefix: '/a' }, requestTransformation: bodyT('x') }, { requestTransformation: header('a', 'b') }]), BodyNeed.Depends);
  assert.equal(need([{ matcher: { prefix: '/a' }, requestTransformation: bodyT('x') }, { responseTransformation: header('a', 'b') }]), BodyNeed.Depends);
});

// ---- the filter's instances ------------------------------------------------------------------------

function perRouteConfig(stages: StagesConfig): TypedConfig {
  return { '@type': TYPE_URL.typedStruct, type_url: ROUTE_TRANSFORMATIONS_TYPE_URL, value: toStruct(stages as Record<string, unknown>) } as TypedConfig;
}

function factory(value: Record<string, unknown> = {}): FilterFactory<TransformationPerRoute> {
  const typed = { '@type': TYPE_URL.typedStruct, type_url: FILTER_TRANSFORMATIONS_TYPE_URL, value: toStruct(value) } as TypedConfig;
  return transformationFilterFactory(typed, { stats: createProxyStats(), logger: silentLogger }) as FilterFactory<TransformationPerRoute>;
}

function instance(f: FilterFactory<TransformationPerRoute>, stages: StagesConfig, r: IncomingMessage): StreamFilter | null {
  const cb = { req: r, res: {} as ServerResponse, route: null, draining: false } as unknown as FilterCallbacks;
  return f.create(f.compilePerRoute!(perRouteConfig(stages)), cb);
}

const hooks = (f: StreamFilter | null) =>
  f === null ? null : { decodeBody: f.decodeBody !== undefined, encodeHeaders: f.encodeHeaders !== undefined, encodeBody: f.encodeBody !== undefined };

test('instances have only the hooks their transformations need', () => {
  const f = factory();
  const r = () => req('/a');
  assert.deepEqual(hooks(instance(f, { regular: { requestTransforms: [{ requestTransformation: header('x', '{{ header("y") }}') }] } }, r())), {
    decodeBody: false,
    encodeHeaders: false,
    encodeBody: false,
  });
  assert.deepEqual(hooks(instance(f, { regular: { requestTransforms: [{ requestTransformation: bodyT('{{ a }}') }] } }, r())), {
    decodeBody: true,
    encodeHeaders: false,
    encodeBody: false,
  });
  assert.deepEqual(hooks(instance(f, { regular: { requestTransforms: [{ responseTransformation: header('x', '{{ request_header(":path") }}') }] } }, r())), {
    decodeBody: false,
    encodeHeaders: true,
    encodeBody: false,
  });
  assert.deepEqual(hooks(instance(f, { regular: { requestTransforms: [{ responseTransformation: header(':status', '201') }] } }, r())), {
    decodeBody: false,
    encodeHeaders: false,
    encodeBody: true,
  });
  assert.deepEqual(hooks(instance(f, { regular: { responseTransforms: [{ responseTransformation: bodyT('x') }] } }, r())), {
    decodeBody: false,
    encodeHeaders: false,
    encodeBody: true,
  });
  // The request's own entry decides: this request matches the header-only entry.
  const mixed: StagesConfig = { regular: { requestTransforms: [{ matcher: { prefix: '/body' }, requestTransformation: bodyT('x') }, { requestTransformation: header('x', 'y') }] } };
  assert.equal(hooks(instance(f, mixed, req('/other')))!.decodeBody, false);
  assert.equal(hooks(instance(f, mixed, req('/body')))!.decodeBody, true);
  // Nothing matches: no instance.
  assert.equal(instance(f, { regular: { requestTransforms: [{ matcher: { prefix: '/b' }, requestTransformation: header('x', 'y') }] } }, r()), null);
  // The early stage's filter reads only the early stage.
  assert.equal(instance(factory({ stage: 1 }), { regular: { requestTransforms: [{ requestTransformation: header('x', 'y') }] } }, r()), null);
});

test('the regular stage of a route with early transformations matches after them', () => {
  const f = factory();
  const stages: StagesConfig = {
    early: { requestTransforms: [{ requestTransformation: header(':path', '/body') }] },
    regular: { requestTransforms: [{ matcher: { prefix: '/body' }, requestTransformation: bodyT('x') }, { requestTransformation: header('x-plain', 'y') }] },
  };
  const r = req('/other');
  const inst = instance(f, stages, r)!;
  assert.equal(inst.decodeBody !== undefined, true, 'mixed needs: the body is read in case');
  r.url = '/body';
  const cb = { req: r, res: {} as ServerResponse, route: null } as unknown as FilterCallbacks;
  inst.decodeHeaders!(cb);
  const out = inst.decodeBody!(Buffer.from('{}'), cb);
  assert.equal(out?.toString(), 'x', 'the entry matching the rewritten path applies');
});

test('the filter-level config: Settings defaults and a stage the data plane does not run', () => {
  const f = factory({ escapeCharacters: true });
  const r = req('/', { x: 'a"b' });
  const inst = instance(f, { regular: { requestTransforms: [{ requestTransformation: bodyT('{{ header("x") }}') }] } }, r)!;
  const cb = { req: r, res: {} as ServerResponse, route: null } as unknown as FilterCallbacks;
  inst.decodeHeaders!(cb);
  assert.equal(inst.decodeBody!(Buffer.alloc(0), cb)?.toString(), 'a\\"b');
  const staged = instance(f, { escapeCharacters: false, regular: { requestTransforms: [{ requestTransformation: bodyT('{{ header("x") }}') }] } }, r)!;
  staged.decodeHeaders!(cb);
  assert.equal(staged.decodeBody!(Buffer.alloc(0), cb)?.toString(), 'a"b', 'the stages\' escapeCharacters wins over Settings');
  assert.throws(() => factory({ stage: 3 }), /stage 3 is not served/);
});

test('logRequestResponseInfo logs the request before and after at debug level', () => {
  const entries: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger = { ...silentLogger, debug: (msg: string, fields?: Record<string, unknown>) => entries.push({ msg, fields }) };
  const typed = { '@type': TYPE_URL.typedStruct, type_url: FILTER_TRANSFORMATIONS_TYPE_URL, value: toStruct({}) } as TypedConfig;
  const f = transformationFilterFactory(typed, { stats: createProxyStats(), logger }) as FilterFactory<TransformationPerRoute>;
  const r = req('/p', { 'x-a': '1' });
  const stages: StagesConfig = { regular: { requestTransforms: [{ requestTransformation: { ...header('x-b', '2'), logRequestResponseInfo: true } }] } };
  const inst = instance(f, stages, r)!;
  inst.decodeHeaders!({ req: r, res: {} as ServerResponse, route: null } as unknown as FilterCallbacks);
  assert.deepEqual(
    entries.map((e) => e.msg),
    ['request before transformation', 'request after transformation'],
  );
  assert.deepEqual((entries[1]!.fields!.headers as Record<string, string[]>)['x-b'], ['2']);
  // Off by default: nothing logged.
  entries.length = 0;
  instance(f, { regular: { requestTransforms: [{ requestTransformation: header('x-b', '2') }] } }, r)!.decodeHeaders!({ req: r, res: {} as ServerResponse, route: null } as unknown as FilterCallbacks);
  assert.equal(entries.length, 0);
});
