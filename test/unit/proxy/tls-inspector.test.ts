/**
 * The TLS inspector reads SNI and ALPN from real ClientHellos (captured from node's TLS client),
 * however the bytes are split, and says `plain` for HTTP/1.1 and the HTTP/2 preface.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { test } from 'node:test';
import { inspect } from '../../../src/proxy/listener/tls-inspector.js';

/** The first bytes a node TLS client sends (its ClientHello). */
async function clientHello(opts: { servername?: string; ALPNProtocols?: string[] }): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const got = new Promise<Buffer>((resolve) =>
    server.once('connection', (s) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => {
        chunks.push(c);
        const all = Buffer.concat(chunks);
        if (all.length >= 5 && all.length >= 5 + all.readUInt16BE(3)) {
          s.destroy();
          resolve(all);
        }
      });
    }),
  );
  const c = connect({ host: '127.0.0.1', port, ...opts, rejectUnauthorized: false });
  c.on('error', () => undefined);
  const hello = await got;
  c.destroy();
  server.close();
  return hello;
}

test('reads SNI and ALPN from a ClientHello', async () => {
  const hello = await clientHello({ servername: 'API.Example.com', ALPNProtocols: ['h2', 'http/1.1'] });
  assert.deepEqual(inspect(hello), { kind: 'tls', sni: 'api.example.com', alpn: ['h2', 'http/1.1'] });
});

test('a ClientHello without SNI or ALPN', async () => {
  const hello = await clientHello({});
  assert.deepEqual(inspect(hello), { kind: 'tls', sni: null, alpn: [] });
});

test('needs more bytes until the whole ClientHello arrived, at every split point', async () => {
  const hello = await clientHello({ servername: 'split.example.com', ALPNProtocols: ['http/1.1'] });
  for (let n = 1; n < hello.length; n++) assert.deepEqual(inspect(hello.subarray(0, n)), { kind: 'need-more' }, `prefix of ${n} bytes`);
  assert.deepEqual(inspect(hello), { kind: 'tls', sni: 'split.example.com', alpn: ['http/1.1'] });
});

test('a ClientHello fragmented over two TLS records', async () => {
  const hello = await clientHello({ servername: 'frag.example.com' });
  const body = hello.subarray(5);
  const cut = 40;
  const rec = (b: Buffer) => Buffer.concat([Buffer.from([0x16, 3, 1, b.length >> 8, b.length & 0xff]), b]);
  const two = Buffer.concat([rec(body.subarray(0, cut)), rec(body.subarray(cut))]);
  assert.deepEqual(inspect(two.subarray(0, 5 + cut + 3)), { kind: 'need-more' });
  assert.deepEqual(inspect(two), { kind: 'tls', sni: 'frag.example.com', alpn: [] });
});

test('plaintext HTTP/1.1 and the HTTP/2 preface are plain; garbage after a handshake byte is TLS without SNI', () => {
  assert.deepEqual(inspect(Buffer.from('GET / HTTP/1.1\r\n')), { kind: 'plain' });
  assert.deepEqual(inspect(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), { kind: 'plain' });
  assert.deepEqual(inspect(Buffer.from([0x16, 9, 9, 0, 1, 0])), { kind: 'tls', sni: null, alpn: [] });
  assert.deepEqual(inspect(Buffer.from([0x16, 3, 1, 0, 4, 2, 0, 0, 0])), { kind: 'tls', sni: null, alpn: [] }, 'not a client_hello');
});
