/**
 * Envoy's HTTP health checker: `method` `path` with Host = `host` (else the cluster name) and
 * `user-agent: Envoy/HC`, then `request_headers_to_remove` and `request_headers_to_add`; HTTP/1.1 over
 * an undici Client of its own, or HTTP/2 (h2c) with `codec_client_type: HTTP2`.
 *
 * The answer is healthy when the status is in `expected_statuses` (default 200) and, with
 * `service_name_matcher`, the response's `x-envoy-upstream-healthchecked-cluster` matches it. A status
 * in `retriable_statuses` is a failure that counts towards `unhealthy_threshold`; any other status
 * marks the host unhealthy at once. No answer is a network failure. With `reuse_connection: false`
 * the connection is closed after every check.
 */
import { Client } from 'undici';
import type { OutgoingHttpHeaders } from 'node:http2';
import { applyHeaderEdits, inRanges, type HttpCheck } from '../health-check-config.js';
import { H2Connection } from './h2-connection.js';
import { activeFailure, authorityOf, networkFailure, type Probe, type ProbeResult, type ProbeTarget } from './probe.js';

export const HEALTH_CHECK_USER_AGENT = 'Envoy/HC';

export class HttpProbe implements Probe {
  private client: Client | null = null;
  private h2: H2Connection | null = null;
  private controller: AbortController | null = null;
  /** Bumped by every run and abort: a run that finishes late never closes a newer run's connection. */
  private generation = 0;
  private readonly headers: Record<string, string | string[]>;

  constructor(
    private readonly target: ProbeTarget,
    private readonly check: HttpCheck,
    private readonly reuseConnection: boolean,
    private readonly connectTimeoutMs: number,
  ) {
    const headers: Record<string, string | string[]> = { host: check.host, 'user-agent': HEALTH_CHECK_USER_AGENT };
    applyHeaderEdits(headers, check.headersToRemove, check.headersToAdd);
    this.headers = headers;
  }

  async run(): Promise<ProbeResult> {
    const gen = ++this.generation;
    const r = this.check.http2 ? await this.runH2() : await this.runH1();
    if (!this.reuseConnection && gen === this.generation) this.closeConnection();
    return r;
  }

  private async runH1(): Promise<ProbeResult> {
    this.client ??= new Client(`http://${authorityOf(this.target)}`, {
      pipelining: 1,
      connect: { timeout: this.connectTimeoutMs },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const ac = new AbortController();
    this.controller = ac;
    try {
      const res = await this.client.request({ path: this.check.path, method: this.check.method as 'GET', headers: this.headers, signal: ac.signal });
      await res.body.dump().catch(() => undefined);
      const h = res.headers;
      return this.evaluate(res.statusCode, h['x-envoy-upstream-healthchecked-cluster'], h['x-envoy-immediate-health-check-fail'] !== undefined);
    } catch (err) {
      return networkFailure((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    } finally {
      if (this.controller === ac) this.controller = null;
    }
  }

  private async runH2(): Promise<ProbeResult> {
    this.h2 ??= new H2Connection(this.target);
    const { host, ...rest } = this.headers;
    const headers: OutgoingHttpHeaders = {
      ...rest,
      ':method': this.check.method,
      ':path': this.check.path,
      ':scheme': 'http',
      ':authority': typeof host === 'string' ? host : this.check.host,
    };
    const r = await this.h2.exchange(headers, null);
    if (typeof r === 'string') return networkFailure(r);
    return this.evaluate(r.status, r.headers['x-envoy-upstream-healthchecked-cluster'], r.headers['x-envoy-immediate-health-check-fail'] !== undefined);
  }

  private evaluate(status: number, checkedCluster: string | string[] | undefined, immediateFail: boolean): ProbeResult {
    const c = this.check;
    let r: ProbeResult;
    if (!inRanges(c.expected, status)) {
      r = activeFailure(`status ${status}`, inRanges(c.retriable, status));
    } else if (c.serviceName !== null) {
      const v = Array.isArray(checkedCluster) ? (checkedCluster[0] ?? '') : (checkedCluster ?? '');
      r = c.serviceName.matches(v) ? { healthy: true } : activeFailure(`x-envoy-upstream-healthchecked-cluster "${v}" does not match`);
      r.verifiedCluster = true;
    } else {
      r = { healthy: true };
    }
    if (immediateFail) r.immediateFail = true;
    return r;
  }

  abort(): void {
    this.generation++;
    this.controller?.abort();
    this.controller = null;
    this.closeConnection();
  }

  close(): void {
    this.abort();
  }

  private closeConnection(): void {
    const c = this.client;
    this.client = null;
    if (c !== null) void c.destroy().catch(() => undefined);
    this.h2?.close();
    this.h2 = null;
  }
}
