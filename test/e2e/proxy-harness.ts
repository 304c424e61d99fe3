/**
 * Shared setup for the gateway-proxy end-to-end tests: a SnapshotCache and InProcessXdsClient feeding
 * a real GatewayProxy, a collecting logger, listener-error capture, and an undici Agent as client.
 */
import { Agent, request } from 'undici';
import { SnapshotCache } from '../../src/xds/cache.js';
import { InProcessXdsClient } from '../../src/xds/client.js';
import type { XdsSnapshot } from '../../src/xds/envoy-types.js';
import { GatewayProxy } from '../../src/proxy/gateway-proxy.js';
import type { LogFields, Logger } from '../../src/proxy/logger.js';
import type { DnsResolver } from '../../src/proxy/upstream/dns-cache.js';

export const ROLE = 'gloo-system~gateway-proxy';

export interface LogEntry {
  level: string;
  msg: string;
  fields: LogFields | undefined;
}

export function collectingLogger(entries: LogEntry[]): Logger {
  return {
    info: (msg, fields) => entries.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => entries.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => entries.push({ level: 'error', msg, fields }),
  };
}

export class ProxyHarness {
  readonly cache = new SnapshotCache();
  readonly logs: LogEntry[] = [];
  readonly listenerErrors: { name: string; address: string; port: number; err: Error }[] = [];
  readonly proxy: GatewayProxy;
  readonly agent = new Agent({ keepAliveTimeout: 1000 });

  constructor(opts: { dnsResolver?: DnsResolver } = {}) {
    this.proxy = new GatewayProxy({
      client: new InProcessXdsClient(this.cache, ROLE),
      logger: collectingLogger(this.logs),
      onListenerError: (name, address, port, err) => this.listenerErrors.push({ name, address, port, err }),
      drainTimeoutMs: 10_000,
      ...(opts.dnsResolver !== undefined ? { dnsResolver: opts.dnsResolver } : {}),
    });
    this.proxy.start();
  }

  /** Publishes a snapshot and waits until the proxy serves it. */
  async push(s: XdsSnapshot): Promise<void> {
    const applied = this.proxy.whenApplied(s.version);
    this.cache.set(ROLE, s);
    await applied;
  }

  async get(
    url: string,
    opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer | NodeJS.ReadableStream | null } = {},
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    const res = await request(url, {
      dispatcher: this.agent,
      method: (opts.method ?? 'GET') as 'GET',
      headers: opts.headers ?? {},
      body: (opts.body as string | null | undefined) ?? null,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }

  async close(): Promise<void> {
    await this.agent.close();
    await this.proxy.stop();
  }
}
