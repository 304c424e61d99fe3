/**
 * Every xDS resource of the Envoy-translation golden cases (`test/golden/translator/envoy-*.out.yaml`)
 * conforms to the real Envoy protos: no unknown field or `@type`, right kinds, and it survives
 * `encodeResource` → `decodeResource` unchanged (modulo proto3 defaults) — so a real Envoy gets
 * exactly what the translator meant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TYPE_URL } from '../../../src/xds/envoy-types.js';
import { decodeResource, encodeResource } from '../../../src/xds/protos.js';
import { checkResource, formatProtoProblem } from '../../../src/xds/proto-check.js';

const DIR = fileURLToPath(new URL('../../../../test/golden/translator/', import.meta.url));
const KINDS: [string, string][] = [
  ['listeners', TYPE_URL.listener],
  ['routes', TYPE_URL.routeConfiguration],
  ['clusters', TYPE_URL.cluster],
  ['endpoints', TYPE_URL.clusterLoadAssignment],
];

const files = readdirSync(DIR).filter((f) => f.startsWith('envoy-') && f.endsWith('.out.yaml')).sort();

test('there are Envoy translation golden outputs', () => assert.ok(files.length >= 9, files.join(', ')));

for (const file of files) {
  test(`xDS resources of ${file} pass the Envoy proto check and round-trip`, () => {
    const doc = parse(readFileSync(join(DIR, file), 'utf8')) as { xds?: Record<string, Record<string, unknown[]>> };
    let count = 0;
    for (const snapshot of Object.values(doc.xds ?? {})) {
      for (const [field, typeUrl] of KINDS) {
        for (const resource of snapshot[field] ?? []) {
          count++;
          const problems = checkResource(typeUrl, resource);
          assert.deepEqual(problems.map(formatProtoProblem), [], `${file}: ${field}`);
          // Encoding twice gives the same bytes: nothing the first decode produced is lost again.
          const once = encodeResource(typeUrl, resource as object);
          const again = encodeResource(typeUrl, decodeResource(typeUrl, once));
          assert.deepEqual(Buffer.from(again), Buffer.from(once), `${file}: ${field} re-encodes identically`);
        }
      }
    }
    assert.ok(count > 0, `${file} has xDS resources`);
  });
}
