/**
 * Downstream HTTP/1.1 protocol details through the gateway proxy, end to end: `Expect: 100-continue`
 * (answered by the proxy, not forwarded, as Envoy with proxy_100_continue false) and response trailers
 * (plain forward and the router's retry path), both directions; h2c with prior knowledge on the same port.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { execFile } from 'node:child_process';
import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { hcm, hcmListener, httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

/** An upstream answering chunked with trailers `x-checksum` and `x-count`. */
async function startTrailerUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        trailer: 'x-checksum, x-count',
        'x-got-body': body,
        'x-got-trailers': JSON.stringify(req.trailers),
        'x-got-trailer-header': String(req.headers.trailer),
      });
      res.write('part1 ');
      res.write('part2');
      res.addTrailers({ 'x-checksum': 'abc123', 'x-count': '2' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as { port: number }).port };
}

function get(port: number, path: string): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ res, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

function h2request(
  session: ClientHttp2Session,
  headers: Record<string, string>,
  body?: string,
): Promise<{ headers: H2Headers; body: string; trailers: H2Headers | null }> {
  return new Promise((resolve, reject) => {
    const r = session.request(headers, { endStream: body === undefined });
    let got: H2Headers = {};
    let trailers: H2Headers | null = null;
    let text = '';
    r.setEncoding('utf8');
    r.on('response', (h) => (got = h));
    r.on('trailers', (t) => (trailers = t));
    r.on('data', (c: string) => (text += c));
    r.on('end', () => resolve({ headers: got, body: text, trailers }));
    r.on('error', reject);
    if (body !== undefined) r.end(body);
  });
}

function curlAvailable(): Promise<boolean> {
  return new Promise((resolve) => execFile('curl', ['--version'], (err, out) => resolve(err === null && /HTTP2/.test(out))));
}

describe('gateway-proxy HTTP/1.1 protocol details (e2e)', () => {
  let h: ProxyHarness;
  let echo: UpstreamServer;
  let trailers: { server: Server; port: number };
  let port: number;
  let idlePort: number;

  before(async () => {
    echo = await UpstreamServer.start('echo');
    trailers = await startTrailerUpstream();
    port = await freePort();
    idlePort = await freePort();
    h = new ProxyHarness();
    await h.push(
      snapshot('1', {
        listeners: [
          httpListener('listener-protocols', '127.0.0.1', port, 'routes'),
          hcmListener('listener-idle', idlePort, hcm('routes', { stream_idle_timeout: { seconds: '0', nanos: 200_000_000 }, max_request_headers_kb: { value: 2 } })),
        ],
        clusters: [
          staticCluster('echo_default', [{ address: '127.0.0.1', port: echo.port }]),
          staticCluster('trailers_default', [{ address: '127.0.0.1', port: trailers.port }]),
        ],
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              prefixRoute('/trailers-retry', 'trailers_default', {
                route: { cluster: 'trailers_default', retry_policy: { retry_on: '5xx', num_retries: { value: 2 } } },
              }),
              prefixRoute('/trailers', 'trailers_default'),
              prefixRoute('/', 'echo_default'),
            ]),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    await echo.close();
    trailers.server.closeAllConnections();
    await new Promise<void>((resolve) => trailers.server.close(() => resolve()));
  });

  it('answers `Expect: 100-continue` itself and does not forward `expect` (raw client)', async () => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    s.setEncoding('latin1');
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    const sawContinue = new Promise<void>((resolve) =>
      s.on('data', (c: string) => {
        got += c;
        if (got.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) resolve();
      }),
    );
    s.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    await sawContinue;
    s.write('hello');
    await closed;
    const final = got.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
    assert.match(final, /^HTTP\/1\.1 200 /);
    const body = JSON.parse(final.slice(final.indexOf('\r\n\r\n') + 4)) as EchoResponse;
    assert.equal(body.body, 'hello');
    assert.equal(body.headers.expect, undefined);
  });

  it('works for a node:http client waiting for `continue` before sending its body', async () => {
    const result = await new Promise<{ status: number; body: EchoResponse; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const r = httpRequest(
        { host: '127.0.0.1', port, path: '/expect', method: 'PUT', agent: false, headers: { expect: '100-continue', 'content-length': '4' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as EchoResponse, continued }));
        },
      );
      r.on('continue', () => {
        continued = true;
        r.end('data');
      });
      r.on('error', reject);
    });
    assert.equal(result.continued, true);
    assert.equal(result.status, 200);
    assert.equal(result.body.body, 'data');
    assert.equal(result.body.method, 'PUT');
  });

  it('forwards response trailers on a chunked response', async () => {
    const { res, body } = await get(port, '/trailers');
    assert.equal(res.statusCode, 200);
    assert.equal(body, 'part1 part2');
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.deepEqual(res.trailers, { 'x-checksum': 'abc123', 'x-count': '2' });
  });

  it('forwards request trailers of a chunked request, and the response trailers back', async () => {
    const { res, body } = await new Promise<{ res: IncomingMessage; body: string }>((resolve, reject) => {
      const r = httpRequest(
        { host: '127.0.0.1', port, path: '/trailers/upload', method: 'POST', agent: false, headers: { trailer: 'x-req-sum', 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ res, body: text }));
        },
      );
      r.on('error', reject);
      r.write('abc');
      r.write('def');
      r.addTrailers({ 'x-req-sum': '42' });
      r.end();
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-got-body'], 'abcdef');
    assert.deepEqual(JSON.parse(String(res.headers['x-got-trailers'])), { 'x-req-sum': '42' });
    assert.equal(res.headers['x-got-trailer-header'], 'x-req-sum');
    assert.equal(body, 'part1 part2');
    assert.deepEqual(res.trailers, { 'x-checksum': 'abc123', 'x-count': '2' });
  });

  it('forwards response trailers on the router path (route with retries)', async () => {
    const { res, body } = await get(port, '/trailers-retry');
    assert.equal(res.statusCode, 200);
    assert.equal(body, 'part1 part2');
    assert.deepEqual(res.trailers, { 'x-checksum': 'abc123', 'x-count': '2' });
  });

  it('serves h2c with prior knowledge on the HTTP/1.1 port (GET, POST without content-length, trailers)', async () => {
    const session = h2connect(`http://127.0.0.1:${port}`);
    try {
      const g = await h2request(session, { ':path': '/h2/get?x=1', ':method': 'GET', ':authority': 'h2.example.com' });
      assert.equal(g.headers[':status'], 200);
      const e = JSON.parse(g.body) as EchoResponse;
      assert.equal(e.url, '/h2/get?x=1');
      assert.equal(e.method, 'GET');
      assert.equal(e.headers.host, 'h2.example.com');
      assert.equal(Object.keys(e.headers).filter((k) => k.startsWith(':')).length, 0);
      assert.ok(e.headers['x-request-id']);

      const p = await h2request(session, { ':path': '/h2/post', ':method': 'POST', ':authority': 'h2.example.com' }, 'h2 body');
      assert.equal(p.headers[':status'], 200);
      assert.equal((JSON.parse(p.body) as EchoResponse).body, 'h2 body');

      const t = await h2request(session, { ':path': '/trailers', ':method': 'GET', ':authority': 'h2.example.com' });
      assert.equal(t.body, 'part1 part2');
      assert.equal(t.trailers?.['x-checksum'], 'abc123');
    } finally {
      session.close();
    }
    // HTTP/1.1 still works on the same port.
    const { res } = await get(port, '/still-http1');
    assert.equal(res.statusCode, 200);
  });

  it('applies the stream idle timeout to an HTTP/2 stream: 408 `stream timeout`, other streams unaffected', async () => {
    const session = h2connect(`http://127.0.0.1:${idlePort}`);
    try {
      // A POST whose body never comes: the stream is idle.
      const stalled = session.request({ ':path': '/stall', ':method': 'POST', ':authority': 'h2.example.com' });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        let status = 0;
        let body = '';
        stalled.on('response', (hs) => (status = Number(hs[':status'])));
        stalled.setEncoding('utf8');
        stalled.on('data', (c: string) => (body += c));
        stalled.on('end', () => resolve({ status, body }));
        stalled.on('error', reject);
      });
      stalled.write('partial');
      const ok = await h2request(session, { ':path': '/other', ':method': 'GET', ':authority': 'h2.example.com' });
      assert.equal(ok.headers[':status'], 200, 'another stream of the same connection is served');
      const r = await answer;
      assert.equal(r.status, 408);
      assert.equal(r.body, 'stream timeout');
    } finally {
      session.close();
    }
  });

  it('answers 431 to an HTTP/2 request whose headers exceed max_request_headers_kb', async () => {
    const session = h2connect(`http://127.0.0.1:${idlePort}`);
    try {
      const big = await h2request(session, { ':path': '/big-headers', ':method': 'GET', ':authority': 'h2.example.com', 'x-big': 'a'.repeat(3000) });
      assert.equal(big.headers[':status'], 431);
      const small = await h2request(session, { ':path': '/small-headers', ':method': 'GET', ':authority': 'h2.example.com', 'x-small': 'a'.repeat(100) });
      assert.equal(small.headers[':status'], 200, 'the same connection keeps serving');
    } finally {
      session.close();
    }
  });

  it('answers curl --http2-prior-knowledge', async (t) => {
    if (!(await curlAvailable())) {
      t.skip('curl with HTTP/2 is not installed');
      return;
    }
    const out = await new Promise<string>((resolve, reject) =>
      execFile('curl', ['-sS', '--http2-prior-knowledge', '-o', '-', '-w', '\n%{http_version}', `http://127.0.0.1:${port}/curl`], (err, stdout) =>
        err === null ? resolve(stdout) : reject(err),
      ),
    );
    const [body, version] = out.split('\n');
    assert.equal(version, '2');
    assert.equal((JSON.parse(body!) as EchoResponse).url, '/curl');
  });
});
