/**
 * Upstreams for health-check tests beside the HTTP UpstreamServer:
 * - `GrpcHealthServer`: a real @grpc/grpc-js server implementing `grpc.health.v1.Health/Check`;
 *   `setStatus(service, 'SERVING' | 'NOT_SERVING' | …)` changes what it answers, an unknown service
 *   gets NOT_FOUND (as the reference implementation). It also serves any other path as unimplemented.
 * - `TcpPingServer`: a TCP server answering each chunk that contains `expect` with `reply`
 *   (default PING → PONG); `setReply` changes the answer, `received` keeps what came in.
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';

const STATUS = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
export type ServingStatus = keyof typeof STATUS;

function decodeService(buf: Buffer): string {
  // HealthCheckRequest { string service = 1; }
  let i = 0;
  while (i < buf.length) {
    const key = buf[i++]!;
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++]!;
      len |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    if (key === 0x0a) return buf.subarray(i, i + len).toString('utf8');
    if ((key & 7) === 2) i += len;
  }
  return '';
}

function encodeStatus(status: number): Buffer {
  return status === 0 ? Buffer.alloc(0) : Buffer.from([0x08, status]);
}

type Check = { service: string; metadata: Record<string, unknown> };

export class GrpcHealthServer {
  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
    private readonly statuses: Map<string, number>,
    /** `service` and metadata of every Check received. */
    readonly checks: Check[],
  ) {}

  static async start(initial: Record<string, ServingStatus> = { '': 'SERVING' }): Promise<GrpcHealthServer> {
    const server = new grpc.Server();
    const statuses = new Map<string, number>();
    const checks: Check[] = [];
    server.addService(
      {
        Check: {
          path: '/grpc.health.v1.Health/Check',
          requestStream: false,
          responseStream: false,
          requestSerialize: (v: Buffer) => v,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (v: Buffer) => v,
          responseDeserialize: (b: Buffer) => b,
        },
      },
      {
        Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
          const service = decodeService(call.request);
          checks.push({ service, metadata: call.metadata.getMap() });
          const s = statuses.get(service);
          if (s === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
          else cb(null, encodeStatus(s));
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const self = new GrpcHealthServer(server, port, statuses, checks);
    for (const [k, v] of Object.entries(initial)) self.setStatus(k, v);
    return self;
  }

  setStatus(service: string, status: ServingStatus): void {
    this.statuses.set(service, STATUS[status]);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 1000).unref();
    });
  }
}

export class TcpPingServer {
  readonly received: Buffer[] = [];
  private reply: Buffer;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly expect: Buffer,
    reply: Buffer,
  ) {
    this.reply = reply;
  }

  static start(expect = 'PING', reply = 'PONG'): Promise<TcpPingServer> {
    return new Promise((resolve, reject) => {
      let self: TcpPingServer | undefined;
      const server = net.createServer((s) => self!.onConnection(s));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        self = new TcpPingServer(server, (server.address() as net.AddressInfo).port, Buffer.from(expect), Buffer.from(reply));
        resolve(self);
      });
    });
  }

  setReply(reply: string): void {
    this.reply = Buffer.from(reply);
  }

  private onConnection(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      this.received.push(d);
      if (d.includes(this.expect)) s.write(this.reply);
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
