/**
 * The CLIs' answers to bad invocations: clear messages and non-zero exits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GLOO_BIN, GLOOCTL_BIN, getFreePort, runCli } from '../helpers/gloo-process.js';

test('gloo run on a missing directory fails with a clear message', async () => {
  const r = await runCli(GLOO_BIN, ['run', '--config-dir', '/nonexistent/gloo-config', '--admin-port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--config-dir \/nonexistent\/gloo-config: no such directory/);
});

test('gloo run with a bad admin port fails with a clear message', async () => {
  const r = await runCli(GLOO_BIN, ['run', '--config-dir', '.', '--admin-port', 'eighty']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--admin-port must be a port number/);
});

test('gloo run when the admin port is taken fails with a clear message', async () => {
  const { createServer } = await import('node:net');
  const srv = createServer();
  const port = await getFreePort();
  await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', resolve));
  try {
    const r = await runCli(GLOO_BIN, ['run', '--config-dir', '.', '--admin-port', String(port)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`EADDRINUSE.*${port}|${port}.*EADDRINUSE`));
  } finally {
    srv.close();
  }
});

test('glooctl names an unknown resource type and lists the valid ones', async () => {
  const r = await runCli(GLOOCTL_BIN, ['get', 'frobnicators']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown resource type "frobnicators".*virtualservice \(vs\)/s);
});

test('glooctl explains when the admin API cannot be reached, honouring GLOO_ADMIN_URL', async () => {
  const port = await getFreePort();
  const r = await runCli(GLOOCTL_BIN, ['get', 'vs'], { GLOO_ADMIN_URL: `http://127.0.0.1:${port}` });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`cannot reach the gateway's admin API at http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`, 's'));
  assert.match(r.stderr, /GLOO_ADMIN_URL/);
});
