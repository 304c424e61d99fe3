/**
 * Envoy's TCP health checker: connect, write `send` (if any), and wait until every `receive` block
 * has arrived in order — not necessarily contiguously (Envoy's "fuzzy" match). With no `receive`
 * blocks a successful connection is enough. A connection that fails or closes before the match is a
 * network failure; a mismatching answer waits for more data until the session's timeout.
 * With `reuse_connection` (the default) the connection stays open between checks.
 */
import net from 'node:net';
import type { TcpCheck } from '../health-check-config.js';
import { HEALTHY, networkFailure, type Probe, type ProbeResult, type ProbeTarget } from './probe.js';

/** Whether every block appears in `data`, in order. */
export function containsInOrder(data: Buffer, blocks: readonly Buffer[]): boolean {
  let from = 0;
  for (const b of blocks) {
    const at = data.indexOf(b, from);
    if (at === -1) return false;
    from = at + b.length;
  }
  return true;
}

/** Past this many unmatched bytes the answer can only be wrong: stop buffering. */
const MAX_BUFFER = 64 * 1024;

export class TcpProbe implements Probe {
  private socket: net.Socket | null = null;
  private connected = false;
  private received: Buffer = Buffer.alloc(0);
  private pending: ((r: ProbeResult) => void) | null = null;
  private lastError = '';

  constructor(
    private readonly target: ProbeTarget,
    private readonly check: TcpCheck,
    private readonly reuseConnection: boolean,
  ) {}

  run(): Promise<ProbeResult> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.received = Buffer.alloc(0);
      const s = this.socket;
      if (s !== null && this.connected && !s.destroyed) this.onConnected(s);
      else this.connect();
    });
  }

  private connect(): void {
    const s = net.connect({ host: this.target.address, port: this.target.port });
    this.socket = s;
    this.lastError = '';
    this.connected = false;
    s.setNoDelay(true);
    s.on('connect', () => {
      if (this.socket !== s) return;
      this.connected = true;
      this.onConnected(s);
    });
    s.on('data', (d: Buffer) => {
      if (this.socket !== s || this.pending === null) return;
      if (this.received.length < MAX_BUFFER) this.received = Buffer.concat([this.received, d]);
      if (containsInOrder(this.received, this.check.receive)) this.finish(HEALTHY);
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.lastError = err.code ?? err.message;
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.connected = false;
      this.finish(networkFailure(this.lastError || 'connection closed'));
    });
  }

  private onConnected(s: net.Socket): void {
    if (this.check.send.length > 0) s.write(this.check.send);
    if (this.check.receive.length === 0) this.finish(HEALTHY);
  }

  private finish(r: ProbeResult): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    if (!this.reuseConnection) this.dropSocket();
    p(r);
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    this.connected = false;
    s?.destroy();
  }

  abort(): void {
    this.pending = null;
    this.dropSocket();
  }

  close(): void {
    this.abort();
  }
}
