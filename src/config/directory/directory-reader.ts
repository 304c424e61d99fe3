/**
 * Reads a config directory into an ApiSnapshot, remembering each file's state so that the next
 * scan re-reads only what changed. Shared by the watching source and the one-shot loader.
 *
 * Walks every sub-directory (following symbolic links, guarding against loops), skipping dotfiles,
 * dot-directories and editor temp files; reads `*.yaml`, `*.yml`, `*.json`.
 */
import type { BigIntStats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadError } from '../../api/load.js';
import type { ApiSnapshot } from '../snapshot.js';
import { assembleSnapshot } from './assemble.js';
import { refreshFile, type FileState } from './file-state.js';
import { comparePaths, isConfigFileName, isIgnoredName, layoutHint } from './layout.js';

export interface ScanResult {
  snapshot: ApiSnapshot;
  /** Every directory walked (the root first), for watching: absolute path and `dev:ino` identity. */
  directories: WalkedDirectory[];
}

export interface WalkedDirectory {
  path: string;
  /** `dev:ino`: a directory removed and created again under the same path is a new directory. */
  id: string;
}

interface Walked {
  files: Map<string, { abs: string; stats: BigIntStats }>;
  directories: WalkedDirectory[];
  errors: LoadError[];
}

/** Thrown by `scan` when the config directory itself cannot be read. */
export class ConfigDirectoryError extends Error {
  readonly code = 'GLOO_CONFIG_DIR_UNREADABLE';
  constructor(
    readonly dir: string,
    override readonly cause: unknown,
  ) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    super(`cannot read config directory ${dir}: ${reason}`);
  }
}

/** Files read at once: enough to overlap I/O, few enough never to run out of file descriptors. */
const READ_CONCURRENCY = 32;

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class DirectoryReader {
  private states = new Map<string, FileState>();

  constructor(readonly dir: string) {}

  /** Reads what changed since the last scan; throws ConfigDirectoryError when `dir` is unreadable. */
  async scan(): Promise<ScanResult> {
    const walked = await this.walk();
    const rels = [...walked.files.keys()].sort(comparePaths);
    const next = new Map<string, FileState>();
    const states = await mapLimited(rels, READ_CONCURRENCY, (rel) => {
      const { abs, stats } = walked.files.get(rel)!;
      return refreshFile(abs, rel, stats, layoutHint(rel), this.states.get(rel));
    });
    const present: FileState[] = [];
    for (const s of states) {
      if (!s) continue; // deleted between the walk and the read
      next.set(s.rel, s);
      present.push(s);
    }
    this.states = next;
    return { snapshot: assembleSnapshot(present, walked.errors), directories: walked.directories };
  }

  private async walk(): Promise<Walked> {
    const out: Walked = { files: new Map(), directories: [], errors: [] };
    let rootStats: BigIntStats;
    try {
      rootStats = await stat(this.dir, { bigint: true });
      if (!rootStats.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (err) {
      throw new ConfigDirectoryError(this.dir, err);
    }
    const rootId = `${rootStats.dev}:${rootStats.ino}`;
    const visited = new Set<string>([rootId]);
    const visit = async (abs: string, rel: string, id: string, isRoot: boolean): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(abs);
      } catch (err) {
        if (isRoot) throw new ConfigDirectoryError(this.dir, err);
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') {
          out.errors.push({ file: rel, line: 1, column: 1, message: `cannot read directory: ${code ?? (err as Error).message}` });
        }
        return;
      }
      out.directories.push({ path: abs, id });
      const entries = await Promise.all(
        names
          .filter((name) => !isIgnoredName(name))
          .sort(comparePaths)
          .map(async (name) => {
            const childAbs = join(abs, name);
            try {
              return { name, childAbs, st: await stat(childAbs, { bigint: true }) }; // follows symbolic links
            } catch {
              return undefined; // vanished, or a dangling link
            }
          }),
      );
      const subdirs: [string, string, string][] = [];
      for (const entry of entries) {
        if (!entry) continue;
        const { name, childAbs, st } = entry;
        const childRel = rel ? `${rel}/${name}` : name;
        if (st.isDirectory()) {
          const key = `${st.dev}:${st.ino}`;
          if (visited.has(key)) continue; // a link back up the tree, or a second link to one directory
          visited.add(key);
          subdirs.push([childAbs, childRel, key]);
        } else if (st.isFile() && isConfigFileName(name)) {
          out.files.set(childRel, { abs: childAbs, stats: st });
        }
      }
      for (const [childAbs, childRel, key] of subdirs) await visit(childAbs, childRel, key, false);
    };
    await visit(this.dir, '', rootId, true);
    return out;
  }
}
