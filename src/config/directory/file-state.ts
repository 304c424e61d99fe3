/**
 * One config file's state between reads: what it last contributed to the snapshot (its resources,
 * with last good versions kept where the newest text is unusable) and the errors it has now.
 *
 * Rules ("last good version"):
 *  - a file that does not parse (any `syntax` error) keeps ALL its resources from before;
 *  - a resource whose body is invalid (an error naming it) keeps its previous version from this file,
 *    if it had one; the error stays so the pipeline reports the resource Rejected;
 *  - everything else is taken from the newest text.
 * A file is re-read only when its stat signature changed (or it changed too recently to trust the
 * signature, as git does for "racily clean" entries), and re-parsed only when its content hash changed.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadResources, type LoadError, type LayoutHint } from '../../api/load.js';
import { resourceId, type AnyResource } from '../../api/resource.js';

/** Files bigger than this are reported, not read (a config file this big is a mistake). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Changes closer than this to the moment we last read a file may not have moved its mtime (coarse
 * file system clocks), so such a file is read again (content hash compared, so no re-parse).
 */
const RACY_WINDOW_NS = 2_000_000_000n;

/** What a stat says about a file; any difference means "read it again". */
export interface FileSignature {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export function signatureOf(st: BigIntStats): FileSignature {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

function sameSignature(a: FileSignature, b: FileSignature): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

export interface FileState {
  /** Path relative to the config directory, `/`-separated; also the `file` of its errors. */
  rel: string;
  signature: FileSignature;
  /** Wall clock (ns) just before the content was last read. */
  readAtNs: bigint;
  /** sha256 of the content last parsed; undefined when the file could not be read (retry next time). */
  hash: string | undefined;
  /** What this file contributes, in source order (frozen). */
  resources: readonly AnyResource[];
  errors: readonly LoadError[];
}

function needsRead(prev: FileState | undefined, sig: FileSignature): boolean {
  if (!prev || prev.hash === undefined) return true;
  if (!sameSignature(prev.signature, sig)) return true;
  return sig.mtimeNs + RACY_WINDOW_NS >= prev.readAtNs || sig.ctimeNs + RACY_WINDOW_NS >= prev.readAtNs;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * The file's new state, or undefined when it no longer exists. `prev` is its state from the last
 * scan (reused as is when nothing changed). Never throws.
 */
export async function refreshFile(
  abs: string,
  rel: string,
  stats: BigIntStats,
  hint: LayoutHint,
  prev: FileState | undefined,
): Promise<FileState | undefined> {
  const signature = signatureOf(stats);
  if (!needsRead(prev, signature)) return prev;
  const readAtNs = nowNs();
  const unreadable = (message: string): FileState => ({
    rel,
    signature,
    readAtNs,
    hash: undefined,
    resources: prev?.resources ?? [],
    errors: freezeErrors([{ file: rel, line: 1, column: 1, message }]),
  });
  if (stats.size > BigInt(MAX_FILE_BYTES)) {
    return unreadable(`file is too large (${stats.size} bytes, the limit is ${MAX_FILE_BYTES}); its resources are not read`);
  }
  let content: Buffer;
  try {
    content = await readFile(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return unreadable(`cannot read file: ${code ?? (err as Error).message}`);
  }
  const hash = createHash('sha256').update(content).digest('hex');
  if (prev && prev.hash === hash) return { ...prev, signature, readAtNs };
  const result = loadResources(content.toString('utf8'), rel, hint);
  const settled = settle(prev, result.resources, result.errors);
  return { rel, signature, readAtNs, hash, resources: settled, errors: freezeErrors(result.errors) };
}

/** The resources a file contributes after a read, applying the last-good-version rules. */
export function settle(
  prev: FileState | undefined,
  fresh: readonly AnyResource[],
  errors: readonly LoadError[],
): readonly AnyResource[] {
  if (errors.some((e) => e.syntax)) return prev?.resources ?? [];
  const out = fresh.map((r) => deepFreeze(r));
  if (!prev) return Object.freeze(out);
  const present = new Set(out.map((r) => resourceId(r)));
  const before = new Map(prev.resources.map((r) => [resourceId(r), r]));
  let kept = false;
  for (const e of errors) {
    if (!e.resource) continue;
    const id = resourceId({ kind: e.resource.kind, metadata: e.resource });
    const last = before.get(id);
    if (last && !present.has(id)) {
      out.push(last);
      present.add(id);
      kept = true;
    }
  }
  if (kept) out.sort((a, b) => (a.source?.line ?? 0) - (b.source?.line ?? 0));
  return Object.freeze(out);
}

function freezeErrors(errors: readonly LoadError[]): readonly LoadError[] {
  return Object.freeze(errors.map((e) => deepFreeze({ ...e })));
}

/** Freezes plain data recursively (snapshots are immutable and their resources shared between them). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  return value;
}
