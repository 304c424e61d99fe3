/**
 * The directory config source (`gloo run --dir`, Gloo's `directoryConfigSource`): publishes an
 * ApiSnapshot of a directory of YAML/JSON files on start and after every change.
 *
 * Watching is only a trigger: every change event (debounced, bursts coalesced) leads to a re-scan,
 * which stats every file and re-reads only those that changed, so a missed or mislabelled event
 * cannot leave the snapshot wrong. A periodic re-scan (`resyncMs`) covers what no watcher reports
 * (inotify queue overflow, edits through hard links, network file systems). A snapshot deep-equal
 * to the last one published is not published.
 *
 * Why one non-recursive `fs.watch` per directory, not `fs.watch(dir, {recursive: true})`: on Linux,
 * Node 20 emulates recursive watching with one inotify watch per *file*, keyed by path; after an
 * atomic save (write a temp file, rename it over — what editors, kubectl cp and ConfigMap updates
 * do) the watch stays on the dead inode and later edits and the deletion of that file are never
 * reported (verified on Node 20.20). A directory watch reports every change to its entries, and the
 * scan already knows every directory, so it adds and drops watchers as directories come and go.
 */
import { watch, type FSWatcher } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { formatLoadError, type LoadError } from '../../api/load.js';
import type { ApiSnapshot, ConfigSource } from '../snapshot.js';
import { ConfigDirectoryError, DirectoryReader, type WalkedDirectory } from './directory-reader.js';

export interface DirectorySourceLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface DirectorySourceOptions {
  /** The config directory (Gloo's `directoryConfigSource.directory`). */
  dir: string;
  /** Quiet time after the last change event before re-reading. Default 25 ms. */
  debounceMs?: number;
  /** Longest a continuous stream of events may delay a re-read. Default max(20 × debounceMs, 1 s). */
  maxDelayMs?: number;
  /** Full re-scan period as a safety net for missed events; 0 disables. Default 10 s. */
  resyncMs?: number;
  logger?: DirectorySourceLogger;
}

const quietLogger: DirectorySourceLogger = { info() {}, warn() {}, error() {} };

/** Reads `dir` once (for offline tools: `glooctl check`, `glooctl x translate`). Rejects if `dir` is unreadable. */
export async function loadDirectoryOnce(dir: string): Promise<ApiSnapshot> {
  return (await new DirectoryReader(dir).scan()).snapshot;
}

export class DirectoryConfigSource implements ConfigSource {
  private readonly reader: DirectoryReader;
  private readonly logger: DirectorySourceLogger;
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  private readonly resyncMs: number;
  private onSnapshot: ((snapshot: ApiSnapshot) => void) | undefined;
  private published: ApiSnapshot | undefined;
  /** Keyed by `path` NUL `dev:ino`. */
  private readonly dirWatchers = new Map<string, FSWatcher>();
  private debounceTimer: NodeJS.Timeout | undefined;
  private firstPendingAt = 0;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private dirMissing = false;

  constructor(opts: DirectorySourceOptions) {
    this.reader = new DirectoryReader(opts.dir);
    this.logger = opts.logger ?? quietLogger;
    this.debounceMs = opts.debounceMs ?? 25;
    this.maxDelayMs = opts.maxDelayMs ?? Math.max(20 * this.debounceMs, 1000);
    this.resyncMs = opts.resyncMs ?? 10_000;
  }

  get dir(): string {
    return this.reader.dir;
  }

  /** Reads the directory, publishes the first snapshot, then watches. Rejects if `dir` is unreadable. */
  async start(onSnapshot: (snapshot: ApiSnapshot) => void): Promise<void> {
    if (this.onSnapshot) throw new Error('DirectoryConfigSource already started');
    this.onSnapshot = onSnapshot;
    this.stopped = false;
    this.published = undefined; // a new subscriber always gets the first snapshot
    let first;
    try {
      first = await this.reader.scan();
    } catch (err) {
      this.onSnapshot = undefined;
      throw err;
    }
    if (this.stopped) return;
    // A file created between the scan and the watchers' start is caught by one more scan.
    if (this.syncWatchers(first.directories)) this.onChange();
    this.publish(first.snapshot);
    if (this.resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.requestRefresh(), this.resyncMs);
      this.resyncTimer.unref();
    }
    this.logger.info('watching config directory', { dir: this.dir });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.debounceTimer = this.resyncTimer = undefined;
    this.closeWatchers();
    await this.running;
    this.onSnapshot = undefined;
  }

  /** A change event: re-read after `debounceMs` of quiet, but no later than `maxDelayMs` after the first. */
  private onChange(): void {
    if (this.stopped) return;
    const now = Date.now();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    else this.firstPendingAt = now;
    const delay = Math.max(0, Math.min(this.debounceMs, this.firstPendingAt + this.maxDelayMs - now));
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      this.requestRefresh();
    }, delay);
  }

  /** Runs one re-scan at a time; a request during a scan runs one more scan after it. */
  private requestRefresh(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.refresh();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
  }

  private async refresh(): Promise<void> {
    let result;
    try {
      result = await this.reader.scan();
    } catch (err) {
      if (!(err instanceof ConfigDirectoryError)) {
        this.logger.error('config directory scan failed', { dir: this.dir, error: (err as Error).stack ?? String(err) });
        return;
      }
      // The directory itself is gone or unreadable (being remounted, replaced): keep serving the last
      // snapshot rather than dropping all configuration; the resync timer notices when it is back.
      if (!this.dirMissing) this.logger.error(`${err.message}; keeping the last configuration`, { dir: this.dir });
      this.dirMissing = true;
      this.closeWatchers();
      return;
    }
    if (this.stopped) return;
    if (this.dirMissing) this.logger.info('config directory is readable again', { dir: this.dir });
    this.dirMissing = false;
    if (this.syncWatchers(result.directories)) this.again = true; // catch files created before the new watchers
    this.publish(result.snapshot);
  }

  private publish(snapshot: ApiSnapshot): void {
    const previous = this.published;
    if (previous && isDeepStrictEqual(previous, snapshot)) return;
    this.published = snapshot;
    this.logNewErrors(previous?.errors ?? [], snapshot.errors);
    try {
      this.onSnapshot?.(snapshot);
    } catch (err) {
      this.logger.error('config snapshot subscriber failed', { dir: this.dir, error: (err as Error).stack ?? String(err) });
    }
  }

  private logNewErrors(before: readonly LoadError[], now: readonly LoadError[]): void {
    const known = new Set(before.map(formatLoadError));
    for (const e of now) {
      const text = formatLoadError(e);
      if (!known.has(text)) this.logger.warn(`config error: ${text}`, { dir: this.dir });
    }
  }

  /** Makes the watchers match the directories found; true when a watcher was added. */
  private syncWatchers(directories: readonly WalkedDirectory[]): boolean {
    if (this.stopped) return false;
    let added = false;
    const wanted = new Set(directories.map((d) => `${d.path}\0${d.id}`));
    for (const [key, w] of this.dirWatchers) {
      if (!wanted.has(key)) {
        w.close();
        this.dirWatchers.delete(key);
      }
    }
    for (const d of directories) {
      const key = `${d.path}\0${d.id}`;
      if (this.dirWatchers.has(key)) continue;
      try {
        const w = watch(d.path, () => this.onChange());
        w.on('error', () => {
          // Usually the directory was removed; the next scan drops it or watches the new one.
          w.close();
          if (this.dirWatchers.get(key) === w) this.dirWatchers.delete(key);
          this.onChange();
        });
        this.dirWatchers.set(key, w);
        added = true;
      } catch (err) {
        this.logger.warn('cannot watch directory; changes in it are seen at the next resync', {
          dir: d.path,
          error: (err as Error).message,
        });
      }
    }
    return added;
  }

  private closeWatchers(): void {
    for (const w of this.dirWatchers.values()) w.close();
    this.dirWatchers.clear();
  }
}
