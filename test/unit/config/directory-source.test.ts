/**
 * The directory config source: Gloo's layout and free-form files, last good versions, duplicates,
 * and watching. Real temp directories; tests wait for states, never assert timings.
 */
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, rmSync, symlinkSync, renameSync, utimesSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { secretData } from '../../../src/api/load.js';
import { DirectoryConfigSource, loadDirectoryOnce, ConfigDirectoryError } from '../../../src/config/directory/index.js';
import { DirectoryReader } from '../../../src/config/directory/directory-reader.js';
import type { ApiSnapshot } from '../../../src/config/snapshot.js';
import {
  SnapshotLog,
  errorLines,
  keys,
  makeTempDir,
  removeDir,
  upstreamFlat,
  upstreamKube,
  upstreamPort,
  virtualServiceFlat,
  writeAtomic,
  writeIn,
} from './directory-fixtures.js';

describe('loadDirectoryOnce: layout and free-form files', () => {
  let dir: string;
  let snap: ApiSnapshot;

  before(async () => {
    dir = makeTempDir();
    // Gloo's layout, flat form: kind and namespace from the path.
    writeIn(dir, 'virtualservices/gloo-system/default.yaml', virtualServiceFlat('default', 'petstore'));
    writeIn(dir, 'upstreams/gloo-system/petstore.yaml', upstreamFlat('petstore', 8080));
    writeIn(dir, 'upstreams/team-a/billing.yaml', upstreamFlat('billing', 9000));
    // <plural>/<file>.yaml: kind from the path, several documents, namespace from metadata or the default.
    writeIn(
      dir,
      'upstreams/more.yml',
      `${upstreamFlat('one', 1001)}---\nmetadata: {name: two, namespace: team-b}\nstatic: {hosts: [{addr: 127.0.0.1, port: 1002}]}\n`,
    );
    // Free-form, Kubernetes form, multi-document.
    writeIn(
      dir,
      'apps/petstore/all.yaml',
      `${upstreamKube('store', 'apps', 7000)}---\n# an empty document is fine\n---\napiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: store, namespace: apps}
spec:
  virtualHost:
    domains: [store.example.com]
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: store, namespace: apps}}}
`,
    );
    // JSON, Kubernetes form.
    writeIn(
      dir,
      'apps/extra.json',
      JSON.stringify({
        apiVersion: 'gloo.solo.io/v1',
        kind: 'Upstream',
        metadata: { name: 'json-us', namespace: 'apps' },
        spec: { static: { hosts: [{ addr: '10.0.0.1', port: 80 }] } },
      }),
    );
    // Secrets: Gloo's layout (flat) and kind: Secret anywhere.
    writeIn(
      dir,
      'secrets/gloo-system/tls.yaml',
      `metadata: {name: tls}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${Buffer.from('CERT').toString('base64')}\nstringData:\n  tls.key: KEY\n`,
    );
    writeIn(
      dir,
      'misc/creds.yml',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: apps}\ntype: Opaque\nstringData: {password: hunter2}\n',
    );
    // Ignored: dotfiles, dot-directories, editor temp files, other extensions.
    for (const rel of [
      '.hidden/u.yaml',
      'upstreams/gloo-system/.u.yaml',
      'upstreams/gloo-system/u.yaml~',
      'upstreams/gloo-system/#u.yaml#',
      'upstreams/gloo-system/.#u.yaml',
      'upstreams/gloo-system/u.yaml.swp',
      'upstreams/gloo-system/notes.txt',
    ]) {
      writeIn(dir, rel, upstreamKube('ignored', 'gloo-system', 1));
    }
    snap = await loadDirectoryOnce(dir);
  });

  after(() => removeDir(dir));

  it('reads the flat form with kind and namespace from the path', () => {
    assert.deepEqual(keys(snap.virtualServices), ['apps.store', 'gloo-system.default']);
    const vs = snap.virtualServices.find((v) => v.metadata.name === 'default')!;
    assert.equal(vs.apiVersion, 'gateway.solo.io/v1');
    assert.deepEqual(vs.source, { file: 'virtualservices/gloo-system/default.yaml', line: 1 });
    assert.equal(upstreamPort(snap, 'team-a.billing'), 9000);
  });

  it('reads every file in path order, documents in file order', () => {
    assert.deepEqual(keys(snap.upstreams), [
      'apps.json-us', // apps/extra.json
      'apps.store', // apps/petstore/all.yaml
      'gloo-system.petstore', // upstreams/gloo-system/petstore.yaml
      'gloo-system.one', // upstreams/more.yml
      'team-b.two',
      'team-a.billing', // upstreams/team-a/billing.yaml
    ]);
    assert.equal(snap.upstreams.find((u) => u.metadata.name === 'two')!.source!.line, 8);
  });

  it('reads secrets with data and stringData', () => {
    assert.deepEqual(keys(snap.secrets), ['apps.creds', 'gloo-system.tls']);
    const tls = snap.secrets.find((s) => s.metadata.name === 'tls')!;
    assert.equal(tls.spec.type, 'kubernetes.io/tls');
    const data = secretData(tls.spec);
    assert.equal(data['tls.crt']!.toString(), 'CERT');
    assert.equal(data['tls.key']!.toString(), 'KEY');
    assert.equal(secretData(snap.secrets[0]!.spec)['password']!.toString(), 'hunter2');
  });

  it('ignores dotfiles, dot-directories, editor temp files and other extensions', () => {
    assert.ok(!snap.upstreams.some((u) => u.metadata.name === 'ignored'));
    assert.deepEqual(errorLines(snap), []);
  });

  it('publishes an immutable snapshot', () => {
    assert.ok(Object.isFrozen(snap) && Object.isFrozen(snap.upstreams) && Object.isFrozen(snap.upstreams[0]!.spec));
  });
});

describe('loadDirectoryOnce: errors and duplicates', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => removeDir(dir));

  it('reports syntax errors with the path relative to the directory, line and column', async () => {
    writeIn(dir, 'upstreams/gloo-system/bad.yaml', 'metadata:\n  name: bad\nstatic: [1, 2\n');
    writeIn(dir, 'upstreams/gloo-system/good.yaml', upstreamFlat('good', 1));
    const snap = await loadDirectoryOnce(dir);
    assert.deepEqual(keys(snap.upstreams), ['gloo-system.good']);
    assert.equal(snap.errors.length >= 1, true);
    const e = snap.errors[0]!;
    assert.equal(e.file, 'upstreams/gloo-system/bad.yaml');
    assert.equal(e.syntax, true);
    assert.ok(e.line >= 3, `line ${e.line}`);
    assert.match(errorLines(snap)[0]!, /^upstreams\/gloo-system\/bad\.yaml:\d+:\d+: /);
  });

  it('reports a free-form file without a kind', async () => {
    writeIn(dir, 'misc/flat.yaml', upstreamFlat('lost', 1));
    const snap = await loadDirectoryOnce(dir);
    assert.deepEqual(keys(snap.upstreams), []);
    assert.equal(snap.errors.length, 1);
    assert.equal(snap.errors[0]!.file, 'misc/flat.yaml');
    assert.match(snap.errors[0]!.message, /cannot tell the kind/);
  });

  it('keeps the first definition in path order and reports the duplicate at its own location', async () => {
    writeIn(dir, 'a.yaml', upstreamKube('dup', 'gloo-system', 1111));
    writeIn(dir, 'b.yaml', `${upstreamKube('other', 'gloo-system', 2)}---\n${upstreamKube('dup', 'gloo-system', 2222)}`);
    writeIn(dir, 'upstreams/gloo-system/dup.yaml', upstreamFlat('dup', 3333));
    const snap = await loadDirectoryOnce(dir);
    assert.deepEqual(keys(snap.upstreams), ['gloo-system.dup', 'gloo-system.other']);
    assert.equal(upstreamPort(snap, 'gloo-system.dup'), 1111);
    assert.deepEqual(errorLines(snap), [
      'b.yaml:12:1: duplicate Upstream gloo-system.dup: already defined at a.yaml:1; this definition is ignored',
      'upstreams/gloo-system/dup.yaml:1:1: duplicate Upstream gloo-system.dup: already defined at a.yaml:1; this definition is ignored',
    ]);
    assert.deepEqual(snap.errors[0]!.resource, { kind: 'Upstream', namespace: 'gloo-system', name: 'dup' });
  });

  it('treats the same name in two kinds or two namespaces as different resources', async () => {
    writeIn(dir, 'x.yaml', `${upstreamKube('same', 'ns1', 1)}---\n${upstreamKube('same', 'ns2', 2)}`);
    writeIn(dir, 'virtualservices/ns1/same.yaml', virtualServiceFlat('same', 'same'));
    const snap = await loadDirectoryOnce(dir);
    assert.deepEqual(keys(snap.upstreams), ['ns1.same', 'ns2.same']);
    assert.deepEqual(keys(snap.virtualServices), ['ns1.same']);
    assert.deepEqual(snap.errors, []);
  });

  it('rejects when the directory does not exist', async () => {
    await assert.rejects(loadDirectoryOnce(join(dir, 'missing')), (err: unknown) => {
      assert.ok(err instanceof ConfigDirectoryError);
      assert.match(err.message, /ENOENT/);
      return true;
    });
  });
});

describe('DirectoryConfigSource watching', () => {
  let dir: string;
  let source: DirectoryConfigSource;
  let log: SnapshotLog;

  const start = async () => {
    // resyncMs: 0 — these cases must be seen by the watchers alone.
    source = new DirectoryConfigSource({ dir, debounceMs: 20, resyncMs: 0 });
    log = new SnapshotLog();
    await source.start(log.push);
  };

  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(async () => {
    await source?.stop();
    removeDir(dir);
  });

  it('publishes on start, then picks up added, edited and deleted files', async () => {
    writeAtomic(dir, 'upstreams/gloo-system/a.yaml', upstreamFlat('a', 1));
    await start();
    assert.equal(log.all.length, 1);
    assert.deepEqual(keys(log.last!.upstreams), ['gloo-system.a']);

    writeAtomic(dir, 'upstreams/gloo-system/b.yaml', upstreamFlat('b', 2));
    await log.waitFor((s) => s.upstreams.length === 2, 'b added');

    writeAtomic(dir, 'upstreams/gloo-system/a.yaml', upstreamFlat('a', 11));
    await log.waitFor((s) => upstreamPort(s, 'gloo-system.a') === 11, 'a edited');

    unlinkSync(join(dir, 'upstreams/gloo-system/b.yaml'));
    const s = await log.waitFor((s) => s.upstreams.length === 1, 'b deleted');
    assert.deepEqual(keys(s.upstreams), ['gloo-system.a']);
  });

  it('picks up files in directories created after start, and their removal', async () => {
    await start();
    assert.deepEqual(keys(log.last!.upstreams), []);
    mkdirSync(join(dir, 'apps/team/nested'), { recursive: true });
    writeIn(dir, 'apps/team/nested/u.yaml', upstreamKube('nested', 'team', 5));
    await log.waitFor((s) => upstreamPort(s, 'team.nested') === 5, 'nested file');
    writeIn(dir, 'apps/team/nested/u.yaml', upstreamKube('nested', 'team', 6));
    await log.waitFor((s) => upstreamPort(s, 'team.nested') === 6, 'nested file edited in place');
    rmSync(join(dir, 'apps'), { recursive: true });
    await log.waitFor((s) => s.upstreams.length === 0, 'directory removed');
    writeIn(dir, 'apps/team/again.yaml', upstreamKube('again', 'team', 7));
    await log.waitFor((s) => upstreamPort(s, 'team.again') === 7, 'directory re-created');
  });

  it('keeps the last good version of a file that stops parsing, and recovers', async () => {
    writeAtomic(dir, 'all.yaml', `${upstreamKube('x', 'gloo-system', 1)}---\n${upstreamKube('y', 'gloo-system', 2)}`);
    await start();
    assert.deepEqual(keys(log.last!.upstreams), ['gloo-system.x', 'gloo-system.y']);

    writeAtomic(dir, 'all.yaml', `${upstreamKube('x', 'gloo-system', 10)}---\n${upstreamKube('y', 'gloo-system', 20)}  bad: [\n`);
    const broken = await log.waitFor((s) => s.errors.some((e) => e.syntax), 'syntax error');
    assert.deepEqual(keys(broken.upstreams), ['gloo-system.x', 'gloo-system.y']);
    assert.equal(upstreamPort(broken, 'gloo-system.x'), 1, 'the whole file keeps its last good version');
    assert.equal(upstreamPort(broken, 'gloo-system.y'), 2);
    const e = broken.errors.find((e) => e.syntax)!;
    assert.equal(e.file, 'all.yaml');
    assert.equal(e.resource, undefined);
    assert.ok(e.line > 11, `error line ${e.line} is in the second document`);

    writeAtomic(dir, 'all.yaml', `${upstreamKube('x', 'gloo-system', 10)}---\n${upstreamKube('y', 'gloo-system', 20)}`);
    const fixed = await log.waitFor((s) => s.errors.length === 0, 'recovery');
    assert.equal(upstreamPort(fixed, 'gloo-system.x'), 10);
    assert.equal(upstreamPort(fixed, 'gloo-system.y'), 20);
  });

  it('keeps the last good version of an invalid resource and reports it with the resource', async () => {
    writeAtomic(dir, 'upstreams/gloo-system/u.yaml', upstreamFlat('u', 1));
    writeAtomic(dir, 'other.yaml', upstreamKube('other', 'gloo-system', 5));
    await start();

    writeAtomic(dir, 'upstreams/gloo-system/u.yaml', upstreamFlat('u', 'not-a-port' as unknown as number));
    writeAtomic(dir, 'other.yaml', upstreamKube('other', 'gloo-system', 6));
    const bad = await log.waitFor((s) => s.errors.length > 0 && upstreamPort(s, 'gloo-system.other') === 6, 'invalid field');
    assert.equal(upstreamPort(bad, 'gloo-system.u'), 1, 'last good version kept');
    assert.equal(bad.errors.length, 1);
    const e = bad.errors[0]!;
    assert.deepEqual(e.resource, { kind: 'Upstream', namespace: 'gloo-system', name: 'u' });
    assert.equal(e.file, 'upstreams/gloo-system/u.yaml');
    assert.equal(e.field, 'static.hosts[0].port');
    assert.equal(e.line, 6);

    // Still invalid after another edit: still the last good version.
    writeAtomic(dir, 'upstreams/gloo-system/u.yaml', `# comment\n${upstreamFlat('u', 'still-bad' as unknown as number)}`);
    const again = await log.waitFor((s) => s.errors[0]?.line === 7, 'second invalid edit');
    assert.equal(upstreamPort(again, 'gloo-system.u'), 1);

    // A new resource that is invalid from the start has no last good version: absent, error reported.
    writeAtomic(dir, 'new.yaml', upstreamKube('fresh', 'gloo-system', 'nope'));
    const fresh = await log.waitFor((s) => s.errors.some((e) => e.resource?.name === 'fresh'), 'invalid new resource');
    assert.equal(fresh.upstreams.some((u) => u.metadata.name === 'fresh'), false);

    writeAtomic(dir, 'upstreams/gloo-system/u.yaml', upstreamFlat('u', 3));
    unlinkSync(join(dir, 'new.yaml'));
    const fixed = await log.waitFor((s) => s.errors.length === 0, 'recovery');
    assert.equal(upstreamPort(fixed, 'gloo-system.u'), 3);
  });

  it('removes the resources of a deleted file even if it did not parse', async () => {
    writeAtomic(dir, 'u.yaml', upstreamKube('u', 'gloo-system', 1));
    await start();
    writeAtomic(dir, 'u.yaml', 'kind: [\n');
    await log.waitFor((s) => s.errors.length === 1, 'syntax error');
    assert.equal(log.last!.upstreams.length, 1);
    unlinkSync(join(dir, 'u.yaml'));
    const s = await log.waitFor((s) => s.errors.length === 0 && s.upstreams.length === 0, 'file removed');
    assert.deepEqual(s.upstreams, []);
  });

  it('reports a duplicate added later and keeps the first definition', async () => {
    writeAtomic(dir, 'upstreams/gloo-system/u.yaml', upstreamFlat('u', 1));
    await start();
    writeAtomic(dir, 'zz-copy.yaml', upstreamKube('u', 'gloo-system', 2));
    const dup = await log.waitFor((s) => s.errors.length === 1, 'duplicate');
    assert.equal(upstreamPort(dup, 'gloo-system.u'), 1);
    assert.equal(
      errorLines(dup)[0],
      'zz-copy.yaml:1:1: duplicate Upstream gloo-system.u: already defined at upstreams/gloo-system/u.yaml:1; this definition is ignored',
    );
    // The first definition goes away: the other one takes over, no error.
    unlinkSync(join(dir, 'upstreams/gloo-system/u.yaml'));
    const s = await log.waitFor((s) => s.errors.length === 0, 'duplicate resolved');
    assert.equal(upstreamPort(s, 'gloo-system.u'), 2);
  });

  it('coalesces a burst of writes into few snapshots, the last one complete', async () => {
    await start();
    const before = log.all.length;
    for (let i = 0; i < 20; i++) writeIn(dir, `upstreams/gloo-system/u${String(i).padStart(2, '0')}.yaml`, upstreamFlat(`u${i}`, 1000 + i));
    const s = await log.waitFor((s) => s.upstreams.length === 20, 'all 20 upstreams');
    const published = log.all.length - before;
    assert.ok(published >= 1 && published <= 3, `${published} snapshots for one burst`);
    assert.deepEqual(s.errors, []);
    assert.equal(upstreamPort(s, 'gloo-system.u19'), 1019);
  });

  it('publishes nothing when a file is touched or rewritten with the same content', async () => {
    writeIn(dir, 'upstreams/gloo-system/a.yaml', upstreamFlat('a', 1));
    await start();
    const published = log.all.length;
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'upstreams/gloo-system/a.yaml'), later, later);
    writeIn(dir, 'upstreams/gloo-system/a.yaml', upstreamFlat('a', 1));
    writeAtomic(dir, 'upstreams/gloo-system/a.yaml', upstreamFlat('a', 1));
    writeIn(dir, 'notes.txt', 'not config');
    // Give the watcher ample time to see those; then a real change as a marker.
    await sleep(500);
    writeIn(dir, 'upstreams/gloo-system/b.yaml', upstreamFlat('b', 2));
    await log.waitFor((s) => s.upstreams.length === 2, 'marker change');
    assert.equal(log.all.length, published + 1, 'only the marker change was published');
  });

  it('follows a Kubernetes ConfigMap mount (symbolic links swapped atomically)', async () => {
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1/u.yaml'), upstreamKube('cm', 'gloo-system', 1));
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/u.yaml', join(dir, 'u.yaml'));
    await start();
    assert.equal(upstreamPort(log.last!, 'gloo-system.cm'), 1);
    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2/u.yaml'), upstreamKube('cm', 'gloo-system', 2));
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await log.waitFor((s) => upstreamPort(s, 'gloo-system.cm') === 2, 'ConfigMap update');
  });

  it('stop() closes watchers: nothing is published afterwards', async () => {
    await start();
    await source.stop();
    const published = log.all.length;
    writeIn(dir, 'u.yaml', upstreamKube('u', 'gloo-system', 1));
    await sleep(200);
    assert.equal(log.all.length, published);
  });
});

describe('DirectoryConfigSource resilience and logging', () => {
  it('keeps the last configuration while the directory is gone, and recovers when it is back', async () => {
    const parent = makeTempDir();
    const dir = join(parent, 'config');
    writeIn(dir, 'u.yaml', upstreamKube('u', 'gloo-system', 1));
    const log = new SnapshotLog();
    const source = new DirectoryConfigSource({ dir, debounceMs: 10, resyncMs: 50 });
    try {
      await source.start(log.push);
      rmSync(dir, { recursive: true });
      await sleep(300); // several resync periods
      assert.ok(log.all.every((s) => s.upstreams.length === 1), 'never published an empty configuration');
      writeIn(dir, 'v.yaml', upstreamKube('v', 'gloo-system', 2));
      const back = await log.waitFor((s) => upstreamPort(s, 'gloo-system.v') === 2, 'directory back');
      assert.deepEqual(keys(back.upstreams), ['gloo-system.v']);
      // Watching again (resync off would not matter now): a later edit is seen.
      writeAtomic(dir, 'v.yaml', upstreamKube('v', 'gloo-system', 3));
      await log.waitFor((s) => upstreamPort(s, 'gloo-system.v') === 3, 'edit after recovery');
    } finally {
      await source.stop();
      removeDir(parent);
    }
  });

  it('logs each new error once and survives a failing subscriber', async () => {
    const dir = makeTempDir();
    const warnings: string[] = [];
    const errors: string[] = [];
    const logger = { info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => errors.push(m) };
    const log = new SnapshotLog();
    const source = new DirectoryConfigSource({ dir, debounceMs: 10, resyncMs: 0, logger });
    try {
      await source.start((s) => {
        log.push(s);
        if (s.upstreams.length === 1) throw new Error('subscriber failed'); // only for the 'boom' snapshot
      });
      writeAtomic(dir, 'bad.yaml', 'kind: [\n');
      await log.waitFor((s) => s.errors.length === 1, 'syntax error');
      writeAtomic(dir, 'u.yaml', upstreamKube('boom', 'gloo-system', 1));
      await log.waitFor((s) => s.upstreams.length === 1, 'boom');
      writeAtomic(dir, 'v.yaml', upstreamKube('v', 'gloo-system', 1));
      await log.waitFor((s) => s.upstreams.length === 2, 'published after the subscriber failed');
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /^config error: bad\.yaml:\d+:\d+: /);
      assert.equal(errors.length, 1);
    } finally {
      await source.stop();
      removeDir(dir);
    }
  });
});

describe('DirectoryReader: re-reads only what changed', () => {
  it('reuses the resources of unchanged (or merely touched) files and re-parses changed ones', async () => {
    const dir = makeTempDir();
    try {
      writeIn(dir, 'a.yaml', upstreamKube('a', 'gloo-system', 1));
      writeIn(dir, 'b.yaml', upstreamKube('b', 'gloo-system', 2));
      const reader = new DirectoryReader(dir);
      const first = (await reader.scan()).snapshot;
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(dir, 'a.yaml'), later, later);
      writeIn(dir, 'b.yaml', upstreamKube('b', 'gloo-system', 3));
      const second = (await reader.scan()).snapshot;
      assert.equal(second.upstreams[0], first.upstreams[0], 'a.yaml: same content, same resource object');
      assert.notEqual(second.upstreams[1], first.upstreams[1]);
      assert.equal(upstreamPort(second, 'gloo-system.b'), 3);
      const third = (await reader.scan()).snapshot;
      assert.equal(third.upstreams[1], second.upstreams[1]);
    } finally {
      removeDir(dir);
    }
  });
});

describe('DirectoryConfigSource start', () => {
  it('rejects when the directory does not exist', async () => {
    const dir = makeTempDir();
    const source = new DirectoryConfigSource({ dir: join(dir, 'missing') });
    try {
      await assert.rejects(source.start(() => {}), ConfigDirectoryError);
    } finally {
      await source.stop();
      removeDir(dir);
    }
  });

  it('re-scans periodically (resyncMs) to see changes no watcher reports', async () => {
    const dir = makeTempDir();
    const outside = makeTempDir();
    const log = new SnapshotLog();
    // A file edited through a hard link in another directory: inotify reports that to watchers of the
    // other directory only, so only the periodic re-scan can see it.
    writeFileSync(join(outside, 'u.yaml'), upstreamKube('u', 'gloo-system', 1));
    linkSync(join(outside, 'u.yaml'), join(dir, 'u.yaml'));
    const source = new DirectoryConfigSource({ dir, debounceMs: 10, resyncMs: 50 });
    try {
      await source.start(log.push);
      assert.equal(upstreamPort(log.last!, 'gloo-system.u'), 1);
      await sleep(200); // let the re-scan that follows start-up pass, so that only a periodic one can see the edit
      writeFileSync(join(outside, 'u.yaml'), upstreamKube('u', 'gloo-system', 2));
      await log.waitFor((s) => upstreamPort(s, 'gloo-system.u') === 2, 'edit through the hard link');
    } finally {
      await source.stop();
      removeDir(dir);
      removeDir(outside);
    }
  });
});
