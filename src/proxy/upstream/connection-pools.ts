/**
 * Connection pools over undici, one `Pool` per (cluster, endpoint, connect timeout). A config update
 * keeps the pools of endpoints that still exist and closes the others gracefully: `Pool.close()`
 * lets requests already dispatched on them finish. Requests pick a host and dispatch in the same tick
 * as they start, so an old config's request never dispatches onto a pool retired by a newer one.
 */
import { Pool } from 'undici';
import type { Logger } from '../logger.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface PoolOptions {
  connectTimeoutMs: number;
}

export class ConnectionPools {
  private pools = new Map<string, Pool>();
  /** Pools retired and still finishing their in-flight requests. */
  private closing = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** The pool for an endpoint of a cluster, reusing the existing one when the settings are unchanged. */
  acquire(cluster: string, origin: string, opts: PoolOptions, used: Set<string>): Pool {
    const key = `${cluster}\u0000${origin}\u0000${opts.connectTimeoutMs}`;
    used.add(key);
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: 1024,
        pipelining: 1,
        connect: { timeout: opts.connectTimeoutMs },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Closes (gracefully) every pool whose key is not in `used`. */
  retainOnly(used: Set<string>): void {
    for (const [key, pool] of this.pools) {
      if (used.has(key)) continue;
      this.pools.delete(key);
      this.closeGracefully(pool, key);
    }
  }

  private closeGracefully(pool: Pool, key: string): void {
    const p = pool
      .close()
      .catch((err: unknown) => this.logger.warn('closing upstream pool failed', { pool: key.split('\u0000').join(' '), err }))
      .finally(() => this.closing.delete(p));
    this.closing.add(p);
  }

  /** Closes every pool; waits for in-flight requests at most `graceMs`, then destroys. */
  async closeAll(graceMs: number): Promise<void> {
    for (const [key, pool] of this.pools) this.closeGracefully(pool, key);
    const all = [...this.pools.values()];
    this.pools.clear();
    const settled = Promise.allSettled([...this.closing]);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), graceMs);
      timer.unref();
    });
    if ((await Promise.race([settled, expired])) === 'expired') {
      await Promise.allSettled(all.map((p) => p.destroy()));
    }
    clearTimeout(timer);
  }

  get size(): number {
    return this.pools.size;
  }
}
