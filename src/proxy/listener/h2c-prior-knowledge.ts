/**
 * Reading the first bytes of a connection to decide how to serve it, then putting them back
 * (`unshift`) so whoever serves it misses none: `readPrefix` is the primitive (the TLS inspector and
 * the h2c sniffer both use it); `sniffH2cPriorKnowledge` is h2c with prior knowledge on an HTTP/1.1
 * port (Envoy's codec_type AUTO): the HTTP/2 connection preface (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`)
 * sends the socket to an http2 server, anything else to the node:http server's own handling.
 *
 * Costs one 'data' listener per connection, not per request. A connection that sends nothing is closed
 * after the given timeout (the server's `headersTimeout`, what node would do for HTTP/1.1).
 */
import type { Server } from 'node:http';
import type { Http2Server } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const IDLE_BEFORE_FIRST_BYTE_MS = 60_000;

type PrefixSocket = Duplex & { setTimeout(ms: number, cb?: () => void): unknown };

/**
 * Reads from `socket` until `decide` returns a result (undefined: need more bytes), then pauses the
 * socket, puts every byte read back and calls `done`. An error, end or `timeoutMs` of silence first
 * destroys the socket.
 */
export function readPrefix<R>(socket: PrefixSocket, decide: (seen: Buffer) => R | undefined, timeoutMs: number, done: (r: R) => void): void {
  let seen: Buffer | null = null;
  const onError = (): void => {
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen === null ? chunk : Buffer.concat([seen, chunk]);
    const r = decide(seen);
    if (r === undefined) return;
    socket.pause();
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('end', onError);
    socket.off('timeout', onError);
    socket.setTimeout(0);
    socket.unshift(seen);
    done(r);
  };
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('end', onError);
  socket.setTimeout(timeoutMs > 0 ? timeoutMs : IDLE_BEFORE_FIRST_BYTE_MS, onError);
}

/** true: the HTTP/2 preface; false: something else; undefined: a prefix of the preface, need more. */
export function h2cPreface(seen: Buffer): boolean | undefined {
  const n = Math.min(seen.length, PREFACE.length);
  const h2c = seen.compare(PREFACE, 0, n, 0, n) === 0;
  if (h2c && seen.length < PREFACE.length) return undefined;
  return h2c;
}

/** The node:http server's own connection listener, removed so the caller decides per connection. */
export function takeConnectionListener(server: Server): (socket: Duplex) => void {
  const http1 = server.listeners('connection')[0] as ((this: Server, socket: Duplex) => void) | undefined;
  if (http1 === undefined) throw new Error('node:http server without a connection listener');
  server.removeListener('connection', http1);
  return (socket) => {
    http1.call(server, socket);
    socket.resume();
  };
}

/** Hands a connection to an http2 server (h2c after the sniff, or TLS after ALPN chose h2). */
export function handToHttp2(h2: Http2Server, socket: Duplex): void {
  // The http2 session takes the bytes buffered on the (paused) socket when it starts. node:http
  // accepts half-open sockets; an HTTP/2 session must close when the peer ends its side.
  socket.allowHalfOpen = false;
  h2.emit('connection', socket);
}

/** Serves a plaintext connection as h2c (prior knowledge) or HTTP/1.1 by its first bytes. */
export function serveH2cOrHttp1(socket: PrefixSocket, timeoutMs: number, http1: (socket: Duplex) => void, h2: Http2Server): void {
  readPrefix(socket, h2cPreface, timeoutMs, (isH2) => (isH2 ? handToHttp2(h2, socket) : http1(socket)));
}

/** Replaces `server`'s connection handling with one that first looks for the HTTP/2 preface. */
export function sniffH2cPriorKnowledge(server: Server, h2: Http2Server): void {
  const http1 = takeConnectionListener(server);
  server.on('connection', (socket: Socket) => serveH2cOrHttp1(socket, server.headersTimeout, http1, h2));
}
