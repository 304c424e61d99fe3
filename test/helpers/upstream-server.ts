/**
 * A real upstream HTTP server for tests. By default it answers every request with JSON describing
 * it: `{ name, method, url, headers, body, bodyLength, bodySha256, httpVersion, tls? }` (`body` only
 * for bodies under 64 KiB; `tls` = the SNI, ALPN protocol and client certificate subject of a TLS
 * connection). Per-request behaviour is driven by request headers:
 * - `x-upstream-delay-ms: N`  wait N ms before answering
 * - `x-upstream-status: N`    answer with status N
 * - `x-upstream-echo: raw`    stream the request body back as the response body
 * - `x-upstream-bytes: N`     answer with N bytes (streamed in 64 KiB chunks) instead of JSON
 * - `x-upstream-die: headers` destroy the socket before answering;
 *   `x-upstream-die: body` send headers and part of the body, then destroy the socket
 * - `x-upstream-hang: 1`      never answer (until the client goes away or the server closes)
 * - `x-upstream-trailers: a=1,b=2`  send the JSON body chunked, then these trailers (gRPC style)
 * - `x-upstream-body-delay-ms: N`  send the response headers at once and the JSON body N ms later
 * Server-wide, to misbehave on command: `setDelay`, `setStatus` (e.g. answer 503), `setHang(true)`
 * (accept requests and never answer), `setPathStatus(path, status, headers?)` (a health endpoint that
 * answers differently from the traffic), `kill()` (stop and cut every connection: the port then
 * refuses connections) and `revive()` (listen on the same port again); `connections` counts accepted
 * connections (TCP, TLS or Unix socket).
 *
 * Kinds: `start` (HTTP/1.1 over TCP), `startTls` (HTTPS; `requestCert` demands a client certificate),
 * `startHttp2` (HTTP/2 over TLS, ALPN h2 only), `startH2c` (HTTP/2 in plain text, prior knowledge),
 * `startPipe` (HTTP/1.1 on a Unix socket).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import { createServer as createH2cServer, createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { Server as NetServer } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface EchoResponse {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  bodyLength: number;
  bodySha256: string;
  httpVersion: string;
  tls?: { servername: string | null; alpn: string | null; clientCert: string | null };
}

/** TLS settings of `startTls` / `startHttp2`: PEM key and certificate, the CA clients must chain to. */
export interface UpstreamTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA for client certificates (with `requestCert`). */
  ca?: string | Buffer;
  /** Demand a client certificate signed by `ca`. */
  requestCert?: boolean;
  minVersion?: HttpsOptions['minVersion'];
  maxVersion?: HttpsOptions['maxVersion'];
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

const SMALL_BODY = 64 * 1024;

export class UpstreamServer {
  /** Requests received, in order (url, method, headers). */
  readonly received: { method: string; url: string; headers: IncomingMessage['headers']; httpVersion: string }[] = [];
  /** Requests whose response was cut short because the proxy (client) closed the connection. */
  aborted = 0;
  /** Connections accepted (TCP, TLS or Unix socket). */
  connections = 0;
  /** Connections open now. */
  openConnections = 0;
  /** TLS handshakes that failed on the server side (`tlsClientError`), with the error. */
  readonly tlsErrors: Error[] = [];
  private delayMs = 0;
  private status = 200;
  private readonly waiters: { kind: 'request' | 'abort'; resolve: () => void }[] = [];
  private readonly hanging = new Set<AnyResponse>();
  private hang = false;
  private readonly pathAnswers = new Map<string, { status: number; headers: Record<string, string> }>();
  /** How `revive()` listens again: the server factory and the address. */
  private relisten: (() => Promise<NetServer>) | null = null;

  private constructor(
    readonly name: string,
    private server: NetServer,
    readonly port: number,
    /** The Unix socket path of `startPipe`, else null. */
    readonly socketPath: string | null,
  ) {}

  static start(name = 'upstream', host = '127.0.0.1', port = 0): Promise<UpstreamServer> {
    return UpstreamServer.listen(name, (h) => createServer(h), { host, port });
  }

  /** HTTPS (HTTP/1.1 over TLS). */
  static startTls(name: string, tls: UpstreamTlsOptions): Promise<UpstreamServer> {
    return UpstreamServer.listen(name, (h) => createHttpsServer(httpsOptions(tls), h), { host: '127.0.0.1' });
  }

  /** HTTP/2 over TLS (ALPN h2; `allowHTTP1` false unless asked). */
  static startHttp2(name: string, tls: UpstreamTlsOptions, allowHTTP1 = false): Promise<UpstreamServer> {
    return UpstreamServer.listen(
      name,
      (h) => createSecureServer({ ...httpsOptions(tls), allowHTTP1, ALPNProtocols: allowHTTP1 ? ['h2', 'http/1.1'] : ['h2'] }, h),
      { host: '127.0.0.1' },
    );
  }

  /** HTTP/2 in plain text with prior knowledge (h2c). */
  static startH2c(name: string): Promise<UpstreamServer> {
    return UpstreamServer.listen(name, (h) => createH2cServer(h), { host: '127.0.0.1' });
  }

  /** HTTP/1.1 on a Unix socket at `path`. */
  static startPipe(name: string, path: string): Promise<UpstreamServer> {
    return UpstreamServer.listen(name, (h) => createServer(h), { path });
  }

  private static listen(
    name: string,
    make: (handler: (req: AnyRequest, res: AnyResponse) => void) => NetServer,
    where: { host: string; port?: number } | { path: string },
  ): Promise<UpstreamServer> {
    let self: UpstreamServer | undefined;
    const open = (at: typeof where): Promise<NetServer> =>
      new Promise((resolve, reject) => {
        const server = make((req, res) => self!.handle(req, res));
        if ('keepAliveTimeout' in server) (server as Server).keepAliveTimeout = 10_000;
        server.on('connection', (socket: { once(e: 'close', f: () => void): void }) => {
          if (self === undefined) return;
          const me = self;
          me.connections++;
          me.openConnections++;
          socket.once('close', () => me.openConnections--);
        });
        server.on('tlsClientError', (err: Error) => self?.tlsErrors.push(err));
        server.once('error', reject);
        const done = (): void => {
          server.off('error', reject);
          resolve(server);
        };
        if ('path' in at) server.listen(at.path, done);
        else server.listen(at.port ?? 0, at.host, done);
      });
    return open(where).then((server) => {
      const path = 'path' in where ? where.path : null;
      const port = path === null ? (server.address() as { port: number }).port : 0;
      self = new UpstreamServer(name, server, port, path);
      self.relisten = () => open(path === null ? { host: (where as { host: string }).host, port } : where);
      return self;
    });
  }

  /** Listens on the same port (or socket path) again after `kill()` (a restarted instance). */
  async revive(): Promise<void> {
    this.server = await this.relisten!();
  }

  /** Accept requests but never answer them (until `setHang(false)` or close). */
  setHang(hang: boolean): void {
    this.hang = hang;
  }

  /** Requests to exactly `path` (without query) get this status and headers, whatever else is set. */
  setPathStatus(path: string, status: number, headers: Record<string, string> = {}): void {
    this.pathAnswers.set(path, { status, headers });
  }

  /** Requests received for `path` (without query). */
  requestsTo(path: string): { method: string; url: string; headers: IncomingMessage['headers'] }[] {
    return this.received.filter((r) => r.url.split('?')[0] === path);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  setStatus(status: number): void {
    this.status = status;
  }

  /** Stops the server and cuts every connection; its port then refuses connections. */
  kill(): Promise<void> {
    return this.close();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const res of this.hanging) res.destroy();
      this.hanging.clear();
      this.server.close(() => resolve());
      const s = this.server as Partial<Server> & { closeAllConnections?: () => void };
      if (typeof s.closeAllConnections === 'function') s.closeAllConnections();
      for (const session of this.sessions) session.destroy();
    });
  }

  private readonly sessions = new Set<{ destroy(): void }>();

  /** Resolves when the next request arrives. */
  nextRequest(): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ kind: 'request', resolve }));
  }

  /** Resolves when the next request is abandoned by the client before its response finished. */
  nextAbort(): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ kind: 'abort', resolve }));
  }

  private notify(kind: 'request' | 'abort'): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.kind !== kind) continue;
      this.waiters.splice(i, 1);
      w.resolve();
    }
  }

  private handle(req: AnyRequest, anyRes: AnyResponse): void {
    // node:http2's compatibility response has the same surface as ServerResponse for what is used here.
    const res = anyRes as ServerResponse;
    if ('stream' in req && req.stream.session !== undefined) {
      const session = req.stream.session;
      if (!this.sessions.has(session)) {
        this.sessions.add(session);
        session.once('close', () => this.sessions.delete(session));
      }
    }
    this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers as IncomingMessage['headers'], httpVersion: req.httpVersion });
    res.on('close', () => {
      if (res.writableFinished) return;
      this.aborted++;
      this.notify('abort');
    });
    this.notify('request');
    if (this.hang || req.headers['x-upstream-hang'] !== undefined) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      req.resume();
      return;
    }
    const fixed = this.pathAnswers.get((req.url ?? '/').split('?')[0]!);
    if (fixed !== undefined) {
      req.resume();
      req.on('end', () => {
        res.writeHead(fixed.status, { 'content-type': 'text/plain', ...fixed.headers });
        res.end(`${this.name} ${fixed.status}`);
      });
      return;
    }
    const die = req.headers['x-upstream-die'];
    if (die === 'headers') {
      req.socket.destroy();
      return;
    }
    const status = Number(req.headers['x-upstream-status'] ?? this.status);
    const delay = Number(req.headers['x-upstream-delay-ms'] ?? this.delayMs);

    if (req.headers['x-upstream-echo'] === 'raw') {
      res.writeHead(status, { 'content-type': 'application/octet-stream' });
      (req as IncomingMessage).pipe(res);
      return;
    }
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      length += c.length;
      if (length <= SMALL_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const answer = (): void => {
        if (res.destroyed) return;
        const bytes = req.headers['x-upstream-bytes'];
        if (bytes !== undefined) return this.sendBytes(res, status, Number(bytes), die === 'body');
        const echo: EchoResponse = {
          name: this.name,
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers as EchoResponse['headers'],
          bodyLength: length,
          bodySha256: hash.digest('hex'),
          httpVersion: req.httpVersion,
        };
        const tlsSocket = req.socket as Partial<TLSSocket>;
        if (tlsSocket.encrypted === true) {
          const peer = tlsSocket.getPeerCertificate?.();
          echo.tls = {
            servername: typeof (tlsSocket as { servername?: unknown }).servername === 'string' ? (tlsSocket as { servername: string }).servername : null,
            alpn: typeof tlsSocket.alpnProtocol === 'string' ? tlsSocket.alpnProtocol : null,
            clientCert: peer !== undefined && peer.subject !== undefined ? (peer.subject.CN as string) : null,
          };
        }
        if (length <= SMALL_BODY) echo.body = Buffer.concat(chunks).toString('utf8');
        const out = Buffer.from(JSON.stringify(echo));
        const trailers = req.headers['x-upstream-trailers'];
        if (typeof trailers === 'string') {
          const fields: Record<string, string> = {};
          for (const kv of trailers.split(',')) {
            const eq = kv.indexOf('=');
            if (eq > 0) fields[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
          }
          res.writeHead(status, { 'content-type': 'application/json', trailer: Object.keys(fields).join(', ') });
          res.write(out);
          res.addTrailers(fields);
          res.end();
          return;
        }
        const bodyDelay = Number(req.headers['x-upstream-body-delay-ms'] ?? 0);
        if (bodyDelay > 0) {
          res.writeHead(status, { 'content-type': 'application/json', 'x-upstream-name': this.name });
          (res as { flushHeaders?: () => void }).flushHeaders?.();
          setTimeout(() => {
            if (!res.destroyed) res.end(out);
          }, bodyDelay).unref();
          return;
        }
        if (die === 'body') {
          res.writeHead(status, { 'content-type': 'application/json', 'content-length': out.length + 1000 });
          res.write(out);
          setImmediate(() => res.socket?.destroy());
          return;
        }
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': out.length, 'x-upstream-name': this.name });
        res.end(out);
      };
      if (delay > 0) setTimeout(answer, delay).unref();
      else answer();
    });
  }

  private sendBytes(res: ServerResponse, status: number, total: number, dieMidway: boolean): void {
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': total });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        if (dieMidway && sent >= total / 2) {
          res.socket?.destroy();
          return;
        }
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  }
}

function httpsOptions(tls: UpstreamTlsOptions): HttpsOptions {
  const o: HttpsOptions = { key: tls.key, cert: tls.cert };
  if (tls.ca !== undefined) o.ca = tls.ca;
  if (tls.requestCert === true) {
    o.requestCert = true;
    o.rejectUnauthorized = true;
  }
  if (tls.minVersion !== undefined) o.minVersion = tls.minVersion;
  if (tls.maxVersion !== undefined) o.maxVersion = tls.maxVersion;
  return o;
}
