/**
 * The streaming HTTP filter hooks (filter.ts `decodeData`, `encodeData`, `encodeTrailers`, headers
 * held by an encodeHeaders StopIteration), end to end through a real gateway-proxy and upstream with a
 * probe filter registered for this test: request and response bodies are transformed chunk by chunk
 * without being buffered (a chunk comes back before the client sends the next), trailers become body
 * bytes, a decoder can answer locally mid-body (the upstream request is cancelled), held headers carry
 * edits made at the end, and the hooks compose with whole-body filters (buffer, decodeBody/encodeBody).
 */
import assert from 'node:assert/strict';
import { connect as h2connect } from 'node:http2';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { registerHttpFilter } from '../../src/proxy/http/filter-chain.js';
import { FilterStatus, type BufferedResponse, type FilterCallbacks, type StreamFilter } from '../../src/proxy/http/filter.js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { hcm, hcmListener, loadAssignment, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const STREAM_PROBE = 'test.stream-probe';
const WHOLE_PROBE = 'test.whole-body-probe';
const T = { timeout: 20_000 };

/**
 * Upper-cases request body chunks (answers 422 on `reject`); wraps each response chunk in `[…]` and ends
 * with `<end>`; turns trailers into `<trailers k=v>`. With `x-probe-hold`, holds the response headers
 * and adds `x-probe-total` (bytes seen) at the end.
 */
class StreamProbe implements StreamFilter {
  private total = 0;
  private held: string[] | null = null;
  constructor(private readonly cb: FilterCallbacks) {}

  decodeData(chunk: Buffer, end: boolean): Buffer | null {
    const text = chunk.toString('latin1');
    if (text.includes('reject')) {
      this.cb.sendLocalReply(422, { body: Buffer.from('rejected mid-body'), headers: ['content-type', 'text/plain'] });
      return null;
    }
    return end && chunk.length === 0 ? Buffer.from('!') : Buffer.from(text.toUpperCase(), 'latin1');
  }

  encodeHeaders(_status: number, headers: string[]): FilterStatus {
    headers.push('x-stream-probe', 'yes');
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i]!.toLowerCase() === 'content-length') {
        headers.splice(i, 2);
        break;
      }
    }
    if (this.cb.req.headers['x-probe-hold'] === undefined) return FilterStatus.Continue;
    this.held = headers;
    return FilterStatus.StopIteration;
  }

  encodeData(chunk: Buffer, end: boolean): Buffer | null {
    this.total += chunk.length;
    if (this.held !== null) {
      // Holding: nothing goes out until the end.
      if (!end) return null;
      this.held.push('x-probe-total', String(this.total));
      this.held = null;
      return Buffer.from(`[held ${this.total}]<end>`);
    }
    const out = chunk.length === 0 ? '' : `[${chunk.toString('latin1')}]`;
    return Buffer.from(end ? `${out}<end>` : out, 'latin1');
  }

  encodeTrailers(trailers: Record<string, string | string[]>): Buffer | null {
    const parts = Object.entries(trailers).map(([k, v]) => `${k}=${String(v)}`);
    for (const k in trailers) delete trailers[k];
    return Buffer.from(`<trailers ${parts.join(' ')}>`);
  }
}

/** A whole-body filter on the same chain: reverses the response body, tags the request. */
class WholeProbe implements StreamFilter {
  decodeBody(body: Buffer): Buffer {
    return Buffer.concat([body, Buffer.from('+whole')]);
  }
  encodeBody(r: BufferedResponse): void {
    r.body = Buffer.from([...r.body.toString('latin1')].reverse().join(''), 'latin1');
  }
}

registerHttpFilter(STREAM_PROBE, () => ({ name: STREAM_PROBE, encodes: true, create: (_p, cb) => new StreamProbe(cb) }));
registerHttpFilter(WHOLE_PROBE, () => ({ name: WHOLE_PROBE, encodes: true, create: () => new WholeProbe() }));

const router = { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } };
const filter = (name: string) => ({ name, typed_config: { '@type': `type.googleapis.com/test.${name}` } });

describe('streaming filter hooks (e2e)', () => {
  let h: ProxyHarness;
  let up: UpstreamServer;
  let streamBase: string;
  let bufferedBase: string;
  let wholeBase: string;
  let bufferOnlyBase: string;
  let loggedBase: string;
  const logDir = mkdtempSync(join(tmpdir(), 'gloo-stream-al-'));

  before(async () => {
    up = await UpstreamServer.start('stream-filters');
    const [p1, p2, p3, p4, p5] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    bufferOnlyBase = `http://127.0.0.1:${p4}`;
    loggedBase = `http://127.0.0.1:${p5}`;
    streamBase = `http://127.0.0.1:${p1}`;
    bufferedBase = `http://127.0.0.1:${p2}`;
    wholeBase = `http://127.0.0.1:${p3}`;
    h = new ProxyHarness();
    const buffer = { name: 'envoy.filters.http.buffer', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer', max_request_bytes: { value: 10_000 } } as never };
    await h.push(
      snapshot('1', {
        listeners: [
          hcmListener('stream', p1, hcm('routes', { http_filters: [filter(STREAM_PROBE), router] })),
          // The streaming decoder runs before a filter that reads the body whole.
          hcmListener('buffered', p2, hcm('routes', { http_filters: [filter(STREAM_PROBE), buffer, router] })),
          hcmListener('whole', p3, hcm('routes', { http_filters: [filter(STREAM_PROBE), filter(WHOLE_PROBE), router] })),
          hcmListener('buffer-only', p4, hcm('routes', { http_filters: [filter(WHOLE_PROBE), router] })),
          hcmListener(
            'logged',
            p5,
            hcm('direct', {
              access_log: [
                {
                  name: 'envoy.access_loggers.file',
                  typed_config: { '@type': TYPE_URL.fileAccessLog, path: join(logDir, 'bytes.log'), log_format: { text_format_source: { inline_string: '%PROTOCOL% %BYTES_SENT%\n' } } },
                },
              ],
            }),
          ),
        ],
        clusters: [staticCluster('up', [{ address: '127.0.0.1', port: up.port }])],
        endpoints: [loadAssignment('up', [{ address: '127.0.0.1', port: up.port }])],
        routes: [
          routeConfig('direct', [vhost('direct', ['*'], [{ match: { prefix: '/' }, direct_response: { status: 200, body: { inline_string: 'hello' } } }])]),
          routeConfig('routes', [vhost('main', ['*'], [prefixRoute('/', 'up', { match: { prefix: '/', headers: [{ name: 'x-no-route', present_match: false }] } })])]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await up.close();
  });

  it('request and response bodies stream through the hooks chunk by chunk (a chunk returns before the next is sent)', T, async () => {
    const body = new PassThrough();
    const res = await (async () => {
      body.write('first ');
      return request(`${streamBase}/echo`, { dispatcher: h.agent, method: 'POST', headers: { 'x-upstream-echo': 'raw' }, body });
    })();
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-stream-probe'], 'yes');
    const it = res.body[Symbol.asyncIterator]();
    let got = '';
    while (!got.includes('FIRST ')) got += String((await it.next()).value);
    body.end('second');
    for (let n = await it.next(); !n.done; n = await it.next()) got += String(n.value);
    // Decoded upper case; every response chunk wrapped; the decoder's end marker `!` went upstream last.
    assert.equal(got.replace(/\]\[/g, ''), '[FIRST SECOND!]<end>');
    assert.ok(got.startsWith('[FIRST ]'), got);
  });

  it('trailers become body bytes and are not sent as trailers', T, async () => {
    const res = await request(`${streamBase}/t`, { dispatcher: h.agent, headers: { 'x-upstream-trailers': 'grpc-status=0,x-t=1' } });
    const text = await res.body.text();
    assert.match(text, /<trailers grpc-status=0 x-t=1>$/);
    assert.deepEqual(res.trailers, {});
  });

  it('a decoder answers locally mid-body: the client gets its reply and the upstream request is cancelled', T, async () => {
    const aborted = up.aborted;
    const body = new PassThrough();
    body.write('fine so far ');
    const pending = request(`${streamBase}/slow`, { dispatcher: h.agent, method: 'POST', headers: { 'x-upstream-hang': '1' }, body });
    await new Promise((r) => setTimeout(r, 100));
    body.end('now reject');
    const res = await pending;
    assert.equal(res.statusCode, 422);
    // The local reply goes through the encode hooks too.
    assert.equal(await res.body.text(), '[rejected mid-body]<end>');
    const deadline = Date.now() + 10_000;
    while (up.aborted === aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(up.aborted > aborted, 'the upstream request was cancelled');
  });

  it('held headers go out at the end with the edits made there', T, async () => {
    const res = await request(`${streamBase}/held`, { dispatcher: h.agent, headers: { 'x-probe-hold': '1' } });
    const text = await res.body.text();
    const len = Number(res.headers['x-probe-total']);
    assert.ok(len > 0);
    assert.equal(text, `[held ${len}]<end>`);
    assert.equal(res.headers['x-stream-probe'], 'yes');
  });

  it('a whole-body filter after a streaming decoder gets the decoded body', T, async () => {
    const r = await h.get(`${bufferedBase}/b`, { method: 'POST', body: 'decoded then buffered' });
    const echo = JSON.parse(r.text.slice(1, r.text.lastIndexOf(']<end>')).replace(/\]\[/g, '')) as EchoResponse;
    assert.equal(echo.body, 'DECODED THEN BUFFERED!');
    assert.equal(echo.headers['content-length'], String('DECODED THEN BUFFERED!'.length));
  });

  it('with a response-buffering filter, the streaming hooks get the whole body once', T, async () => {
    const r = await h.get(`${wholeBase}/w`, { method: 'POST', body: 'abc' });
    // Encode order, last filter first: WholeProbe reverses, then StreamProbe wraps the whole body once.
    assert.ok(r.text.startsWith('[') && r.text.endsWith(']<end>'), r.text);
    const echo = JSON.parse([...r.text.slice(1, -']<end>'.length)].reverse().join('')) as EchoResponse;
    assert.equal(echo.body, 'ABC!+whole');
  });

  it('HTTP/2 with a response-buffering filter: bodies arrive; a gRPC trailers-only local reply stays one HEADERS frame', T, async () => {
    const session = h2connect(bufferOnlyBase);
    try {
      const r = await new Promise<{ headers: Record<string, unknown>; endStream: boolean }>((resolve, reject) => {
        const st = session.request({ ':method': 'POST', ':path': '/svc/M', 'content-type': 'application/grpc', 'x-no-route': '1' });
        let headers: Record<string, unknown> = {};
        let endStream = false;
        st.on('response', (hd, flags) => {
          headers = hd;
          endStream = (flags & 1) === 1;
        });
        st.on('data', () => undefined);
        st.on('end', () => resolve({ headers, endStream }));
        st.on('error', reject);
        st.end();
      });
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.headers['grpc-status'], '12');
      assert.equal(r.endStream, true);
      const body = await new Promise<string>((resolve, reject) => {
        const st = session.request({ ':path': '/h2' });
        let text = '';
        st.on('data', (c: Buffer) => (text += c.toString('latin1')));
        st.on('end', () => resolve(text));
        st.on('error', reject);
        st.end();
      });
      assert.equal((JSON.parse([...body].reverse().join('')) as EchoResponse).url, '/h2');
    } finally {
      session.close();
    }
  });

  it('access logs count the bytes of an HTTP/2 response once', T, async () => {
    const session = h2connect(loggedBase);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const st = session.request({ ':path': '/d' });
        let text = '';
        st.on('data', (c: Buffer) => (text += c.toString()));
        st.on('end', () => resolve(text));
        st.on('error', reject);
        st.end();
      });
      assert.equal(body, 'hello');
    } finally {
      session.close();
    }
    const file = join(logDir, 'bytes.log');
    const deadline = Date.now() + 10_000;
    let log = '';
    while (!log.includes('HTTP/2') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        log = readFileSync(file, 'utf8');
      } catch {
        // not written yet
      }
    }
    assert.match(log.trim(), /^HTTP\/2(\.0)? 5$/);
  });
});
