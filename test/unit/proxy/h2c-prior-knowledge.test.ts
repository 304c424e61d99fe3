/**
 * The h2c prior-knowledge sniffer: the first bytes of a connection choose HTTP/2 or HTTP/1.1, even
 * when they arrive in pieces (a first chunk `P` may start `PRI *` or `POST`).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sniffH2cPriorKnowledge } from '../../../src/proxy/listener/h2c-prior-knowledge.js';

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
/** An empty SETTINGS frame: length 0, type 4, flags 0, stream 0. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function open(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void>; firstData: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let data = Buffer.alloc(0);
  const firstData = new Promise<void>((resolve) =>
    socket.on('data', (c: Buffer) => {
      data = Buffer.concat([data, c]);
      resolve();
    }),
  );
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, received: () => data, closed, firstData };
}

describe('h2c prior knowledge sniffer', () => {
  let server: Server;
  let h2: Http2Server;
  let port: number;

  before(async () => {
    server = createServer((req, res) => res.end(`http1 ${req.method} ${req.url}`));
    h2 = createHttp2Server((req, res) => res.end(`h2 ${req.url}`));
    sniffH2cPriorKnowledge(server, h2);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('hands a connection starting with the preface, split in pieces, to the http2 server', async () => {
    const c = await open(port);
    c.socket.write(PREFACE.slice(0, 3));
    await nextTick();
    c.socket.write(PREFACE.slice(3, 20));
    await nextTick();
    c.socket.write(Buffer.concat([Buffer.from(PREFACE.slice(20), 'latin1'), EMPTY_SETTINGS]));
    await c.firstData;
    // The server's first frame is its SETTINGS frame (type 4 on stream 0).
    assert.equal(c.received()[3], 4);
    c.socket.destroy();
  });

  it('hands a connection whose first byte matches the preface but not the rest to node:http', async () => {
    const c = await open(port);
    c.socket.write('P');
    await nextTick();
    c.socket.write('OST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    await c.closed;
    const text = c.received().toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.match(text, /http1 POST \/p$/);
  });

  it('hands plain HTTP/1.1 to node:http', async () => {
    const c = await open(port);
    c.socket.write('GET /g HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await c.closed;
    assert.match(c.received().toString('latin1'), /http1 GET \/g$/);
  });
});
