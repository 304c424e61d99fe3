/**
 * A slow client behind an HTTP/2 upstream that sends a large body and then trailers (a gRPC stream's
 * shape): every byte must arrive. undici 7's HTTP/2 client drops the DATA buffered in a paused stream
 * when the trailers arrive, so the router must not pause HTTP/2 upstreams (held-headers.ts).
 */
import assert from 'node:assert/strict';
import { createServer as createH2cServer, type Http2Server } from 'node:http2';
import { connect } from 'node:net';
import { after, before, it } from 'node:test';
import { freePort } from '../helpers/ports.js';
import { hcm, hcmListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { ProxyHarness } from './proxy-harness.js';

const CHUNK = 2 * 1024 * 1024 + 5;
let upstream: Http2Server;
let h: ProxyHarness;
let port: number;

before(async () => {
  upstream = createH2cServer();
  upstream.on('stream', (st) => {
    st.respond({ ':status': 200, 'content-type': 'application/octet-stream' }, { waitForTrailers: true });
    st.on('wantTrailers', () => st.sendTrailers({ 'x-done': 'yes' }));
    let i = 0;
    const write = (): void => {
      while (i < 3) {
        i++;
        if (!st.write(Buffer.alloc(CHUNK, i))) {
          st.once('drain', write);
          return;
        }
      }
      st.end();
    };
    write();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upPort = (upstream.address() as { port: number }).port;
  port = await freePort();
  h = new ProxyHarness();
  await h.push(
    snapshot('1', {
      listeners: [hcmListener('l', port, hcm('routes'))],
      clusters: [
        staticCluster('h2', [{ address: '127.0.0.1', port: upPort }], {
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': TYPE_URL.upstreamHttpProtocolOptions,
              explicit_http_config: { http2_protocol_options: { initial_stream_window_size: { value: 67108864 }, initial_connection_window_size: { value: 67108864 } } },
            },
          },
        }),
      ],
      routes: [routeConfig('routes', [vhost('main', ['*'], [prefixRoute('/', 'h2')])])],
    }),
  );
});

after(async () => {
  await h.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

it('a client that stops reading for a while still gets the whole body of an HTTP/2 upstream with trailers', async () => {
  for (let round = 0; round < 3; round++) {
    const received = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write('GET /big HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n'));
      const chunks: Buffer[] = [];
      s.pause(); // the proxy's writes back up; the upstream finishes (trailers) meanwhile
      setTimeout(() => {
        s.on('data', (c: Buffer) => chunks.push(c));
        s.resume();
      }, 300);
      s.on('end', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
    });
    const text = received.toString('latin1');
    const headEnd = text.indexOf('\r\n\r\n');
    assert.match(text.slice(0, headEnd), /^HTTP\/1\.1 200/);
    // Chunked body: sum the chunk sizes.
    let at = headEnd + 4;
    let total = 0;
    for (;;) {
      const lineEnd = text.indexOf('\r\n', at);
      const size = parseInt(text.slice(at, lineEnd), 16);
      if (size === 0) break;
      total += size;
      at = lineEnd + 2 + size + 2;
    }
    assert.equal(total, 3 * CHUNK, `round ${round}: every byte of the body arrived`);
    assert.match(text.slice(at), /x-done: yes/i, 'the trailers arrived after the body');
  }
});
