/**
 * A cleartext HTTP/2 (h2c, prior knowledge) connection for HTTP/2 and gRPC health checks, opened on
 * first use and kept while it stays usable. `exchange` sends one request and gathers the response
 * head, body and trailers; any error of the session or the stream ends the exchange with a network
 * failure, never an exception.
 */
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { authorityOf, type ProbeTarget } from './probe.js';

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  trailers: IncomingHttpHeaders;
}

/** Larger response bodies are cut here (health responses are tiny). */
const MAX_BODY = 64 * 1024;

export class H2Connection {
  private session: ClientHttp2Session | null = null;
  private lastError = '';

  constructor(private readonly target: ProbeTarget) {}

  private open(): ClientHttp2Session {
    const s = this.session;
    if (s !== null && !s.closed && !s.destroyed) return s;
    const session = http2.connect(`http://${authorityOf(this.target)}`);
    session.on('error', (err: NodeJS.ErrnoException) => {
      this.lastError = err.code ?? err.message;
    });
    session.on('close', () => {
      if (this.session === session) this.session = null;
    });
    session.on('goaway', () => {
      if (this.session === session) this.session = null;
    });
    session.unref();
    this.lastError = '';
    this.session = session;
    return session;
  }

  /** One request; resolves with the response, or with the reason the exchange failed. */
  exchange(headers: OutgoingHttpHeaders, body: Buffer | null): Promise<H2Response | string> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (v: H2Response | string): void => {
        if (settled) return;
        settled = true;
        resolve(v);
      };
      let stream;
      try {
        stream = this.open().request(headers, { endStream: body === null });
      } catch (err) {
        done((err as NodeJS.ErrnoException).code ?? (err as Error).message);
        return;
      }
      let status = 0;
      let head: IncomingHttpHeaders = {};
      let trailers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('response', (h) => {
        head = h;
        status = Number(h[':status'] ?? 0);
      });
      stream.on('trailers', (t) => {
        trailers = t;
      });
      stream.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      stream.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
      stream.on('end', () => {
        if (status === 0) done(this.lastError || 'stream ended without a response');
        else done({ status, headers: head, body: Buffer.concat(chunks), trailers });
      });
      stream.on('close', () => {
        if (status === 0 || !stream.readableEnded) done(this.lastError || `stream closed (code ${stream.rstCode ?? 0})`);
      });
      if (body !== null) stream.end(body);
    });
  }

  close(): void {
    const s = this.session;
    this.session = null;
    s?.destroy();
  }
}
