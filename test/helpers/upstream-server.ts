/**
 * A real upstream HTTP server for tests. By default it answers every request with JSON describing
 * it: `{ name, method, url, headers, body, bodyLength, bodySha256 }` (`body` only for bodies under
 * 64 KiB). Per-request behaviour is driven by request headers:
 * - `x-upstream-delay-ms: N`  wait N ms before answering
 * - `x-upstream-status: N`    answer with status N
 * - `x-upstream-echo: raw`    stream the request body back as the response body
 * - `x-upstream-bytes: N`     answer with N bytes (streamed in 64 KiB chunks) instead of JSON
 * - `x-upstream-die: headers` destroy the socket before answering;
 *   `x-upstream-die: body` send headers and part of the body, then destroy the socket
 * Server-wide, to misbehave on command: `setDelay`, `setStatus` (e.g. answer 503), `setHang(true)`
 * (accept requests and never answer), `setPathStatus(path, status, headers?)` (a health endpoint that
 * answers differently from the traffic), `kill()` (stop and cut every connection: the port then
 * refuses connections) and `revive()` (listen on the same port again).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface EchoResponse {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  bodyLength: number;
  bodySha256: string;
}

const SMALL_BODY = 64 * 1024;

export class UpstreamServer {
  /** Requests received, in order (url, method, headers). */
  readonly received: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  /** Requests whose response was cut short because the proxy (client) closed the connection. */
  aborted = 0;
  /** TCP connections accepted. */
  connections = 0;
  private delayMs = 0;
  private status = 200;
  private hang = false;
  private readonly pathAnswers = new Map<string, { status: number; headers: Record<string, string> }>();
  private readonly hung = new Set<ServerResponse>();
  private readonly waiters: { kind: 'request' | 'abort'; resolve: () => void }[] = [];

  private constructor(
    readonly name: string,
    private server: Server,
    readonly port: number,
    private readonly host: string,
  ) {}

  static start(name = 'upstream', host = '127.0.0.1'): Promise<UpstreamServer> {
    return new Promise((resolve, reject) => {
      let self: UpstreamServer | undefined;
      const server = createServer((req, res) => self!.handle(req, res));
      server.keepAliveTimeout = 10_000;
      server.on('connection', () => {
        if (self) self.connections++;
      });
      server.once('error', reject);
      server.listen(0, host, () => {
        self = new UpstreamServer(name, server, (server.address() as { port: number }).port, host);
        resolve(self);
      });
    });
  }

  /** Listens on the same port again after `kill()` (a restarted instance). */
  revive(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => this.handle(req, res));
      server.keepAliveTimeout = 10_000;
      server.on('connection', () => this.connections++);
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
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
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

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

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.on('close', () => {
      if (res.writableFinished) return;
      this.aborted++;
      this.notify('abort');
    });
    this.notify('request');
    if (this.hang) {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
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
      req.pipe(res);
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
          headers: req.headers,
          bodyLength: length,
          bodySha256: hash.digest('hex'),
        };
        if (length <= SMALL_BODY) echo.body = Buffer.concat(chunks).toString('utf8');
        const out = Buffer.from(JSON.stringify(echo));
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
