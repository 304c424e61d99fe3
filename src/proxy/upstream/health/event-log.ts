/**
 * Envoy's health check event log (`event_log_path`): one JSON `data.core.v3.HealthCheckEvent` per
 * line — `eject_unhealthy_event {failure_type}` when a host turns unhealthy, `add_healthy_event
 * {first_check}` when it turns healthy, `health_check_failure_event {failure_type, first_check}` for
 * the first check's failure (every failure with `always_log_health_check_failures`).
 *
 * Files are opened for appending when a check names them and closed when no check does; a file that
 * cannot be written is logged once and its events dropped. Events are rare (transitions), so each
 * file buffers at most 1 MiB of them and drops past that.
 *
 * Example line: `{"health_checker_type":"HTTP","host":{"socket_address":{"address":"10.0.0.1",
 * "port_value":8080}},"cluster_name":"echo_gloo-system","eject_unhealthy_event":{"failure_type":
 * "ACTIVE"},"timestamp":"2024-05-01T10:00:00.000Z"}`.
 */
import fs from 'node:fs';
import type { Logger } from '../../logger.js';

const MAX_BUFFERED = 1024 * 1024;

interface OpenFile {
  stream: fs.WriteStream;
  users: number;
  failed: boolean;
}

export type HealthEvent =
  | { eject_unhealthy_event: { failure_type: string } }
  | { add_healthy_event: { first_check: boolean } }
  | { health_check_failure_event: { failure_type: string; first_check: boolean } };

/** Writes events of one check to one file; `release()` when the check stops. */
export interface HealthEventLog {
  write(checker: 'HTTP' | 'TCP' | 'GRPC', cluster: string, address: string, port: number, event: HealthEvent): void;
  release(): void;
}

export class HealthEventLogs {
  private readonly files = new Map<string, OpenFile>();
  /** Files being closed (a second `close()` waits for the first one's files too). */
  private closing: Promise<unknown> = Promise.resolve();

  constructor(private readonly logger: Logger) {}

  open(path: string): HealthEventLog {
    let f = this.files.get(path);
    if (f === undefined) {
      const stream = fs.createWriteStream(path, { flags: 'a' });
      const file: OpenFile = { stream, users: 0, failed: false };
      stream.on('error', (err) => {
        if (!file.failed) this.logger.warn('health check event log cannot be written; its events are dropped', { path, err });
        file.failed = true;
      });
      f = file;
      this.files.set(path, f);
    }
    const file = f;
    file.users++;
    let released = false;
    return {
      write: (checker, cluster, address, port, event) => {
        if (released || file.failed || file.stream.writableLength > MAX_BUFFERED) return;
        const line = { health_checker_type: checker, host: { socket_address: { address, port_value: port } }, cluster_name: cluster, ...event, timestamp: new Date().toISOString() };
        file.stream.write(JSON.stringify(line) + '\n');
      },
      release: () => {
        if (released) return;
        released = true;
        if (--file.users > 0) return;
        this.files.delete(path);
        this.closing = Promise.all([this.closing, this.end(file)]);
      },
    };
  }

  private end(f: OpenFile): Promise<void> {
    return new Promise<void>((resolve) => {
      if (f.failed) return resolve();
      f.stream.once('error', () => resolve());
      f.stream.end(() => resolve());
    });
  }

  /** Closes every file, waiting for what is buffered (including files released before). */
  async close(): Promise<void> {
    const all = [...this.files.values()];
    this.files.clear();
    const done = Promise.all(all.map((f) => this.end(f)));
    this.closing = Promise.all([this.closing, done]);
    await this.closing;
  }
}
