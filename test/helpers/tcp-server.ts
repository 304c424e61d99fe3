/**
 * A raw TCP upstream for tests (plain, or TLS with its own certificate), half-open aware:
 * - every byte received is echoed back;
 * - a received line `half-close` makes the server end its side (FIN) at once while it keeps reading;
 * - when the client ends its side, the server writes `[eof after N bytes]` and ends (so a test sees
 *   that the FIN reached the upstream and that the other direction still flowed after it);
 * - TLS: the server first writes `hello from <name> sni=<servername>\n`.
 * Each connection is recorded (bytes, first bytes, FIN seen, bytes after its own FIN, closed).
 */
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

export interface TcpConnectionRecord {
  bytes: number;
  /** The first 256 bytes received (to check what arrived: plaintext or a ClientHello). */
  head: Buffer;
  /** The client's FIN arrived. */
  ended: boolean;
  /** The server ended its own side on `half-close`. */
  endedOwnSide: boolean;
  /** Bytes received after the server ended its own side. */
  bytesAfterOwnEnd: number;
  closed: boolean;
  /** TLS: the SNI the client sent. */
  servername: string | null;
  socket: Socket;
}

export class TcpTestServer {
  readonly connections: TcpConnectionRecord[] = [];

  private constructor(
    readonly name: string,
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts on `port` (0: a free one). `tls` makes it a TLS server with that key pair. */
  static start(name: string, opts: { port?: number; tls?: { cert: string; key: string } } = {}): Promise<TcpTestServer> {
    return new Promise((resolve, reject) => {
      let self: TcpTestServer | undefined;
      const onSocket = (socket: Socket, servername: string | null) => self!.serve(socket, servername);
      const server: Server = opts.tls
        ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, allowHalfOpen: true }, (s: TLSSocket) => onSocket(s, typeof s.servername === 'string' ? s.servername : null))
        : createNetServer({ allowHalfOpen: true }, (s) => onSocket(s, null));
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        self = new TcpTestServer(name, server, (server.address() as { port: number }).port);
        resolve(self);
      });
    });
  }

  private serve(socket: Socket, servername: string | null): void {
    const rec: TcpConnectionRecord = { bytes: 0, head: Buffer.alloc(0), ended: false, endedOwnSide: false, bytesAfterOwnEnd: 0, closed: false, servername, socket };
    this.connections.push(rec);
    if (servername !== null || (socket as TLSSocket).encrypted) socket.write(`hello from ${this.name} sni=${servername ?? '-'}\n`);
    let line = '';
    socket.on('data', (chunk: Buffer) => {
      rec.bytes += chunk.length;
      if (rec.head.length < 256) rec.head = Buffer.concat([rec.head, chunk]).subarray(0, 256);
      if (rec.endedOwnSide) {
        rec.bytesAfterOwnEnd += chunk.length;
        return;
      }
      // Echo with backpressure: stop reading while the client does not take the echo.
      if (!socket.write(chunk)) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
      if (rec.bytes < 4096) {
        line += chunk.toString('latin1');
        if (line.includes('half-close\n')) {
          rec.endedOwnSide = true;
          socket.end();
        }
      }
    });
    socket.on('end', () => {
      rec.ended = true;
      if (!rec.endedOwnSide) socket.end(`[eof after ${rec.bytes} bytes]`);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => (rec.closed = true));
  }

  /** Stops listening and cuts every connection. */
  close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
