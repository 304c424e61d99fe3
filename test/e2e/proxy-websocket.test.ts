/**
 * WebSocket upgrades through the gateway proxy, end to end: a real upstream node:http server that
 * answers 'upgrade' with a 101 (and a correct Sec-WebSocket-Accept) and then echoes raw bytes, and a
 * raw client socket. Upgrade refused by config → 403 (Envoy's answer), other upgrade types → 403.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { TYPE_URL } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { httpListener, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface WsUpstream {
  server: Server;
  port: number;
  received: IncomingMessage[];
  /** Resolves when an upstream socket closes. */
  closed: Promise<void>[];
}

async function startWsUpstream(): Promise<WsUpstream> {
  const received: IncomingMessage[] = [];
  const closed: Promise<void>[] = [];
  const server = createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    received.push(req);
    closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    const accept = createHash('sha1')
      .update(String(req.headers['sec-websocket-key']) + WS_GUID)
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    if (req.url === '/ws/frames') {
      echoFrames(socket);
      return;
    }
    if (req.url === '/ws/server-closes') {
      socket.end('bye');
      return;
    }
    socket.pipe(socket); // raw echo; a client FIN ends it
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as { port: number }).port, received, closed };
}

/** A WebSocket frame, unmasked (server to client). */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** RFC 6455 echo: text and binary messages back, pong for ping, close answered with close. */
function echoFrames(socket: Socket): void {
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0]! & 0x0f;
      let len = buf[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      }
      const masked = (buf[1]! & 0x80) !== 0;
      if (buf.length < at + (masked ? 4 : 0) + len) return;
      const mask = masked ? buf.subarray(at, at + 4) : null;
      at += masked ? 4 : 0;
      const payload = Buffer.from(buf.subarray(at, at + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      buf = buf.subarray(at + len);
      if (opcode === 1 || opcode === 2) socket.write(frame(opcode, payload));
      else if (opcode === 9) socket.write(frame(10, payload));
      else if (opcode === 8) {
        socket.end(frame(8, payload));
        return;
      }
    }
  });
}

/** A raw client connection collecting everything it reads. */
class RawClient {
  data = Buffer.alloc(0);
  readonly closed: Promise<void>;
  ended = false;
  private wake: (() => void) | null = null;

  constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.data = Buffer.concat([this.data, c]);
      this.wake?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<RawClient> {
    const s = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    return new RawClient(s);
  }

  text(): string {
    return this.data.toString('latin1');
  }

  async until(pred: (text: string) => boolean): Promise<string> {
    while (!pred(this.text())) {
      if (this.ended) throw new Error(`connection ended; got ${JSON.stringify(this.text())}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.text();
  }
}

function upgradeRequest(path: string, upgrade = 'websocket', extra = ''): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ws.example.com\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  );
}

describe('gateway-proxy websocket upgrades (e2e)', () => {
  let h: ProxyHarness;
  let up: WsUpstream;
  let port: number;
  let noWsPort: number;
  let logFile: string;
  /** The access-log line of a path, once the (batched) sink wrote it. */
  const logLine = async (path: string): Promise<string[]> => {
    for (let i = 0; i < 400; i++) {
      const line = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').find((l) => l.startsWith(`${path} `)) : undefined;
      if (line !== undefined) return line.split(' ');
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no access-log line for ${path}`);
  };

  before(async () => {
    up = await startWsUpstream();
    port = await freePort();
    noWsPort = await freePort();
    const deadPort = await freePort();
    h = new ProxyHarness();
    logFile = join(mkdtempSync(join(tmpdir(), 'gloo-ws-log-')), 'access.log');
    const ws = httpListener('listener-ws', '127.0.0.1', port, 'routes');
    (ws.filter_chains![0]!.filters![0]!.typed_config as Record<string, unknown>).access_log = [
      {
        name: 'envoy.access_loggers.file',
        typed_config: {
          '@type': TYPE_URL.fileAccessLog,
          path: logFile,
          log_format: { text_format_source: { inline_string: '%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_HOST% %BYTES_RECEIVED% %BYTES_SENT%\n' } },
        },
      },
    ];
    const noWs = httpListener('listener-nows', '127.0.0.1', noWsPort, 'routes');
    const hcmConfig = noWs.filter_chains![0]!.filters![0]!.typed_config as Record<string, unknown>;
    hcmConfig.upgrade_configs = [{ upgrade_type: 'websocket', enabled: { value: false } }];
    await h.push(
      snapshot('1', {
        listeners: [ws, noWs],
        clusters: [
          staticCluster('ws_default', [{ address: '127.0.0.1', port: up.port }]),
          staticCluster('dead_default', [{ address: '127.0.0.1', port: deadPort }]),
        ],
        routes: [
          routeConfig('routes', [
            vhost('main', ['*'], [
              prefixRoute('/no-ws', 'ws_default', {
                route: { cluster: 'ws_default', upgrade_configs: [{ upgrade_type: 'websocket', enabled: { value: false } }] },
              }),
              prefixRoute('/ws-enabled', 'ws_default', {
                route: { cluster: 'ws_default', prefix_rewrite: '/ws/rewritten', upgrade_configs: [{ upgrade_type: 'websocket' }] },
              }),
              prefixRoute('/dead', 'dead_default'),
              { match: { prefix: '/direct' }, direct_response: { status: 200, body: { inline_string: 'direct' } } },
              prefixRoute('/ws', 'ws_default', { request_headers_to_add: [{ header: { key: 'x-added', value: 'yes' } }] }),
            ]),
          ]),
        ],
      }),
    );
  });

  after(async () => {
    await h.close();
    up.server.closeAllConnections();
    await new Promise<void>((resolve) => up.server.close(() => resolve()));
  });

  it('relays the 101 and echoes bytes both ways; a client close closes the upstream side', async () => {
    const before = h.proxy.stats.downstream_cx_upgrades_total;
    const c = await RawClient.open(port);
    c.socket.write(upgradeRequest('/ws/echo'));
    const head = await c.until((t) => t.includes('\r\n\r\n'));
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
    const headLen = head.indexOf('\r\n\r\n') + 4;
    c.socket.write('hello');
    await c.until((t) => t.length >= headLen + 5);
    assert.equal(c.text().slice(headLen), 'hello');
    c.socket.write(Buffer.from([0, 1, 2, 255]));
    await c.until((t) => t.length >= headLen + 9);
    assert.deepEqual([...c.data.subarray(headLen + 5)], [0, 1, 2, 255]);

    const seen = up.received.at(-1)!;
    assert.equal(seen.url, '/ws/echo');
    assert.equal(seen.headers.upgrade, 'websocket');
    assert.match(String(seen.headers.connection), /upgrade/i);
    assert.equal(seen.headers['x-added'], 'yes');
    assert.ok(seen.headers['x-request-id']);
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(h.proxy.stats.downstream_cx_upgrades_total, before + 1);

    const upstreamClosed = up.closed.at(-1)!;
    c.socket.end();
    await upstreamClosed;
    await c.closed;
    // Logged when the connection closed: 101, the upstream, and the bytes of the whole connection.
    const [, status, flags, host, received, sent] = await logLine('/ws/echo');
    assert.equal(status, '101');
    assert.equal(flags, '-');
    assert.equal(host, `127.0.0.1:${up.port}`);
    assert.equal(Number(received), Buffer.byteLength(upgradeRequest('/ws/echo')) + 9);
    assert.equal(Number(sent), c.data.length);
  });

  it('carries a real WebSocket session (undici WebSocket client): text and binary messages, clean close', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/frames`);
    ws.binaryType = 'arraybuffer';
    const messages: (string | ArrayBuffer)[] = [];
    let wake: (() => void) | null = null;
    ws.addEventListener('message', (e) => {
      messages.push(e.data as string | ArrayBuffer);
      wake?.();
    });
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve());
      ws.addEventListener('error', () => reject(new Error('websocket error')));
    });
    const until = async (n: number) => {
      while (messages.length < n) await new Promise<void>((r) => (wake = r));
    };
    ws.send('hello through the gateway');
    await until(1);
    assert.equal(messages[0], 'hello through the gateway');
    const big = 'x'.repeat(5000);
    ws.send(big);
    ws.send(new Uint8Array([1, 2, 3, 250]));
    await until(3);
    assert.equal(messages[1], big);
    assert.deepEqual([...new Uint8Array(messages[2] as ArrayBuffer)], [1, 2, 3, 250]);
    const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, wasClean: e.wasClean })));
    ws.close(1000, 'done');
    const c = await closed;
    assert.equal(c.code, 1000);
    assert.equal(c.wasClean, true);
  });

  it('an upstream close closes the client side', async () => {
    const c = await RawClient.open(port);
    c.socket.write(upgradeRequest('/ws/server-closes'));
    await c.closed;
    assert.match(c.text(), /^HTTP\/1\.1 101 [\s\S]*\r\n\r\nbye$/);
  });

  it('applies the route path rewrite and a route that enables websocket explicitly', async () => {
    const c = await RawClient.open(port);
    c.socket.write(upgradeRequest('/ws-enabled/x'));
    await c.until((t) => t.includes('\r\n\r\n'));
    assert.match(c.text(), /^HTTP\/1\.1 101 /);
    assert.equal(up.received.at(-1)!.url, '/ws/rewritten/x');
    c.socket.destroy();
  });

  it('answers 403 when the route disables websocket (Envoy: upgrade_failed)', async () => {
    const before = h.proxy.stats.downstream_rq_ws_on_non_ws_route;
    const c = await RawClient.open(port);
    c.socket.write(upgradeRequest('/no-ws'));
    await c.closed;
    assert.match(c.text(), /^HTTP\/1\.1 403 /);
    assert.equal(h.proxy.stats.downstream_rq_ws_on_non_ws_route, before + 1);
  });

  it('answers 403 when the HCM disables websocket, and for upgrade types nothing enables', async () => {
    const c = await RawClient.open(noWsPort);
    c.socket.write(upgradeRequest('/ws/echo'));
    await c.closed;
    assert.match(c.text(), /^HTTP\/1\.1 403 /);
    const d = await RawClient.open(port);
    d.socket.write(upgradeRequest('/ws/echo', 'foo'));
    await d.closed;
    assert.match(d.text(), /^HTTP\/1\.1 403 /);
  });

  it('answers local replies on upgrade requests: direct response, 503 for a dead upstream', async () => {
    const c = await RawClient.open(port);
    c.socket.write(upgradeRequest('/direct'));
    await c.closed;
    assert.match(c.text(), /^HTTP\/1\.1 200 [\s\S]*\r\n\r\ndirect$/);
    const d = await RawClient.open(port);
    d.socket.write(upgradeRequest('/dead'));
    await d.closed;
    assert.match(d.text(), /^HTTP\/1\.1 503 [\s\S]*reset reason: connection failure$/);
    assert.deepEqual((await logLine('/direct')).slice(1, 3), ['200', '-']);
    assert.deepEqual((await logLine('/dead')).slice(1, 3), ['503', 'UF']);
    assert.deepEqual((await logLine('/no-ws')).slice(1, 3), ['403', '-'], 'a refused upgrade is logged too');
  });

  it('serves an `Upgrade: h2c` request over HTTP/1.1 (the upgrade is dropped, as Envoy does)', async () => {
    const c = await RawClient.open(port);
    c.socket.write('GET /direct HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n');
    await c.closed;
    assert.match(c.text(), /^HTTP\/1\.1 200 [\s\S]*\r\n\r\ndirect$/);
  });
});
