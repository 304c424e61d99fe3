/**
 * gRPC rules of the data plane: content-type detection, Envoy's HTTP → gRPC status mapping on local
 * replies (trailers-only: HTTP 200, content-type, grpc-status, percent-encoded grpc-message; one
 * HEADERS frame with END_STREAM over HTTP/2; plain replies for other requests), `grpc-timeout` parsing
 * and formatting, retry conditions on gRPC status, and the gRPC-Web filter's header rules.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect as h2connect, createServer as createH2Server, type Http2Server } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { grpcWebFilterFactory, isGrpcWebContentType } from '../../../src/proxy/filters/grpc-web/index.js';
import { FilterStatus, type FilterCallbacks } from '../../../src/proxy/http/filter.js';
import {
  formatGrpcTimeout,
  grpcStatusOfRaw,
  GrpcStatus,
  httpToGrpcStatus,
  isGrpcContentType,
  parseGrpcTimeout,
  percentEncodeGrpcMessage,
} from '../../../src/proxy/http/grpc.js';
import { presentAsHttp1 } from '../../../src/proxy/http/http2-compat.js';
import { NO_HEALTHY_UPSTREAM, sendLocalReply, textBody, UPSTREAM_REQUEST_TIMEOUT, type LocalBody } from '../../../src/proxy/http/local-reply.js';
import { RetryPolicy } from '../../../src/proxy/router/retry-policy.js';

describe('gRPC content types and statuses', () => {
  it('gRPC is application/grpc or application/grpc+subtype; gRPC-Web types are not', () => {
    for (const ct of ['application/grpc', 'application/grpc+proto', 'application/grpc+json']) assert.ok(isGrpcContentType(ct), ct);
    for (const ct of ['application/grpc-web', 'application/grpc-web+proto', 'application/grpcx', 'text/plain', undefined, ['application/grpc']]) {
      assert.ok(!isGrpcContentType(ct as string | undefined), String(ct));
    }
    for (const ct of ['application/grpc-web', 'application/grpc-web+proto', 'application/grpc-web-text', 'application/grpc-web-text+proto']) {
      assert.ok(isGrpcWebContentType(ct), ct);
    }
    for (const ct of ['application/grpc', 'application/grpc-web+json', 'application/grpc-web; charset=utf-8', 'Application/grpc-web', undefined]) {
      assert.ok(!isGrpcWebContentType(ct), String(ct));
    }
  });

  it("maps HTTP statuses as Envoy's httpToGrpcStatus (gRPC's http-grpc-status-mapping)", () => {
    const table: [number, number][] = [
      [400, GrpcStatus.INTERNAL],
      [401, GrpcStatus.UNAUTHENTICATED],
      [403, GrpcStatus.PERMISSION_DENIED],
      [404, GrpcStatus.UNIMPLEMENTED],
      [429, GrpcStatus.UNAVAILABLE],
      [502, GrpcStatus.UNAVAILABLE],
      [503, GrpcStatus.UNAVAILABLE],
      [504, GrpcStatus.UNAVAILABLE],
      [200, GrpcStatus.UNKNOWN],
      [408, GrpcStatus.UNKNOWN],
      [413, GrpcStatus.UNKNOWN],
      [500, GrpcStatus.UNKNOWN],
    ];
    for (const [http, grpc] of table) assert.equal(httpToGrpcStatus(http), grpc, String(http));
  });

  it('grpc-timeout: 1–8 digits and a unit; sub-millisecond values round up; malformed is null', () => {
    assert.equal(parseGrpcTimeout('1H'), 3_600_000);
    assert.equal(parseGrpcTimeout('2M'), 120_000);
    assert.equal(parseGrpcTimeout('3S'), 3000);
    assert.equal(parseGrpcTimeout('250m'), 250);
    assert.equal(parseGrpcTimeout('1500u'), 2);
    assert.equal(parseGrpcTimeout('1n'), 1);
    assert.equal(parseGrpcTimeout('0m'), 0);
    assert.equal(parseGrpcTimeout('99999999S'), 99_999_999_000);
    for (const bad of [undefined, '', 'm', '100', '123456789m', '1x', '-1m', '1.5S', ' 1m']) assert.equal(parseGrpcTimeout(bad), null, String(bad));
    assert.equal(formatGrpcTimeout(400), '400m');
    assert.equal(formatGrpcTimeout(0), '0m');
    assert.equal(formatGrpcTimeout(100_000_000), '100000S');
    assert.equal(parseGrpcTimeout(formatGrpcTimeout(123_456_789_000)), 123_456_780_000);
  });

  it('percent-encodes grpc-message bytes outside 0x20–0x7E and %', () => {
    assert.equal(percentEncodeGrpcMessage('upstream request timeout'), 'upstream request timeout');
    assert.equal(percentEncodeGrpcMessage('50% off\n'), '50%25 off%0A');
    assert.equal(percentEncodeGrpcMessage('héllo'), 'h%C3%A9llo');
  });

  it('reads grpc-status from raw response headers', () => {
    assert.equal(grpcStatusOfRaw([Buffer.from('content-type'), Buffer.from('application/grpc'), Buffer.from('grpc-status'), Buffer.from('14')]), 14);
    assert.equal(grpcStatusOfRaw(['Grpc-Status', '0']), 0);
    assert.equal(grpcStatusOfRaw(['grpc-message', 'x']), -1);
    assert.equal(grpcStatusOfRaw(['grpc-status', 'abc']), -1);
  });
});

describe('retry conditions on gRPC status', () => {
  it('cancelled, deadline-exceeded, internal, resource-exhausted, unavailable (alone they make a policy)', () => {
    const table: [string, number][] = [
      ['cancelled', 1],
      ['deadline-exceeded', 4],
      ['resource-exhausted', 8],
      ['internal', 13],
      ['unavailable', 14],
    ];
    for (const [on, code] of table) {
      const p = RetryPolicy.compile({ retry_on: on, num_retries: { value: 2 } })!;
      assert.ok(p !== null, on);
      assert.ok(p.retriesGrpc, on);
      assert.ok(p.retriesGrpcStatus(code), `${on} retries ${code}`);
      for (const [, other] of table) if (other !== code) assert.ok(!p.retriesGrpcStatus(other), `${on} does not retry ${other}`);
      assert.ok(!p.retriesGrpcStatus(-1) && !p.retriesGrpcStatus(0) && !p.retriesGrpcStatus(2));
      // gRPC conditions do not retry HTTP statuses or resets.
      assert.ok(!p.retriesStatus(503));
      assert.ok(!p.retriesFailure(1 /* Reset */));
    }
  });

  it('combine with HTTP conditions', () => {
    const p = RetryPolicy.compile({ retry_on: '5xx,unavailable, cancelled' })!;
    assert.ok(p.retriesStatus(503));
    assert.ok(p.retriesGrpcStatus(14) && p.retriesGrpcStatus(1) && !p.retriesGrpcStatus(13));
    assert.ok(!RetryPolicy.compile({ retry_on: '5xx' })!.retriesGrpc);
  });
});

/** A server that answers every request with `reply(req, res)`; HTTP/1.1 or h2c. */
async function replyServer(reply: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ http: Server; h2: Http2Server; httpPort: number; h2Port: number }> {
  const http = createServer(reply);
  const h2 = createH2Server((req, res) => {
    presentAsHttp1(req);
    reply(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
  return { http, h2, httpPort: (http.address() as { port: number }).port, h2Port: (h2.address() as { port: number }).port };
}

describe('local replies to gRPC requests', () => {
  let s: Awaited<ReturnType<typeof replyServer>>;
  const bodies: Record<string, [number, LocalBody | null, number?]> = {
    '/no-route': [404, null],
    '/no-healthy': [503, NO_HEALTHY_UPSTREAM],
    '/timeout': [504, UPSTREAM_REQUEST_TIMEOUT],
    '/limited': [429, textBody('Too Many Requests\n')],
    '/odd': [403, textBody('100% nö')],
    '/deadline': [504, textBody('downstream duration timeout'), GrpcStatus.DEADLINE_EXCEEDED],
  };

  before(async () => {
    s = await replyServer((req, res) => {
      const [status, body, grpc] = bodies[req.url ?? ''] ?? [500, null];
      sendLocalReply(res, status, body, null, req.url === '/no-healthy' ? ['x-extra', '1'] : null, grpc);
    });
  });

  after(() => {
    s.http.close();
    s.h2.close();
  });

  it('HTTP/1.1: 200, application/grpc, the mapped grpc-status, the body as grpc-message, no body', async () => {
    const call = async (path: string, ct = 'application/grpc') => {
      const res = await request(`http://127.0.0.1:${s.httpPort}${path}`, { method: 'POST', headers: { 'content-type': ct } });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    };
    const cases: [string, string, string | undefined][] = [
      ['/no-route', '12', undefined],
      ['/no-healthy', '14', 'no healthy upstream'],
      ['/timeout', '14', 'upstream request timeout'],
      ['/limited', '14', 'Too Many Requests'],
      ['/odd', '7', '100%25 n%C3%B6'],
      ['/deadline', '4', 'downstream duration timeout'],
    ];
    for (const [path, code, message] of cases) {
      const r = await call(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], 'application/grpc', path);
      assert.equal(r.headers['grpc-status'], code, path);
      assert.equal(r.headers['grpc-message'], message, path);
      assert.equal(r.headers['content-length'], '0', path);
      assert.equal(r.body, '', path);
    }
    assert.equal((await call('/no-healthy')).headers['x-extra'], '1');
    // application/grpc+proto is gRPC too; other requests get the plain reply.
    assert.equal((await call('/no-healthy', 'application/grpc+proto')).headers['grpc-status'], '14');
    const plain = await call('/no-healthy', 'application/json');
    assert.equal(plain.status, 503);
    assert.equal(plain.body, 'no healthy upstream');
    assert.equal(plain.headers['grpc-status'], undefined);
  });

  it('HTTP/2: the whole reply is one HEADERS frame with END_STREAM (trailers-only)', async () => {
    const session = h2connect(`http://127.0.0.1:${s.h2Port}`);
    try {
      const r = await new Promise<{ headers: Record<string, unknown>; endStream: boolean; data: number }>((resolve, reject) => {
        const st = session.request({ ':method': 'POST', ':path': '/no-healthy', 'content-type': 'application/grpc' });
        let headers: Record<string, unknown> = {};
        let endStream = false;
        let data = 0;
        st.on('response', (h, flags) => {
          headers = h;
          endStream = (flags & 1) === 1;
        });
        st.on('data', (c: Buffer) => (data += c.length));
        st.on('end', () => resolve({ headers, endStream, data }));
        st.on('error', reject);
        st.end();
      });
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.headers['grpc-status'], '14');
      assert.equal(r.headers['grpc-message'], 'no healthy upstream');
      assert.equal(r.headers['content-length'], undefined);
      assert.equal(r.endStream, true);
      assert.equal(r.data, 0);
    } finally {
      session.close();
    }
  });
});

describe('gRPC-Web filter headers', () => {
  const f = grpcWebFilterFactory();
  const cbFor = (headers: Record<string, string>) => ({ req: { headers: { ...headers } } }) as unknown as FilterCallbacks;
  /** An instance whose decodeHeaders ran (the request was converted). */
  const converted = (headers: Record<string, string>) => {
    const cb = cbFor(headers);
    const i = f.create(undefined, cb)!;
    i.decodeHeaders!(cb);
    return i;
  };

  it('applies only to gRPC-Web requests', () => {
    assert.equal(f.create(undefined, cbFor({ 'content-type': 'application/json' })), null);
    assert.equal(f.appliesTo!({ headers: { 'content-type': 'application/grpc' } } as IncomingMessage), false);
    assert.equal(f.appliesTo!({ headers: { 'content-type': 'application/grpc-web+proto' } } as IncomingMessage), true);
  });

  it('converts the request headers; text requests decode their body, binary ones do not', () => {
    const cb = cbFor({ 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text', 'content-length': '8' });
    const text = f.create(undefined, cb)!;
    assert.equal(text.decodeHeaders!(cb), FilterStatus.Continue);
    const h = cb.req.headers;
    assert.equal(h['content-type'], 'application/grpc');
    assert.equal(h['content-length'], undefined);
    assert.equal(h['transfer-encoding'], 'chunked');
    assert.equal(h.te, 'trailers');
    assert.equal(h['grpc-accept-encoding'], 'identity,deflate,gzip');
    assert.equal(text.decodeData!(Buffer.from('YWJjZA'), false)?.toString(), 'abc');
    assert.equal(text.decodeData!(Buffer.from('=='), true)?.toString(), 'd');
    const bcb = cbFor({ 'content-type': 'application/grpc-web', 'grpc-accept-encoding': 'gzip' });
    const binary = f.create(undefined, bcb)!;
    binary.decodeHeaders!(bcb);
    assert.equal(binary.decodeData, undefined);
    assert.equal(bcb.req.headers['grpc-accept-encoding'], 'gzip');
  });

  it('responses: gRPC passes with a new content-type; a non-gRPC one is held and becomes grpc-status/grpc-message', () => {
    const grpcOk = converted({ 'content-type': 'application/grpc-web' });
    const list = ['content-type', 'application/grpc+proto', 'content-length', '10'];
    assert.equal(grpcOk.encodeHeaders!(200, list), FilterStatus.Continue);
    assert.deepEqual(list, ['content-type', 'application/grpc-web+proto']);
    assert.deepEqual(grpcOk.encodeData!(Buffer.from('xy'), false), Buffer.from('xy'));
    const t = { 'grpc-status': '0', 'x-a': 'b' };
    const frame = grpcOk.encodeTrailers!(t)!;
    assert.deepEqual(t, {});
    assert.equal(frame.subarray(5).toString(), 'grpc-status:0\r\nx-a:b\r\n');

    const plain = converted({ 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text' });
    const held = ['content-type', 'text/html', 'content-length', '5'];
    assert.equal(plain.encodeHeaders!(502, held), FilterStatus.StopIteration);
    assert.equal(plain.encodeData!(Buffer.from('bad '), false), null);
    assert.equal(plain.encodeData!(Buffer.from('gateway'), true), null);
    assert.deepEqual(held, ['content-type', 'application/grpc-web-text+proto', 'grpc-message', 'bad gateway', 'grpc-status', '14', 'content-length', '0']);

    // Trailers-only (the status in headers, end of stream) passes as it is.
    const only = converted({ 'content-type': 'application/grpc-web' });
    const tl = ['grpc-status', '5'];
    assert.equal(only.encodeHeaders!(200, tl, true), FilterStatus.Continue);
    assert.deepEqual(tl, ['grpc-status', '5', 'content-type', 'application/grpc-web+proto']);

    // A reply sent before the filter converted the request (an earlier filter's local reply) passes untouched.
    const early = f.create(undefined, cbFor({ 'content-type': 'application/grpc-web' }))!;
    const el = ['content-type', 'text/plain', 'content-length', '18'];
    assert.equal(early.encodeHeaders!(503, el), FilterStatus.Continue);
    assert.deepEqual(el, ['content-type', 'text/plain', 'content-length', '18']);
    assert.deepEqual(early.encodeData!(Buffer.from('fault filter abort'), true), Buffer.from('fault filter abort'));
    assert.equal(early.encodeTrailers!({ a: '1' }), null);
  });

  it('text responses: each whole frame base64-encoded on its own', () => {
    const text = converted({ 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text+proto' });
    text.encodeHeaders!(200, ['content-type', 'application/grpc']);
    const frame = Buffer.from([0, 0, 0, 0, 2, 0x61, 0x62]);
    assert.equal(text.encodeData!(frame.subarray(0, 3), false), null);
    assert.equal(text.encodeData!(frame.subarray(3), false)?.toString(), frame.toString('base64'));
    const two = Buffer.concat([frame, frame]);
    assert.equal(text.encodeData!(two, false)?.toString(), frame.toString('base64') + frame.toString('base64'));
    assert.equal(text.encodeTrailers!({ 'grpc-status': '0' })?.toString(), Buffer.from([0x80, 0, 0, 0, 15, ...Buffer.from('grpc-status:0\r\n')]).toString('base64'));
  });
});
