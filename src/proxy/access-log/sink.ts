/**
 * Access-log file sinks: one per path, shared by every listener and kept across config updates while
 * some config still names the path (a config change reopens nothing unless the path changes). Lines
 * are appended to an in-memory batch and written on the next turn of the event loop, so the request
 * path never waits on the disk. The batch plus the bytes the stream has not flushed are bounded
 * (`maxBufferedBytes`, 4 MiB by default): past it lines are dropped and counted
 * (`access_log_dropped`). `/dev/stdout` and `/dev/stderr` write to the process' own streams.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Logger } from '../logger.js';
import type { ProxyStats } from '../stats.js';

export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export class FileSink {
  /** Lines are encoded straight into this buffer (no join, no second encoding at write time). */
  private buf: Buffer = Buffer.allocUnsafe(FLUSH_BYTES);
  private batchBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private errored = false;
  private readonly stream: Writable;
  private readonly owned: boolean;

  constructor(
    readonly path: string,
    private readonly stats: ProxyStats,
    private readonly logger: Logger,
    private readonly maxBufferedBytes: number,
  ) {
    if (path === '/dev/stdout') {
      this.stream = process.stdout;
      this.owned = false;
    } else if (path === '/dev/stderr') {
      this.stream = process.stderr;
      this.owned = false;
    } else {
      this.stream = createWriteStream(path, { flags: 'a' });
      this.owned = true;
      this.stream.on('error', (err) => {
        if (!this.errored) this.logger.error('access log file cannot be written; its lines are dropped', { path, err });
        this.errored = true;
      });
    }
  }

  write(line: string): void {
    if (this.closed || this.errored) {
      this.stats.access_log_dropped++;
      return;
    }
    const max = line.length * 3; // a UTF-8 bound
    if (this.batchBytes + max + this.stream.writableLength > this.maxBufferedBytes) {
      this.stats.access_log_dropped++;
      return;
    }
    this.stats.access_log_lines++;
    if (this.batchBytes + max > this.buf.length) {
      this.flush();
      if (max > this.buf.length) this.buf = Buffer.allocUnsafe(max);
    }
    this.batchBytes += this.buf.write(line, this.batchBytes);
    // Like Envoy's file_flush_interval: lines are written in batches, by size or after a short delay,
    // so a busy listener makes a few writes per second instead of one per event-loop turn.
    if (this.batchBytes >= FLUSH_BYTES - 1024) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(flushSink, FLUSH_INTERVAL_MS, this);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.batchBytes === 0) return;
    const chunk = this.buf.subarray(0, this.batchBytes);
    // The stream keeps `chunk` until written: the next lines go to a fresh buffer.
    this.buf = Buffer.allocUnsafe(FLUSH_BYTES);
    this.batchBytes = 0;
    if (!this.errored) this.stream.write(chunk);
  }

  /** Flushes what is batched and closes the file (the process streams stay open). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    if (!this.owned || this.errored) return Promise.resolve();
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

/** Batch size that triggers a write at once. */
const FLUSH_BYTES = 64 * 1024;
/** Longest a logged line waits for its batch to be written. */
const FLUSH_INTERVAL_MS = 50;

function flushSink(s: FileSink): void {
  s.flush();
}

/** The sinks by path. `retain` keeps the listed paths open and closes the others. */
export class SinkRegistry {
  private readonly sinks = new Map<string, FileSink>();

  constructor(
    private readonly stats: ProxyStats,
    private readonly logger: Logger,
    private readonly maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES,
  ) {}

  get(path: string): FileSink {
    let s = this.sinks.get(path);
    if (s === undefined) {
      s = new FileSink(path, this.stats, this.logger, this.maxBufferedBytes);
      this.sinks.set(path, s);
    }
    return s;
  }

  /** Closes the sinks whose path is not in `paths` (after a config swap). */
  retain(paths: ReadonlySet<string>): void {
    for (const [p, s] of this.sinks) {
      if (paths.has(p)) continue;
      this.sinks.delete(p);
      void s.close();
    }
  }

  async close(): Promise<void> {
    const all = [...this.sinks.values()];
    this.sinks.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
