/**
 * The loader's two parsers must read every file identically: resources, values, source lines and
 * errors. Checked on every YAML file the project ships (golden inputs, examples, fixtures) and on
 * multi-document edge cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadResources, loadWithPositions } from '../../../src/api/load.js';
import { REPO_ROOT } from '../../helpers/gloo-process.js';

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

const files = [...yamlFiles(path.join(REPO_ROOT, 'test/golden')), ...yamlFiles(path.join(REPO_ROOT, 'examples'))].filter(
  (f) => !f.endsWith('.out.yaml'),
);

test('there are YAML files to compare', () => assert.ok(files.length > 20));

test('the fast and the careful parser read every shipped YAML file identically', () => {
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const rel = path.relative(REPO_ROOT, f);
    assert.deepEqual(loadResources(text, rel), loadWithPositions(text, rel), rel);
  }
});

const CASES: Record<string, string> = {
  'leading comments and blank lines': '# a comment\n\n# another\napiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: a}\nspec: {static: {hosts: [{addr: 1.2.3.4, port: 80}]}}\n',
  'several documents with comments between': `---
# first
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: a}
spec: {static: {hosts: [{addr: 1.2.3.4, port: 80}]}}
---

# second, after a blank line
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: b}
spec: {static: {hosts: [{addr: 1.2.3.4, port: 81}]}}
`,
  'empty documents': '---\n---\napiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: c}\nspec: {static: {hosts: [{addr: 1.2.3.4, port: 80}]}}\n---\n',
  'document end markers': 'apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: d}\nspec: {}\n...\n---\napiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: e}\nspec: {}\n',
  'content on the marker line': '--- {apiVersion: gloo.solo.io/v1, kind: Upstream, metadata: {name: f}, spec: {}}\n',
  'yes, on, dates and octal stay YAML 1.2 core': `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: g, annotations: {created: 2024-01-01, flag: yes, mode: on, perm: 0755}}
spec: {virtualHost: {domains: ['*']}}
`,
  'anchors and aliases': 'apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: h, labels: &l {a: b}, annotations: *l}\nspec: {}\n',
  'a validation error': 'apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: i}\nspec: {static: {hosts: [{addr: 1.2.3.4, port: eighty}]}}\n',
  'a syntax error': 'apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: j\n',
};

for (const [name, text] of Object.entries(CASES)) {
  test(`fast and careful parsers agree: ${name}`, () => {
    assert.deepEqual(loadResources(text, 'case.yaml'), loadWithPositions(text, 'case.yaml'));
  });
}

test('YAML 1.1 booleans and timestamps are read as strings, as Gloo reads them', () => {
  const r = loadResources(CASES['yes, on, dates and octal stay YAML 1.2 core']!, 'case.yaml');
  assert.deepEqual(r.resources[0]!.metadata.annotations, { created: '2024-01-01', flag: 'yes', mode: 'on', perm: '755' });
});
