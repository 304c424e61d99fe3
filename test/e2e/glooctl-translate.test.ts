/**
 * `glooctl x translate`, offline: every example configuration under `examples/` (found by looking,
 * so a new example is covered without touching this file) translates to at least one Proxy with every
 * resource Accepted or Warning; a broken directory shows its problems with file:line and exits 1; a
 * directory that cannot be read exits 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KINDS } from '../../src/api/kinds.js';
import { REPO_ROOT, glooctlOffline, makeConfigDir, moreYaml, writeConfig, yaml } from '../helpers/gloo-process.js';

const PLURALS = new Set(KINDS.map((k) => k.plural));

/** Holds Gloo YAML: a kind-plural sub-directory (Gloo's layout) or a YAML file with a solo.io apiVersion. */
function isConfigRoot(dir: string): boolean {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && PLURALS.has(e.name)) return true;
    if (e.isFile() && /\.ya?ml$/.test(e.name) && /^apiVersion:\s*\S*solo\.io\//m.test(fs.readFileSync(path.join(dir, e.name), 'utf8'))) return true;
  }
  return false;
}

/** The top-most directories under `examples/` that hold Gloo YAML. */
function exampleConfigDirs(dir = path.join(REPO_ROOT, 'examples')): string[] {
  if (isConfigRoot(dir)) return [dir];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
    .flatMap((e) => exampleConfigDirs(path.join(dir, e.name)));
}

const examples = exampleConfigDirs();

test('the examples are found, petstore among them', () => {
  assert.ok(examples.includes(path.join(REPO_ROOT, 'examples/petstore/gloo')), examples.join(', '));
});

for (const dir of examples) {
  const rel = path.relative(REPO_ROOT, dir);
  test(`x translate ${rel}: a Proxy and the status of every resource, exit 0`, async () => {
    const r = await glooctlOffline('x', 'translate', '--config-dir', dir);
    assert.equal(r.code, 0, r.stderr);
    const out = parseYaml(r.stdout);
    assert.ok(out.proxies.length >= 1, 'at least one Proxy');
    for (const p of out.proxies) {
      assert.equal(p.apiVersion, 'gloo.solo.io/v1');
      assert.equal(p.kind, 'Proxy');
      assert.ok(p.spec.listeners.length >= 1);
      assert.equal(p.status.statuses['gloo-system'].reportedBy, 'gloo');
    }
    assert.ok(out.statuses.length >= 1);
    for (const s of out.statuses) {
      const own = s.status.statuses?.['gloo-system'] ?? s.status;
      assert.match(String(own.state), /^(Accepted|Warning|ACCEPTED|WARNING)$/, `${s.kind} ${s.metadata.namespace}.${s.metadata.name}: ${own.reason}`);
    }
    assert.deepEqual(out.errors, []);
  });
}

test('x translate petstore --to xds -o json: Envoy resources per node key', async () => {
  const r = await glooctlOffline('x', 'translate', '--config-dir', path.join(REPO_ROOT, 'examples/petstore/gloo'), '--to', 'xds', '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.proxies, undefined);
  const snap = out.xds['gloo-system~gateway-proxy'];
  assert.equal(snap.listeners[0].name, 'listener-::-8080');
  assert.ok(snap.clusters.some((c: any) => c.name === 'default-petstore-8080_gloo-system'));
  assert.ok(snap.routes.length >= 1);
  const vs = out.statuses.find((s: any) => s.kind === 'VirtualService');
  assert.equal(vs.status.statuses['gloo-system'].state, 'Accepted');
  assert.ok(out.statuses.some((s: any) => s.kind === 'Proxy'), 'with --to xds the Proxies are among the statuses');
});

test('a broken directory: statuses say Rejected, file errors are shown with file:line, exit 1', async () => {
  const dir = makeConfigDir('gloo-translate-');
  try {
    writeConfig(dir, 'upstreams/gloo-system/echo.yaml', yaml.staticUpstream('echo', 9000));
    writeConfig(dir, 'good.yaml', moreYaml.virtualService('good', 'good.example.com', [["{prefix: '/'}", 'echo']]));
    writeConfig(dir, 'badregex.yaml', moreYaml.virtualService('badregex', 'r.example.com', [["{regex: '*bad'}", 'echo']]));
    writeConfig(dir, 'unparsable.yaml', 'kind: VirtualService\nmetadata: [unclosed\n');
    writeConfig(dir, 'typo.yaml', moreYaml.virtualService('typo', 't.example.com', [["{prefx: '/'}", 'echo']]));
    const r = await glooctlOffline('x', 'translate', '--config-dir', dir);
    assert.equal(r.code, 1);
    const out = parseYaml(r.stdout);
    assert.equal(out.proxies.length, 1, 'the good VirtualService is still translated');
    const state = (name: string) => out.statuses.find((s: any) => s.metadata.name === name)?.status.statuses['gloo-system'];
    assert.equal(state('good').state, 'Accepted');
    assert.equal(state('badregex').state, 'Rejected');
    assert.match(state('badregex').reason, /invalid regex/);
    assert.match(out.errors.join('\n'), /^unparsable\.yaml:\d+:\d+: /m);
    assert.match(out.errors.join('\n'), /^typo\.yaml:\d+:\d+: spec\.virtualHost\.routes\[0\]\.matchers\[0\]\.prefx: unknown field "prefx"$/m);
    assert.match(r.stderr, /^unparsable\.yaml:\d+:\d+: /m);
    assert.match(r.stderr, /Error: 1 rejected resource\(s\), 2 configuration error\(s\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory that cannot be read: a clear error and exit 1', async () => {
  const r = await glooctlOffline('x', 'translate', '--config-dir', '/nonexistent/gloo-config');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Error: cannot read config directory \/nonexistent\/gloo-config: ENOENT/);
});
