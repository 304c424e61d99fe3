/**
 * `glooctl check` against a running `gloo run`: each broken case (invalid regex, missing upstream,
 * unparsable file, domain conflict) is flagged in Gloo's words with a non-zero exit; once the
 * configuration is fixed, `No problems detected.` and exit 0.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { getFreePort, glooctl, makeConfigDir, moreYaml, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';

let gloo: GlooProcess;
let dir: string;

const CHECK_LINES = [
  'Config Sources',
  'Upstreams',
  'UpstreamGroups',
  'AuthConfigs',
  'RateLimitConfigs',
  'VirtualHostOptions',
  'RouteOptions',
  'Secrets',
  'VirtualServices',
  'RouteTables',
  'Gateways',
  'Proxies',
];

async function statusOf(kind: string, name: string): Promise<string | undefined> {
  const res = await fetch(`${gloo.adminUrl}/api/v1/statuses`);
  const body = (await res.json()) as { items: { kind: string; name: string; state: string }[] };
  return body.items.find((i) => i.kind === kind && i.name === name)?.state;
}

before(async () => {
  dir = makeConfigDir('gloo-check-');
  writeConfig(dir, 'gateways/gloo-system/gw.yaml', yaml.gateway('gw', await getFreePort()));
  writeConfig(dir, 'upstreams/gloo-system/echo.yaml', yaml.staticUpstream('echo', 1));
  writeConfig(dir, 'virtualservices/gloo-system/good.yaml', moreYaml.virtualService('good', 'good.example.com', [["{prefix: '/'}", 'echo']]));
  gloo = await startGloo(dir);
});

after(async () => {
  await gloo?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a clean configuration: every check OK, "No problems detected.", exit 0', async () => {
  const r = await glooctl(gloo, 'check');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, CHECK_LINES.map((c) => `Checking ${c}... OK\n`).join('') + 'No problems detected.\n');
  assert.equal(r.stderr, '');

  const j = await glooctl(gloo, 'check', '-o', 'json');
  assert.equal(j.code, 0, j.stderr);
  const report = JSON.parse(j.stdout);
  assert.deepEqual(report.resources[1], { name: 'Upstreams', status: 'OK' });
  assert.deepEqual(report.messages, ['No problems detected.']);
  assert.deepEqual(report.errors, []);
});

test('broken configurations are flagged in Gloo\'s words, with a non-zero exit; fixing them clears the check', async () => {
  writeConfig(
    dir,
    'virtualservices/gloo-system/badregex.yaml',
    moreYaml.virtualService('badregex', 'regex.example.com', [["{regex: '/items/(['}", 'echo']]),
  );
  writeConfig(dir, 'virtualservices/gloo-system/missing.yaml', moreYaml.virtualService('missing', 'missing.example.com', [["{prefix: '/'}", 'nope']]));
  writeConfig(dir, 'broken.yaml', 'apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: x\n');
  writeConfig(dir, 'virtualservices/gloo-system/clash.yaml', moreYaml.virtualService('clash', 'good.example.com', [["{prefix: '/clash'}", 'echo']]));
  await waitFor('every broken resource to be reported', async () =>
    (await statusOf('VirtualService', 'badregex')) === 'Rejected' &&
    (await statusOf('VirtualService', 'missing')) === 'Warning' &&
    (await statusOf('VirtualService', 'clash')) === 'Rejected',
  );

  const r = await glooctl(gloo, 'check');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^Checking Config Sources\.\.\. 1 Errors!\n/);
  assert.match(r.stdout, /Checking Upstreams\.\.\. OK\n/);
  assert.match(r.stdout, /Checking VirtualServices\.\.\. \d+ Errors!\n/);
  assert.doesNotMatch(r.stdout, /No problems detected/);
  const err = r.stderr;
  assert.match(err, /^Error: \d+ errors occurred:\n\t\* /);
  assert.match(err, /\* Found config source error: broken\.yaml:\d+:\d+: /);
  assert.match(
    err,
    /\* Found rejected virtual service by 'gloo-system': gloo-system badregex \(Reason: virtual service \[gloo-system\.badregex\] has a regex matcher with invalid regex/,
  );
  assert.ok(
    err.includes(
      "* Found virtual service with warnings by 'gloo-system': gloo-system missing (Reason: Route Warning: InvalidDestinationWarning. Reason: *v1.Upstream { gloo-system.nope } not found)",
    ),
    err,
  );
  assert.ok(err.includes('* Virtual service references unknown upstream: (Virtual service: gloo-system missing | Upstream: gloo-system nope)'), err);
  assert.match(err, /\* Found rejected virtual service by 'gloo-system': gloo-system clash \(Reason: [^)]*domain conflict/);
  assert.match(err, /\* Found rejected virtual service by 'gloo-system': gloo-system good \(Reason: [^)]*domain conflict/);

  // -x drops checks (comma-separated or repeated, as Gloo's flag takes them).
  const x = await glooctl(gloo, 'check', '-x', 'virtual-services,config-sources', '-x', 'gateways', '-x', 'proxies');
  assert.equal(x.code, 0, x.stderr);
  assert.doesNotMatch(x.stdout, /Checking (VirtualServices|Config Sources|Gateways|Proxies)/);
  assert.match(x.stdout, /No problems detected\.\n$/);

  // -o json: Gloo's {resources, messages, errors}; still a non-zero exit.
  const j = await glooctl(gloo, 'check', '-o', 'json');
  assert.equal(j.code, 1);
  const report = JSON.parse(j.stdout);
  assert.ok(report.resources.some((c: any) => c.name === 'VirtualServices' && /Errors!/.test(c.status)));
  assert.ok(report.errors.some((e: string) => e.startsWith("Found rejected virtual service by 'gloo-system': gloo-system badregex")));
  assert.deepEqual(report.messages, []);

  // Fix everything: the check passes again.
  for (const f of ['virtualservices/gloo-system/badregex.yaml', 'virtualservices/gloo-system/missing.yaml', 'broken.yaml', 'virtualservices/gloo-system/clash.yaml'])
    fs.rmSync(path.join(dir, f));
  await waitFor('the check to pass again', async () => (await glooctl(gloo, 'check')).code === 0);
  const ok = await glooctl(gloo, 'check');
  assert.match(ok.stdout, /No problems detected\.\n$/);
});

test('check names the admin API it cannot reach and exits non-zero; a bad -o is refused', async () => {
  const r = await glooctl({ ...gloo, adminUrl: `http://127.0.0.1:${await getFreePort()}` }, 'check');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: could not communicate with the gateway: cannot reach the gateway's admin API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  const o = await glooctl(gloo, 'check', '-o', 'yaml');
  assert.equal(o.code, 1);
  assert.match(o.stderr, /Invalid output type\. Only table \(default\) and json are supported\./);
});
