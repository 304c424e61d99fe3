/**
 * Golden tests of the whole translation (STYLE 15): each `translator/<case>.in.yaml` (Gloo resources,
 * Kubernetes form) is loaded, translated, and compared with `<case>.out.yaml`, which holds the
 * Proxies, the status of every resource (with the subresource statuses of the Proxies it contributed
 * to) and the xDS resources per node key.
 * Regenerate with `GOLDEN_UPDATE=1 node --test dist/test/golden/` and review the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ApiSnapshot } from '../../src/config/snapshot.js';
import { DEFAULT_NAMESPACE, type Resource } from '../../src/api/resource.js';
import { statusFromReport, type Status } from '../../src/api/status.js';
import { translate } from '../../src/translator/translate.js';
import { TranslationCache } from '../../src/translator/translation-cache.js';
import { GOLDEN_TRANSLATOR_DIR, goldenCaseFiles, snapshotFromYaml } from './golden-snapshot.js';

const DIR = GOLDEN_TRANSLATOR_DIR;
const UPDATE = process.env.GOLDEN_UPDATE === '1';

function proxyDoc(p: Resource<'Proxy'>): unknown {
  return { apiVersion: p.apiVersion, kind: p.kind, metadata: p.metadata, spec: p.spec };
}

function render(snapshot: ApiSnapshot, cache?: TranslationCache): string {
  const result = translate(snapshot, { writeNamespace: DEFAULT_NAMESPACE, cache });
  const statuses: Record<string, unknown> = {};
  const reports = [...result.reports.all()].sort((a, b) =>
    `${a.kind} ${a.namespace}.${a.name}`.localeCompare(`${b.kind} ${b.namespace}.${b.name}`),
  );
  const brief = (s: Status): Record<string, unknown> => (s.reason === undefined ? { state: s.state } : { state: s.state, reason: s.reason });
  for (const r of reports) {
    const id = `${r.kind} ${r.namespace}.${r.name}`;
    const entry = brief(statusFromReport(r));
    const subs = result.subresources.get(id);
    if (subs) entry.subresourceStatuses = Object.fromEntries(Object.keys(subs).sort().map((k) => [k, brief(subs[k]!)]));
    statuses[id] = entry;
  }
  const out: Record<string, unknown> = {
    proxies: result.proxies.map(proxyDoc),
    statuses,
    xds: Object.fromEntries([...result.xds].sort(([a], [b]) => a.localeCompare(b))),
  };
  const unattached = snapshot.errors.filter((e) => !e.resource);
  if (unattached.length > 0) out.loadErrors = unattached;
  return stringify(out, { lineWidth: 0, aliasDuplicateObjects: false });
}

const cases = goldenCaseFiles();

test('there are golden cases', () => assert.ok(cases.length > 0, `no cases in ${DIR}`));

for (const file of cases) {
  const name = file.slice(0, -'.in.yaml'.length);
  test(`translator golden: ${name}`, () => {
    const snapshot = snapshotFromYaml(readFileSync(join(DIR, file), 'utf8'), file);
    const actual = render(snapshot);
    const outPath = join(DIR, `${name}.out.yaml`);
    if (UPDATE) {
      writeFileSync(outPath, actual);
      return;
    }
    assert.ok(existsSync(outPath), `${name}.out.yaml is missing: run with GOLDEN_UPDATE=1`);
    assert.equal(actual, readFileSync(outPath, 'utf8'), `${name}: output differs from ${name}.out.yaml (GOLDEN_UPDATE=1 regenerates)`);
  });
}

/**
 * Incremental translation gives exactly the output of a full one: for every case, a warm cache (all
 * hits), each VirtualService and RouteTable in turn replaced — by a copy (new object, same content)
 * and by a version without its last route — and each Upstream in turn removed, on top of a cache warmed by the original snapshot.
 */
for (const file of cases) {
  const name = file.slice(0, -'.in.yaml'.length);
  test(`incremental translation equals full translation: ${name}`, () => {
    const snapshot = snapshotFromYaml(readFileSync(join(DIR, file), 'utf8'), file);
    const full = render(snapshot);
    const cache = new TranslationCache();
    assert.equal(render(snapshot, cache), full, 'cold cache');
    assert.equal(render(snapshot, cache), full, 'warm cache');
    const variants: ApiSnapshot[] = [];
    snapshot.virtualServices.forEach((vs, i) => {
      const copy = structuredClone(vs);
      const shorter = structuredClone(vs);
      shorter.spec.virtualHost?.routes?.pop();
      for (const v of [copy, shorter]) {
        const list = [...snapshot.virtualServices];
        list[i] = v;
        variants.push({ ...snapshot, virtualServices: list });
      }
    });
    snapshot.routeTables.forEach((rt, i) => {
      const shorter = structuredClone(rt);
      shorter.spec.routes?.pop();
      const list = [...snapshot.routeTables];
      list[i] = shorter;
      variants.push({ ...snapshot, routeTables: list });
    });
    snapshot.upstreams.forEach((_, i) => {
      variants.push({ ...snapshot, upstreams: snapshot.upstreams.filter((_u, j) => j !== i) });
    });
    for (const variant of variants) {
      render(snapshot, cache); // warm on the original
      assert.equal(render(variant, cache), render(variant), 'one resource changed');
    }
  });
}
