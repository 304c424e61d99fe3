/**
 * `glooctl validate` and `POST /api/v1/validate` against running gateways: one with strict Settings
 * (`alwaysAccept: false, allowWarnings: false`), one with Gloo's defaults (permissive). Validation is
 * a dry run: nothing it is asked about ever serves.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { getFreePort, glooctl, makeConfigDir, moreYaml, startGloo, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

let strict: GlooProcess;
let lenient: GlooProcess;
const dirs: string[] = [];
let files: string;

const MISSING = 'Route Warning: InvalidDestinationWarning. Reason: *v1.Upstream { gloo-system.does-not-exist } not found';

async function gateway(settings?: string): Promise<GlooProcess> {
  const dir = makeConfigDir('gloo-validate-');
  dirs.push(dir);
  writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', await getFreePort()));
  writeConfig(dir, 'upstreams/gloo-system/echo.yaml', yaml.staticUpstream('echo', 9000));
  writeConfig(dir, 'virtualservices/gloo-system/good.yaml', moreYaml.virtualService('good', 'good.example.com', [["{prefix: '/'}", 'echo']]));
  if (settings) writeConfig(dir, 'settings/gloo-system/default.yaml', settings);
  return startGloo(dir);
}

/** Writes a file to validate and returns its path. */
function file(name: string, text: string): string {
  const p = path.join(files, name);
  fs.writeFileSync(p, text);
  return p;
}

before(async () => {
  files = makeConfigDir('gloo-validate-files-');
  dirs.push(files);
  [strict, lenient] = await Promise.all([gateway(moreYaml.validationSettings(false, false)), gateway()]);
});

after(async () => {
  await Promise.all([strict?.stop(), lenient?.stop()]);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('strict: a valid VirtualService is accepted', async () => {
  const f = file('ok.yaml', moreYaml.virtualService('ok', 'ok.example.com', [["{prefix: '/'}", 'echo']]));
  const r = await glooctl(strict, 'validate', '-f', f);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'virtualservice.gateway.solo.io/ok accepted\n');
  assert.equal(r.stderr, '');
});

test('strict: a route to a missing upstream is denied with Gloo\'s webhook message', async () => {
  const f = file('reject-me.yaml', moreYaml.virtualService('reject-me', 'reject.example.com', [["{prefix: '/'}", 'does-not-exist']]));
  const r = await glooctl(strict, 'validate', '-f', f);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    'Error from server: admission webhook "gloo.gloo-system.svc" denied the request: resource incompatible with current Gloo snapshot: ' +
      '[Validating *v1.VirtualService failed: 1 error occurred:\n\t* Validating *v1.VirtualService failed: ' +
      `validating *v1.VirtualService name:"reject-me"  namespace:"gloo-system": ${MISSING}\n\n]\n`,
  );

  const j = await glooctl(strict, 'validate', '-f', f, '-o', 'json');
  assert.equal(j.code, 1);
  const body = JSON.parse(j.stdout);
  assert.equal(body.allowed, false);
  assert.equal(body.webhook, 'gloo.gloo-system.svc');
  assert.deepEqual(body.settings, { alwaysAccept: false, allowWarnings: false });
  assert.deepEqual(body.results, [{ kind: 'VirtualService', namespace: 'gloo-system', name: 'reject-me', change: 'apply', errors: [], warnings: [MISSING] }]);
});

test('strict: a VirtualService and the Upstream it needs, in two files, are validated together', async () => {
  const vs = file('needs.yaml', moreYaml.virtualService('needs', 'needs.example.com', [["{prefix: '/'}", 'fresh']]));
  const us = file('fresh.yaml', yaml.staticUpstream('fresh', 9001));
  const r = await glooctl(strict, 'validate', '-f', vs, us);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'virtualservice.gateway.solo.io/needs accepted\nupstream.gloo.solo.io/fresh accepted\n');
  // Alone, the VirtualService is denied.
  assert.equal((await glooctl(strict, 'validate', '-f', vs)).code, 1);
});

test('an invalid field is denied with file:line:column, even with Gloo\'s permissive defaults', async () => {
  const f = file('typo.yaml', moreYaml.virtualService('typo', 'typo.example.com', [["{prefx: '/'}", 'echo']]));
  for (const g of [strict, lenient]) {
    const r = await glooctl(g, 'validate', '-f', f);
    assert.equal(r.code, 1);
    assert.ok(
      r.stderr.includes(
        `denied the request: resource incompatible with current Gloo snapshot: [could not unmarshal raw object: ${f}:10:19: spec.virtualHost.routes[0].matchers[0].prefx: unknown field "prefx"`,
      ),
      r.stderr,
    );
  }
});

test('defaults (alwaysAccept): problems are admitted and shown as warnings', async () => {
  const f = file('lenient.yaml', moreYaml.virtualService('reject-me', 'reject.example.com', [["{prefix: '/'}", 'does-not-exist']]));
  const r = await glooctl(lenient, 'validate', '-f', f);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'virtualservice.gateway.solo.io/reject-me accepted\n');
  assert.equal(r.stderr, `Warning: VirtualService gloo-system.reject-me: ${MISSING}\n`);
  const bad = file('badregex.yaml', moreYaml.virtualService('badregex', 'r.example.com', [["{regex: '*bad'}", 'echo']]));
  const e = await glooctl(lenient, 'validate', '-f', bad);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stderr, /^Warning: VirtualService gloo-system\.badregex: .*invalid regex.* \(admitted: settings\.gateway\.validation\.alwaysAccept is true\)$/m);
});

test('validation is a dry run: nothing validated is served', async () => {
  const r = await glooctl(lenient, 'get', 'vs', '-o', 'json');
  const names = (JSON.parse(r.stdout) as any[]).map((v) => v.metadata.name);
  assert.deepEqual(names, ['good']);
});

test('POST /api/v1/validate: raw YAML body, deletions, 405 for GET, 413 past 10 MiB', async () => {
  const post = (body: string, headers: Record<string, string> = {}, query = '') =>
    fetch(`${strict.adminUrl}/api/v1/validate${query}`, { method: 'POST', body, headers });
  const raw = await post(moreYaml.virtualService('raw', 'raw.example.com', [["{prefix: '/'}", 'does-not-exist']]), { 'content-type': 'application/yaml' }, '?file=raw.yaml');
  assert.equal(raw.status, 200);
  const rawBody = (await raw.json()) as any;
  assert.equal(rawBody.allowed, false);
  assert.match(rawBody.message, /name:"raw"/);

  // Deleting the Upstream the good VirtualService routes to breaks it: denied under the Upstream's name.
  const del = await post(JSON.stringify({ files: [], delete: [{ kind: 'upstream', namespace: 'gloo-system', name: 'echo' }] }), {
    'content-type': 'application/vnd.gloo-ts.validate+json',
  });
  const delBody = (await del.json()) as any;
  assert.equal(delBody.allowed, false);
  assert.match(delBody.message, /^resource incompatible with current Gloo snapshot: \[Validating \*v1\.Upstream failed: .*name:"echo" {2}namespace:"gloo-system": Route Warning: InvalidDestinationWarning\. Reason: \*v1\.Upstream \{ gloo-system\.echo \} not found/s);
  assert.ok(delBody.results.some((x: any) => x.change === 'affected' && x.kind === 'VirtualService' && x.name === 'good'));

  const bad = await post('{not json', { 'content-type': 'application/vnd.gloo-ts.validate+json' });
  assert.equal(bad.status, 400);

  const get = await fetch(`${strict.adminUrl}/api/v1/validate`);
  assert.equal(get.status, 405);

  const big = await post('#'.repeat(10 * 1024 * 1024 + 1));
  assert.equal(big.status, 413);
  // The server is fine afterwards.
  assert.equal((await fetch(`${strict.adminUrl}/ready`)).status, 200);
});

test('validate: unreadable files and an unreachable gateway are clear errors', async () => {
  const r = await glooctl(strict, 'validate', '-f', path.join(files, 'nope.yaml'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: cannot read .*nope\.yaml: ENOENT/);
  const u = await glooctl({ ...strict, adminUrl: `http://127.0.0.1:${await getFreePort()}` }, 'validate', '-f', file('x.yaml', yaml.staticUpstream('x', 1)));
  assert.equal(u.code, 1);
  assert.match(u.stderr, /cannot reach the gateway's admin API .*ECONNREFUSED/);
});
