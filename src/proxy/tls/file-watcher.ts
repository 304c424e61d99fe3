/**
 * Watches the certificate, key and CA files the listeners' TLS contexts read (`sslFiles` → Envoy
 * `filename` data sources) and calls back when one's content changes, so the data plane rebuilds the
 * contexts: new connections get the new certificate, open ones keep theirs (Envoy's behaviour for
 * watched data sources).
 *
 * The directory of each file is watched, not the file: a rotation usually replaces the file (write +
 * rename, or Kubernetes' `..data` symlink swap), which a watch on the old inode would miss. Any event in
 * a watched directory re-reads the watched files (after a short settle delay) and compares contents, so
 * a touch or an unrelated file does not trigger a rebuild. `update()` changes the watched set.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.js';

const SETTLE_MS = 100;

export class TlsFileWatcher {
  private readonly dirs = new Map<string, FSWatcher>();
  private digests = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {}

  /** Watches exactly these files (their current content is the baseline). */
  update(files: ReadonlySet<string>): void {
    const digests = new Map<string, string>();
    for (const f of files) digests.set(f, this.digests.get(f) ?? digestOf(f));
    this.digests = digests;
    const wanted = new Set([...files].map((f) => path.dirname(f)));
    for (const [dir, w] of this.dirs) {
      if (wanted.has(dir)) continue;
      w.close();
      this.dirs.delete(dir);
    }
    for (const dir of wanted) {
      if (this.dirs.has(dir)) continue;
      try {
        const w = watch(dir, () => this.schedule());
        w.on('error', (err) => this.logger.warn('certificate directory watch failed; rotation of its files needs a config change', { dir, err }));
        w.unref();
        this.dirs.set(dir, w);
      } catch (err) {
        this.logger.warn('cannot watch certificate directory; rotation of its files needs a config change', { dir, err });
      }
    }
  }

  close(): void {
    for (const w of this.dirs.values()) w.close();
    this.dirs.clear();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.check();
    }, SETTLE_MS);
    this.timer.unref();
  }

  private check(): void {
    let changed = false;
    for (const [f, old] of this.digests) {
      const now = digestOf(f);
      if (now !== old) {
        this.digests.set(f, now);
        changed = true;
        this.logger.info('certificate file changed; rebuilding TLS contexts', { file: f });
      }
    }
    if (changed) this.onChange();
  }
}

/** A digest of the file's content ('' when it cannot be read: a later successful read is a change). */
function digestOf(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}
