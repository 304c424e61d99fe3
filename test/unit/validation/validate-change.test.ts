/**
 * Validation as a dry run of the same translation: Gloo's decision rules (errors, warnings,
 * alwaysAccept, allowWarnings), what a change is blamed for (its own problems and what it breaks,
 * not what was already broken), load errors, and Gloo's deny message character for character.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyResource } from '../../../src/api/resource.js';
import { changeFromFiles, validateChange, DENY_PREFIX } from '../../../src/validation/index.js';
import { snapshotOf } from '../translator/helpers.js';

const GATEWAY = `
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gw, namespace: gloo-system}
spec: {bindAddress: '::', bindPort: 8080, httpGateway: {}}
`;
const UPSTREAM = (name: string) => `
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: ${name}, namespace: gloo-system}
spec: {static: {hosts: [{addr: 127.0.0.1, port: 9000}]}}
`;
const vs = (name: string, domain: string, matcher: string, upstream: string) => `
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['${domain}']
    routes:
      - matchers: [${matcher}]
        routeAction: {single: {upstream: {name: ${upstream}, namespace: gloo-system}}}
`;
const SETTINGS = (alwaysAccept: boolean, allowWarnings: boolean) => `
apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default, namespace: gloo-system}
spec:
  gateway:
    validation: {alwaysAccept: ${alwaysAccept}, allowWarnings: ${allowWarnings}}
`;
const STRICT = SETTINGS(false, false);
const STRICT_ALLOW_WARNINGS = SETTINGS(false, true);

const docs = (...d: string[]) => d.join('\n---\n');
const current = (...extra: string[]) => snapshotOf(docs(GATEWAY, UPSTREAM('echo'), vs('good', 'good.example.com', "{prefix: '/'}", 'echo'), ...extra));
const resources = (yaml: string): AnyResource[] => {
  const s = snapshotOf(yaml);
  assert.deepEqual(s.errors, [], 'test YAML must load');
  return [...s.gateways, ...s.virtualServices, ...s.upstreams, ...s.settings];
};
const apply = (yaml: string) => ({ apply: resources(yaml), delete: [] });

const MISSING = 'Route Warning: InvalidDestinationWarning. Reason: *v1.Upstream { gloo-system.does-not-exist } not found';

test('a valid change is accepted with no problems and no message', () => {
  const r = validateChange(current(STRICT), apply(vs('other', 'other.example.com', "{prefix: '/'}", 'echo')));
  assert.equal(r.allowed, true);
  assert.equal(r.message, '');
  assert.deepEqual(r.results, [{ kind: 'VirtualService', namespace: 'gloo-system', name: 'other', change: 'apply', errors: [], warnings: [] }]);
  assert.deepEqual(r.settings, { alwaysAccept: false, allowWarnings: false });
});

test('an error rejects the change when alwaysAccept is false, with Gloo\'s deny message', () => {
  const r = validateChange(current(STRICT_ALLOW_WARNINGS), apply(vs('badregex', 'regex.example.com', "{regex: '/items/(['}", 'echo')));
  assert.equal(r.allowed, false);
  const own = r.results.find((x) => x.name === 'badregex')!;
  assert.equal(own.change, 'apply');
  assert.equal(own.errors.length, 1);
  assert.match(own.errors[0]!, /virtual service \[gloo-system\.badregex\] has a regex matcher with invalid regex/);
  assert.equal(
    r.message,
    `${DENY_PREFIX}[Validating *v1.VirtualService failed: 1 error occurred:\n\t* Validating *v1.VirtualService failed: ` +
      `validating *v1.VirtualService name:"badregex"  namespace:"gloo-system": ${own.errors[0]}\n\n]`,
  );
});

test('warnings are admitted with allowWarnings and rejected without it (exact deny message)', () => {
  const change = apply(vs('reject-me', 'reject.example.com', "{prefix: '/'}", 'does-not-exist'));
  const lenient = validateChange(current(STRICT_ALLOW_WARNINGS), change);
  assert.equal(lenient.allowed, true);
  assert.deepEqual(lenient.results[0]!.warnings, [MISSING]);

  const strict = validateChange(current(STRICT), change);
  assert.equal(strict.allowed, false);
  assert.equal(
    strict.message,
    'resource incompatible with current Gloo snapshot: [Validating *v1.VirtualService failed: 1 error occurred:\n' +
      '\t* Validating *v1.VirtualService failed: validating *v1.VirtualService name:"reject-me"  namespace:"gloo-system": ' +
      'Route Warning: InvalidDestinationWarning. Reason: *v1.Upstream { gloo-system.does-not-exist } not found\n\n]',
  );
});

test('alwaysAccept admits errors and warnings but still reports them; it is Gloo\'s default', () => {
  const change = apply(docs(vs('badregex', 'regex.example.com', "{regex: '*bad'}", 'echo'), vs('missing', 'm.example.com', "{prefix: '/'}", 'does-not-exist')));
  for (const snapshot of [current(SETTINGS(true, false)), current()]) {
    const r = validateChange(snapshot, change);
    assert.equal(r.allowed, true);
    assert.equal(r.message, '');
    assert.equal(r.settings.alwaysAccept, true);
    assert.equal(r.results.find((x) => x.name === 'badregex')!.errors.length, 1);
    assert.deepEqual(r.results.find((x) => x.name === 'missing')!.warnings, [MISSING]);
  }
});

test('deleting an Upstream still routed to breaks the VirtualService: reported as Gloo does under the deleted Upstream', () => {
  const del = { apply: [], delete: [{ kind: 'Upstream', namespace: 'gloo-system', name: 'echo' }] };
  const strict = validateChange(current(STRICT), del);
  assert.equal(strict.allowed, false);
  const warning = 'Route Warning: InvalidDestinationWarning. Reason: *v1.Upstream { gloo-system.echo } not found';
  assert.deepEqual(strict.results, [
    { kind: 'Upstream', namespace: 'gloo-system', name: 'echo', change: 'delete', errors: [], warnings: [] },
    { kind: 'VirtualService', namespace: 'gloo-system', name: 'good', change: 'affected', errors: [], warnings: [warning] },
  ]);
  assert.equal(
    strict.message,
    `${DENY_PREFIX}[Validating *v1.Upstream failed: 1 error occurred:\n\t* Validating *v1.Upstream failed: ` +
      `validating *v1.Upstream name:"echo"  namespace:"gloo-system": ${warning}\n\n]`,
  );
  // With warnings allowed the deletion goes through (the route will answer 503).
  assert.equal(validateChange(current(STRICT_ALLOW_WARNINGS), del).allowed, true);
  // Deleting an Upstream nobody routes to breaks nothing.
  const unused = validateChange(current(STRICT, UPSTREAM('unused')), { apply: [], delete: [{ kind: 'Upstream', namespace: 'gloo-system', name: 'unused' }] });
  assert.equal(unused.allowed, true);
});

test('a domain conflict blames the new VirtualService and lists the existing one as affected', () => {
  const r = validateChange(current(STRICT), apply(vs('clash', 'good.example.com', "{prefix: '/x'}", 'echo')));
  assert.equal(r.allowed, false);
  assert.match(r.results.find((x) => x.name === 'clash')!.errors.join('\n'), /domain conflict/);
  const affected = r.results.filter((x) => x.change === 'affected');
  assert.ok(affected.some((x) => x.kind === 'VirtualService' && x.name === 'good'), JSON.stringify(r.results));
  assert.ok(!r.results.some((x) => x.kind === 'Proxy'), 'Proxies are outputs, never blamed');
  // A single change carries what it breaks: one item, named after the proposed VirtualService.
  assert.equal(r.message.match(/Validating \*v1\.VirtualService failed: 1 error occurred/g)?.length, 1);
  assert.match(r.message, /name:"clash"/);
});

test('problems other resources already had are not the change\'s fault', () => {
  const broken = vs('broken', 'broken.example.com', "{prefix: '/'}", 'does-not-exist');
  const r = validateChange(current(STRICT, broken), apply(vs('other', 'other.example.com', "{prefix: '/'}", 'echo')));
  assert.equal(r.allowed, true, r.message);
  assert.deepEqual(r.results.map((x) => x.name), ['other']);
});

test('fixing a broken resource is accepted', () => {
  const r = validateChange(current(STRICT, vs('broken', 'b.example.com', "{prefix: '/'}", 'does-not-exist')), apply(vs('broken', 'b.example.com', "{prefix: '/'}", 'echo')));
  assert.equal(r.allowed, true, r.message);
});

test('several failing resources are items of one bracketed list, separated by a space', () => {
  const r = validateChange(current(STRICT), apply(docs(vs('a', 'a.example.com', "{prefix: '/'}", 'does-not-exist'), vs('b', 'b.example.com', "{prefix: '/'}", 'does-not-exist'))));
  assert.equal(r.allowed, false);
  const item = (name: string) =>
    `Validating *v1.VirtualService failed: 1 error occurred:\n\t* Validating *v1.VirtualService failed: validating *v1.VirtualService name:"${name}"  namespace:"gloo-system": ${MISSING}\n\n`;
  assert.equal(r.message, `${DENY_PREFIX}[${item('a')} ${item('b')}]`);
});

test('the Settings in force judge the change, not Settings proposed with it', () => {
  const r = validateChange(current(STRICT), apply(docs(SETTINGS(true, true), vs('sneaky', 's.example.com', "{prefix: '/'}", 'does-not-exist'))));
  assert.equal(r.allowed, false);
  assert.deepEqual(r.settings, { alwaysAccept: false, allowWarnings: false });
});

test('load errors of the proposed text reject the change even with alwaysAccept, with file:line:column', () => {
  const text = `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: typo, namespace: gloo-system}
spec:
  virtualHost:
    routes:
      - matchers: [{prefx: /}]
        directResponseAction: {status: 200}
`;
  const change = changeFromFiles([{ name: 'vs.yaml', content: text }]);
  assert.equal(change.apply.length, 0);
  const r = validateChange(current(), change); // Gloo's defaults: alwaysAccept
  assert.equal(r.allowed, false);
  const load = r.results.find((x) => x.change === 'load')!;
  assert.deepEqual([load.kind, load.namespace, load.name], ['VirtualService', 'gloo-system', 'typo']);
  assert.match(load.errors[0]!, /^vs\.yaml:7:21: spec\.virtualHost\.routes\[0\]\.matchers\[0\]\.prefx: unknown field "prefx"/);
  assert.equal(r.message, `${DENY_PREFIX}[could not unmarshal raw object: ${load.errors[0]}]`);

  const syntax = validateChange(current(), changeFromFiles([{ name: 'bad.yaml', content: 'kind: [unclosed\n' }]));
  assert.equal(syntax.allowed, false);
  assert.match(syntax.message, /^resource incompatible with current Gloo snapshot: \[could not unmarshal raw object: bad\.yaml:\d+:\d+: /);
});

test('a resource defined twice in one request is reported; the current snapshot is never modified', () => {
  const snap = current(STRICT);
  const before = JSON.stringify(snap);
  const text = vs('dup', 'd.example.com', "{prefix: '/'}", 'echo');
  const r = validateChange(snap, changeFromFiles([{ name: 'one.yaml', content: text }, { name: 'two.yaml', content: text }]));
  assert.equal(r.allowed, false);
  assert.match(r.message, /two\.yaml:2:1: duplicate VirtualService gloo-system\.dup: already defined at one\.yaml:2/);
  assert.equal(JSON.stringify(snap), before);
});

test('with no Gateway at all, Gloo\'s default Gateways apply as in the control plane', () => {
  const snap = snapshotOf(docs(UPSTREAM('echo'), STRICT));
  const ok = validateChange(snap, apply(vs('v', 'v.example.com', "{prefix: '/'}", 'echo')));
  assert.equal(ok.allowed, true, ok.message);
  const bad = validateChange(snap, apply(vs('v', 'v.example.com', "{prefix: '/'}", 'nope')));
  assert.equal(bad.allowed, false);
});
