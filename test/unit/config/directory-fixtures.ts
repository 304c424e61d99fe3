/**
 * Helpers for the directory source tests: temp directories, file writes, YAML snippets, and a
 * snapshot collector that lets a test wait for a state (never for a time).
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatLoadError } from '../../../src/api/load.js';
import type { ApiSnapshot } from '../../../src/config/snapshot.js';

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gloo-ts-dir-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes in place (an editor without atomic saves). */
export function writeIn(dir: string, rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

/** Writes a dotfile next to the target and renames it over (how most tools save; never half-read). */
export function writeAtomic(dir: string, rel: string, text: string): void {
  const abs = join(dir, rel);
  mkdirSync(dirname(abs), { recursive: true });
  const tmp = join(dirname(abs), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, text);
  renameSync(tmp, abs);
}

export const upstreamFlat = (name: string, port: number) => `metadata:
  name: ${name}
static:
  hosts:
  - addr: 127.0.0.1
    port: ${port}
`;

export const upstreamKube = (name: string, namespace: string, port: number | string) => `apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  static:
    hosts:
    - addr: 127.0.0.1
      port: ${port}
`;

export const virtualServiceFlat = (name: string, upstream: string) => `metadata:
  name: ${name}
virtualHost:
  domains: ['*']
  routes:
  - matchers: [{prefix: /}]
    routeAction:
      single:
        upstream: {name: ${upstream}, namespace: gloo-system}
`;

/** `namespace.name` of each resource, in snapshot order. */
export function keys(list: readonly { metadata: { name: string; namespace: string } }[]): string[] {
  return list.map((r) => `${r.metadata.namespace}.${r.metadata.name}`);
}

export function upstreamPort(snapshot: ApiSnapshot, key: string): number | undefined {
  const us = snapshot.upstreams.find((u) => `${u.metadata.namespace}.${u.metadata.name}` === key);
  return (us?.spec as { static?: { hosts?: { port?: number }[] } } | undefined)?.static?.hosts?.[0]?.port;
}

export function errorLines(snapshot: ApiSnapshot): string[] {
  return snapshot.errors.map(formatLoadError);
}

/** Collects published snapshots; `waitFor` resolves with the first (latest or future) one matching. */
export class SnapshotLog {
  readonly all: ApiSnapshot[] = [];
  private waiters: { pred: (s: ApiSnapshot) => boolean; resolve: (s: ApiSnapshot) => void }[] = [];

  readonly push = (s: ApiSnapshot): void => {
    this.all.push(s);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(s)) return true;
      w.resolve(s);
      return false;
    });
  };

  get last(): ApiSnapshot | undefined {
    return this.all[this.all.length - 1];
  }

  waitFor(pred: (s: ApiSnapshot) => boolean, what: string, boundMs = 15_000): Promise<ApiSnapshot> {
    const last = this.last;
    if (last && pred(last)) return Promise.resolve(last);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const l = this.last;
        const summary = l
          ? `upstreams=${keys(l.upstreams).join(',')} vs=${keys(l.virtualServices).join(',')} errors=${errorLines(l).join(' | ')}`
          : 'none';
        reject(new Error(`no snapshot with ${what} (${this.all.length} published; last: ${summary})`));
      }, boundMs);
      this.waiters.push({
        pred,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      });
    });
  }
}
