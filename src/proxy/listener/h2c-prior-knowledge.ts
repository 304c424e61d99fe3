/**
 * h2c with prior knowledge on an HTTP/1.1 port (Envoy's codec_type AUTO): the first bytes of each new
 * connection decide. The HTTP/2 connection preface (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`) sends the socket
 * to an http2 server, anything else to the node:http server's own connection handling. The bytes read
 * to decide are put back (`unshift`) before the hand-over, so neither server misses any.
 *
 * Costs one 'data' listener per connection, not per request. A connection that sends nothing is closed
 * after the server's `headersTimeout` (what node would do for HTTP/1.1).
 */
import type { Server } from 'node:http';
import type { Http2Server } from 'node:http2';
import type { Socket } from 'node:net';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const IDLE_BEFORE_FIRST_BYTE_MS = 60_000;

/** Replaces `server`'s connection handling with one that first looks for the HTTP/2 preface. */
export function sniffH2cPriorKnowledge(server: Server, h2: Http2Server): void {
  const http1 = server.listeners('connection')[0] as ((this: Server, socket: Socket) => void) | undefined;
  if (http1 === undefined) throw new Error('node:http server without a connection listener');
  server.removeListener('connection', http1);
  server.on('connection', (socket: Socket) => {
    let seen: Buffer | null = null;
    const onError = (): void => {
      socket.destroy();
    };
    const onTimeout = (): void => {
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      seen = seen === null ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const h2c = seen.compare(PREFACE, 0, n, 0, n) === 0;
      if (h2c && seen.length < PREFACE.length) return; // a prefix of the preface: wait for more
      socket.pause();
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onError);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
      socket.unshift(seen);
      if (h2c) {
        // The http2 session takes the bytes buffered on the (paused) socket when it starts. node:http
        // accepts half-open sockets; an HTTP/2 session must close when the peer ends its side.
        socket.allowHalfOpen = false;
        h2.emit('connection', socket);
      } else {
        http1.call(server, socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onError);
    socket.setTimeout(server.headersTimeout > 0 ? server.headersTimeout : IDLE_BEFORE_FIRST_BYTE_MS, onTimeout);
  });
}
