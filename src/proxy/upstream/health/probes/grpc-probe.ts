/**
 * Envoy's gRPC health checker: `grpc.health.v1.Health/Check` over cleartext HTTP/2 with
 * `{service: service_name}`, `:authority` = `authority` (else the cluster name) and the configured
 * `initial_metadata`. Healthy only for `grpc-status: 0` and `status: SERVING`; NOT_SERVING, any other
 * status, a non-200 `:status` or a non-gRPC content type mark the host unhealthy at once (Envoy's
 * ACTIVE failure); no answer is a network failure. The messages are encoded by hand (two fields).
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { applyHeaderEdits, type GrpcCheck } from '../health-check-config.js';
import { H2Connection } from './h2-connection.js';
import { activeFailure, networkFailure, type Probe, type ProbeResult, type ProbeTarget } from './probe.js';
import { HEALTH_CHECK_USER_AGENT } from './http-probe.js';

export const GRPC_HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** grpc.health.v1.HealthCheckResponse.ServingStatus */
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** A length-prefixed gRPC message carrying `HealthCheckRequest{service}`. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  const msg = s.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
  const frame = Buffer.alloc(5 + msg.length);
  frame.writeUInt32BE(msg.length, 1);
  msg.copy(frame, 5);
  return frame;
}

/** The `status` of a HealthCheckResponse in a gRPC body (first message), or undefined when unreadable. */
export function decodeHealthCheckResponse(body: Buffer): number | undefined {
  if (body.length < 5 || body[0] !== 0) return undefined;
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) return undefined;
  const msg = body.subarray(5, 5 + len);
  let status = 0; // proto3 default: UNKNOWN
  let i = 0;
  while (i < msg.length) {
    const key = readVarint(msg, i);
    if (key === undefined) return undefined;
    i = key[1];
    const field = key[0] >>> 3;
    const wire = key[0] & 7;
    if (wire === 0) {
      const v = readVarint(msg, i);
      if (v === undefined) return undefined;
      i = v[1];
      if (field === 1) status = v[0];
    } else if (wire === 2) {
      const l = readVarint(msg, i);
      if (l === undefined) return undefined;
      i = l[1] + l[0];
    } else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else return undefined;
  }
  return i === msg.length ? status : undefined;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function readVarint(b: Buffer, at: number): [number, number] | undefined {
  let v = 0;
  let shift = 0;
  for (let i = at; i < b.length && shift < 35; i++) {
    v |= (b[i]! & 0x7f) << shift;
    if ((b[i]! & 0x80) === 0) return [v >>> 0, i + 1];
    shift += 7;
  }
  return undefined;
}

export class GrpcProbe implements Probe {
  private h2: H2Connection | null = null;
  private generation = 0;
  private readonly headers: OutgoingHttpHeaders;
  private readonly body: Buffer;

  constructor(
    private readonly target: ProbeTarget,
    check: GrpcCheck,
    private readonly reuseConnection: boolean,
  ) {
    const md: Record<string, string | string[]> = {};
    applyHeaderEdits(md, [], check.metadata);
    this.headers = {
      ...md,
      ':method': 'POST',
      ':path': GRPC_HEALTH_CHECK_PATH,
      ':scheme': 'http',
      ':authority': check.authority,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': HEALTH_CHECK_USER_AGENT,
    };
    this.body = encodeHealthCheckRequest(check.serviceName);
  }

  async run(): Promise<ProbeResult> {
    const gen = ++this.generation;
    this.h2 ??= new H2Connection(this.target);
    const r = await this.h2.exchange(this.headers, this.body);
    if (!this.reuseConnection && gen === this.generation) this.abort();
    if (typeof r === 'string') return networkFailure(r);
    if (r.status !== 200) return activeFailure(`non-200 HTTP response ${r.status}`);
    const type = String(r.headers['content-type'] ?? '');
    if (!type.startsWith('application/grpc')) return activeFailure(`invalid gRPC content-type "${type}"`);
    const grpcStatus = Number(r.trailers['grpc-status'] ?? r.headers['grpc-status'] ?? NaN);
    if (grpcStatus !== 0) {
      const message = r.trailers['grpc-message'] ?? r.headers['grpc-message'] ?? '';
      return activeFailure(Number.isNaN(grpcStatus) ? 'no grpc-status' : `grpc-status ${grpcStatus} ${String(message)}`.trim());
    }
    const status = decodeHealthCheckResponse(r.body);
    if (status === undefined) return activeFailure('invalid HealthCheckResponse');
    if (status !== 1) return activeFailure(SERVING_STATUS[status] ?? `serving status ${status}`);
    return { healthy: true };
  }

  abort(): void {
    this.generation++;
    this.h2?.close();
    this.h2 = null;
  }

  close(): void {
    this.abort();
  }
}
