/**
 * gRPC-Web through `gloo run` (the grpc_web filter is on by default in Gloo): gRPC-Web requests built
 * by hand with undici (binary and base64 text mode, the text body sent in odd-sized chunks) reach a real
 * grpc-js server as gRPC, and the responses come back as gRPC-Web — messages, then the trailer frame
 * (flag 0x80) with grpc-status and trailing metadata; server streaming arrives message by message
 * (binary and text). Also: trailers-only answers keep the status in headers; a non-gRPC answer becomes
 * grpc-status/grpc-message headers; invalid base64 is refused; a CORS preflight and plain HTTP pass
 * untouched; `grpcWeb.disable` turns the conversion off; an HTTP/2 (h2c) gRPC-Web client works too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect as h2connect } from 'node:http2';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { Base64StreamDecoder, GrpcFrameParser, messageFrame, parseTrailerBlock, TRAILER_FLAG } from '../../src/proxy/filters/grpc-web/codec.js';
import { getFreePorts, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { demoPackage, startDemoServer, type DemoServer, type Msg, type StreamRequest } from '../fixtures/grpc/demo-service.js';

const T = { timeout: 30_000 };

const service = () => demoPackage().demo.Streamer.service;
const encodeMsg = (m: Partial<Msg>) => service().Unary!.requestSerialize({ text: '', blob: Buffer.alloc(0), seq: 0, ...m });
const decodeMsg = (b: Buffer) => service().Unary!.responseDeserialize(b) as Msg;
const encodeStreamRequest = (r: Partial<StreamRequest>) => service().ServerStream!.requestSerialize({ count: 0, text: '', size: 0, ...r });

interface WebResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  messages: Msg[];
  trailers: Record<string, string> | null;
  httpTrailers: Record<string, unknown>;
  raw: Buffer;
}

/** Decodes gRPC-Web response frames from chunks as they arrive (base64 first in text mode). */
class WebDecoder {
  private readonly frames = new GrpcFrameParser();
  private readonly b64: Base64StreamDecoder | null;
  messages: Msg[] = [];
  trailers: Record<string, string> | null = null;
  constructor(text: boolean) {
    this.b64 = text ? new Base64StreamDecoder() : null;
  }
  push(chunk: Buffer): void {
    const bytes = this.b64 === null ? chunk : this.b64.push(chunk, false);
    if (bytes === null) return;
    for (const f of this.frames.push(bytes)) {
      const payload = f.subarray(5);
      if (f[0]! & TRAILER_FLAG) this.trailers = parseTrailerBlock(payload);
      else this.messages.push(decodeMsg(payload));
    }
  }
}

let gloo: GlooProcess;
let demo: DemoServer;
let echo: UpstreamServer;
let port: number;
let offPort: number;
const agent = new Agent({ connections: 4 });

async function* chunks(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

/** A gRPC-Web call over HTTP/1.1 (as browsers make them). */
async function webCall(
  path: string,
  body: Buffer,
  opts: { text?: boolean; acceptText?: boolean; chunkSize?: number; gatewayPort?: number; headers?: Record<string, string> } = {},
): Promise<WebResponse> {
  const text = opts.text ?? false;
  const acceptText = opts.acceptText ?? text;
  const wire = text ? Buffer.from(body.toString('base64'), 'latin1') : body;
  const res = await request(`http://127.0.0.1:${opts.gatewayPort ?? port}${path}`, {
    dispatcher: agent,
    method: 'POST',
    headers: {
      'content-type': text ? 'application/grpc-web-text' : 'application/grpc-web+proto',
      accept: acceptText ? 'application/grpc-web-text' : 'application/grpc-web+proto',
      'x-grpc-web': '1',
      ...(opts.headers ?? {}),
    },
    body: opts.chunkSize === undefined ? wire : Readable.from(chunks(wire, opts.chunkSize)),
  });
  const raw: Buffer[] = [];
  const d = new WebDecoder(acceptText);
  for await (const c of res.body) {
    raw.push(c as Buffer);
    d.push(c as Buffer);
  }
  return { status: res.statusCode, headers: res.headers, messages: d.messages, trailers: d.trailers, httpTrailers: res.trailers, raw: Buffer.concat(raw) };
}

/** The grpc-message of a non-gRPC answer, percent-decoded and parsed (the echo upstream's JSON). */
function echoed(r: WebResponse): EchoResponse {
  return JSON.parse(decodeURIComponent(String(r.headers['grpc-message']))) as EchoResponse;
}

before(async () => {
  demo = await startDemoServer();
  echo = await UpstreamServer.start('plain');
  [port, offPort] = await getFreePorts(2);
  const dir = makeConfigDir('gloo-grpc-web-');
  writeConfig(
    dir,
    'gateways.yaml',
    `${yaml.gateway('gw', port)}---\n${yaml.gateway('gw-off', offPort).replace('  httpGateway: {}\n', '  httpGateway:\n    options:\n      grpcWeb: {disable: true}\n')}`,
  );
  writeConfig(dir, 'upstreams.yaml', `${yaml.staticUpstream('demo', demo.port)}  useHttp2: true\n---\n${yaml.staticUpstream('plain', echo.port)}`);
  writeConfig(
    dir,
    'vs.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: web, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{prefix: /demo.Streamer/}]
      routeAction: {single: {upstream: {name: demo, namespace: gloo-system}}}
    - matchers: [{prefix: /plain/}]
      routeAction: {single: {upstream: {name: plain, namespace: gloo-system}}}
`,
  );
  gloo = await startGloo(dir);
  await waitFor('the gateway', async () => (await webCall('/demo.Streamer/Unary', messageFrame(encodeMsg({ text: 'ready' })))).status === 200);
});

after(async () => {
  await agent.close();
  await gloo?.stop();
  await demo?.close();
  await echo?.close();
});

describe('gRPC-Web through gloo run', () => {
  it('binary unary: the message frame, then the trailer frame with grpc-status and trailing metadata', T, async () => {
    const r = await webCall('/demo.Streamer/Unary', messageFrame(encodeMsg({ text: 'hi', blob: Buffer.from('xyz') })));
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/grpc-web+proto');
    assert.equal(r.headers['x-header'], 'hv');
    assert.equal(r.headers['content-length'], undefined);
    assert.deepEqual(r.messages.map((m) => [m.text, m.seq]), [['echo:hi', 3]]);
    assert.equal(r.trailers?.['grpc-status'], '0');
    assert.equal(r.trailers?.['x-trailer'], 'tv');
    // The trailers travel in the body, not as HTTP trailers.
    assert.deepEqual(r.httpTrailers, {});
    // Exactly two frames: the message, then the trailer frame.
    const frames = new GrpcFrameParser().push(r.raw);
    assert.deepEqual(frames.map((f) => f[0]), [0, TRAILER_FLAG]);
  });

  it('a trailers-only answer (an error before any message) keeps its status in the headers', T, async () => {
    const r = await webCall('/demo.Streamer/Unary', messageFrame(encodeMsg({ text: 'fail:5:not here' })));
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/grpc-web+proto');
    assert.equal(r.headers['grpc-status'], '5');
    // grpc-js percent-encodes the space.
    assert.equal(decodeURIComponent(String(r.headers['grpc-message'])), 'not here');
    assert.equal(r.headers['x-trailer'], 'tv');
    assert.equal(r.raw.length, 0);
  });

  it('text mode: a base64 request sent in odd-sized chunks, a base64 response', T, async () => {
    const r = await webCall('/demo.Streamer/Unary', messageFrame(encodeMsg({ text: 'in text', blob: Buffer.alloc(1000, 7) })), { text: true, chunkSize: 7 });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/grpc-web-text+proto');
    assert.match(r.raw.toString('latin1'), /^[A-Za-z0-9+/=]+$/);
    assert.deepEqual(r.messages.map((m) => [m.text, m.seq]), [['echo:in text', 1000]]);
    assert.equal(r.trailers?.['grpc-status'], '0');
  });

  it('binary server streaming: frames arrive before the server ends the stream', T, async () => {
    await streamIncrementally(false);
  });

  it('text server streaming: frames arrive before the server ends the stream', T, async () => {
    await streamIncrementally(true);
  });

  async function streamIncrementally(text: boolean): Promise<void> {
    const gate = `gated-web-${text ? 'text' : 'binary'}`;
    const res = await request(`http://127.0.0.1:${port}/demo.Streamer/ServerStream`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': text ? 'application/grpc-web-text' : 'application/grpc-web+proto', accept: text ? 'application/grpc-web-text' : '*/*' },
      body: text ? messageFrame(encodeStreamRequest({ count: 3, text: gate, size: 50 })).toString('base64') : messageFrame(encodeStreamRequest({ count: 3, text: gate, size: 50 })),
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], text ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto');
    const d = new WebDecoder(text);
    const it = res.body[Symbol.asyncIterator]();
    while (d.messages.length === 0) {
      const n = await it.next();
      assert.ok(!n.done, 'the stream ended before its first message');
      d.push(n.value as Buffer);
    }
    assert.equal(d.messages[0]!.text, `${gate}#0`);
    // The server is still waiting on the gate the test holds.
    assert.ok(!demo.events.includes(`ended:${gate}`));
    assert.equal(d.trailers, null);
    demo.release(gate);
    for (let n = await it.next(); !n.done; n = await it.next()) d.push(n.value as Buffer);
    assert.deepEqual(d.messages.map((m) => m.text), [`${gate}#0`, `${gate}#1`, `${gate}#2`]);
    assert.equal(d.trailers?.['grpc-status'], '0');
    assert.equal(d.trailers?.['x-trailer'], 'tv');
  }

  it('a status after messages is in the trailer frame', T, async () => {
    const r = await webCall('/demo.Streamer/ServerStream', messageFrame(encodeStreamRequest({ text: 'fail-after', size: 3 })), { acceptText: true });
    assert.equal(r.messages.length, 1);
    assert.equal(r.trailers?.['grpc-status'], '9');
    assert.equal(decodeURIComponent(String(r.trailers?.['grpc-message'])), 'after one');
  });

  it('the request reaches the upstream as gRPC: content-type, te, grpc-accept-encoding, decoded body, no content-length', T, async () => {
    const frame = messageFrame(encodeMsg({ text: 'seen upstream', blob: Buffer.alloc(300, 1) }));
    const r = await webCall('/plain/upstream', frame, { text: true, chunkSize: 5 });
    // The echo upstream answers JSON, not gRPC: the answer becomes grpc-status / grpc-message headers.
    assert.equal(r.status, 200);
    assert.equal(r.headers['grpc-status'], '2');
    assert.equal(r.headers['content-length'], '0');
    assert.equal(r.raw.length, 0);
    const e = echoed(r);
    assert.equal(e.method, 'POST');
    assert.equal(e.headers['content-type'], 'application/grpc');
    assert.equal(e.headers.te, 'trailers');
    assert.equal(e.headers['grpc-accept-encoding'], 'identity,deflate,gzip');
    assert.equal(e.headers['content-length'], undefined);
    assert.equal(e.bodyLength, frame.length);
    assert.equal(e.bodySha256, createHash('sha256').update(frame).digest('hex'));
  });

  it('a non-gRPC error answer keeps its HTTP status and gets the mapped grpc-status', T, async () => {
    const r = await webCall('/plain/x', messageFrame(encodeMsg({ text: 'x' })), { headers: { 'x-upstream-status': '503' } });
    assert.equal(r.status, 503);
    assert.equal(r.headers['grpc-status'], '14');
    assert.equal(echoed(r).url, '/plain/x');
  });

  it('no route: a trailers-only UNIMPLEMENTED answer', T, async () => {
    const r = await webCall('/nope.Service/Call', messageFrame(encodeMsg({ text: 'x' })));
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/grpc-web+proto');
    assert.equal(r.headers['grpc-status'], '12');
    assert.equal(r.raw.length, 0);
  });

  it('invalid base64 in a text request is refused (INTERNAL, Envoy\'s message)', T, async () => {
    for (const bad of ['!!!!AAAA', 'AAAAA']) {
      const res = await request(`http://127.0.0.1:${port}/demo.Streamer/Unary`, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text' },
        body: bad,
      });
      await res.body.dump();
      assert.equal(res.statusCode, 200, bad);
      assert.equal(res.headers['grpc-status'], '13', bad);
      assert.equal(res.headers['grpc-message'], 'Bad gRPC-web request, invalid base64 data.', bad);
      assert.equal(res.headers['content-type'], 'application/grpc-web-text+proto', bad);
    }
  });

  it('a CORS preflight and plain HTTP requests pass through untouched', T, async () => {
    const pre = await request(`http://127.0.0.1:${port}/plain/svc`, {
      dispatcher: agent,
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-grpc-web' },
    });
    const e = (await pre.body.json()) as EchoResponse;
    assert.equal(pre.statusCode, 200);
    assert.equal(pre.headers['content-type'], 'application/json');
    assert.equal(e.method, 'OPTIONS');
    assert.equal(e.headers['access-control-request-headers'], 'content-type,x-grpc-web');
    assert.equal(e.headers.te, undefined);
    const plain = await request(`http://127.0.0.1:${port}/plain/json`, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    const p = (await plain.body.json()) as EchoResponse;
    assert.equal(p.headers['content-type'], 'application/json');
    assert.equal(p.headers['content-length'], '7');
    assert.equal(p.body, '{"a":1}');
  });

  it('grpcWeb.disable: the request passes unconverted', T, async () => {
    await waitFor('the second gateway', async () => (await request(`http://127.0.0.1:${offPort}/plain/`, { dispatcher: agent }).then((r) => r.body.dump().then(() => r.statusCode))) === 200);
    const frame = messageFrame(encodeMsg({ text: 'x' }));
    const res = await request(`http://127.0.0.1:${offPort}/plain/off`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto' },
      body: frame,
    });
    const e = (await res.body.json()) as EchoResponse;
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(e.headers['content-type'], 'application/grpc-web+proto');
    assert.equal(e.headers['content-length'], String(frame.length));
  });

  it('an HTTP/2 (h2c) gRPC-Web client, binary and text: frames in DATA, no HTTP trailers; trailers-only in one HEADERS frame', T, async () => {
    const session = h2connect(`http://127.0.0.1:${port}`);
    const call = (text: string, mode: 'binary' | 'text' = 'binary') =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer; trailers: Record<string, unknown> | null; endedWithHeaders: boolean }>((resolve, reject) => {
        const ct = mode === 'text' ? 'application/grpc-web-text' : 'application/grpc-web+proto';
        const s = session.request({ ':method': 'POST', ':path': '/demo.Streamer/Unary', 'content-type': ct, accept: ct });
        let headers: Record<string, unknown> = {};
        let trailers: Record<string, unknown> | null = null;
        let endedWithHeaders = false;
        const body: Buffer[] = [];
        s.on('response', (h, flags) => {
          headers = h;
          endedWithHeaders = (flags & 1) === 1; // END_STREAM on the HEADERS frame
        });
        s.on('trailers', (t) => (trailers = t));
        s.on('data', (c: Buffer) => body.push(c));
        s.on('end', () => resolve({ headers, body: Buffer.concat(body), trailers, endedWithHeaders }));
        s.on('error', reject);
        const frame = messageFrame(encodeMsg({ text }));
        s.end(mode === 'text' ? frame.toString('base64') : frame);
      });
    try {
      const ok = await call('over h2');
      assert.equal(ok.headers['content-type'], 'application/grpc-web+proto');
      assert.equal(ok.trailers, null);
      const d = new WebDecoder(false);
      d.push(ok.body);
      assert.equal(d.messages[0]?.text, 'echo:over h2');
      assert.equal(d.trailers?.['grpc-status'], '0');
      // Text mode: each frame base64-encoded once, the trailer frame last.
      const text = await call('h2 text', 'text');
      assert.equal(text.headers['content-type'], 'application/grpc-web-text+proto');
      const td = new WebDecoder(true);
      td.push(text.body);
      assert.deepEqual(td.messages.map((m) => m.text), ['echo:h2 text']);
      assert.equal(td.trailers?.['grpc-status'], '0');
      const failed = await call('fail:7:no');
      assert.equal(failed.headers['grpc-status'], '7');
      assert.equal(failed.headers['content-type'], 'application/grpc-web+proto');
      assert.equal(failed.body.length, 0);
      assert.equal(failed.endedWithHeaders, true);
    } finally {
      session.close();
    }
  });
});
