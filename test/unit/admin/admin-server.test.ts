/**
 * The admin server over real sockets, with a real control plane on a real config directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startAdminServer } from '../../../src/admin/server.js';
import { ControlPlane } from '../../../src/pipeline/control-plane.js';
import { DirectoryConfigSource } from '../../../src/config/directory/index.js';
import { SnapshotCache } from '../../../src/xds/cache.js';
import { createLogger } from '../../../src/logger.js';
import { makeConfigDir, writeConfig, yaml } from '../../helpers/gloo-process.js';

const logger = createLogger({ level: 'silent' });

test('/ready answers 503 until the first configuration is serving, then 200', async () => {
  let ready = false;
  const admin = await startAdminServer({ ready: () => ready, logger }, 0);
  try {
    const before = await fetch(`http://127.0.0.1:${admin.port}/ready`);
    assert.equal(before.status, 503);
    ready = true;
    const after = await fetch(`http://127.0.0.1:${admin.port}/ready`);
    assert.equal(after.status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${admin.port}/nope`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${admin.port}/ready`, { method: 'POST' })).status, 405);
  } finally {
    await admin.close();
  }
});

test('the resource API lists resources with statuses, validates the kind, and never shows secret data', async () => {
  const dir = makeConfigDir('gloo-admin-');
  writeConfig(dir, 'upstreams.yaml', yaml.staticUpstream('us', 9));
  writeConfig(
    dir,
    'secret.yaml',
    'apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: gloo-system}\ntype: Opaque\nstringData: {password: hunter2}\ndata: {user: YWRtaW4=}\n',
  );
  const cache = new SnapshotCache();
  const cp = new ControlPlane({ source: new DirectoryConfigSource({ dir, logger }), cache, logger });
  await cp.start();
  const admin = await startAdminServer({ ready: () => true, controlPlane: cp, cache, logger }, 0);
  try {
    const base = `http://127.0.0.1:${admin.port}`;
    const us = (await (await fetch(`${base}/api/v1/resources?kind=us`)).json()) as { items: any[] };
    assert.equal(us.items.length, 1);
    assert.equal(us.items[0].status.statuses['gloo-system'].state, 'Accepted');
    const all = await (await fetch(`${base}/api/v1/resources`)).text();
    assert.ok(all.includes('"token"'), 'the secret is listed');
    assert.ok(!all.includes('hunter2') && !all.includes('YWRtaW4='), 'its data is not');
    assert.equal((await fetch(`${base}/api/v1/resources?kind=frobnicator`)).status, 400);
    const dump = (await (await fetch(`${base}/config_dump`)).json()) as { snapshots: Record<string, any> };
    assert.ok(dump.snapshots['gloo-system~gateway-proxy'].clusters.some((c: any) => c.name === 'us_gloo-system'));
  } finally {
    await admin.close();
    await cp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
