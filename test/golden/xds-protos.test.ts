/**
 * Every golden xDS output passes the Envoy proto check (DESIGN §4): each translator golden case is
 * loaded, translated, and every node key's resources are checked against the real Envoy protos — no
 * unknown field, no unloaded `@type`, no value protobufjs would coerce or drop, no loss on a round trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NAMESPACE } from '../../src/api/resource.js';
import { translate } from '../../src/translator/translate.js';
import { assertValidSnapshot, formatProtoProblem } from '../../src/xds/proto-check.js';
import { GOLDEN_TRANSLATOR_DIR, goldenCaseFiles, snapshotFromYaml } from './golden-snapshot.js';

const cases = goldenCaseFiles();

test('there are golden cases to check', () => assert.ok(cases.length > 0));

for (const file of cases) {
  const name = file.slice(0, -'.in.yaml'.length);
  test(`xDS output passes the Envoy proto check: ${name}`, () => {
    const snapshot = snapshotFromYaml(readFileSync(join(GOLDEN_TRANSLATOR_DIR, file), 'utf8'), file);
    const result = translate(snapshot, { writeNamespace: DEFAULT_NAMESPACE });
    const problems: string[] = [];
    for (const [nodeKey, resources] of result.xds) for (const p of assertValidSnapshot(resources)) problems.push(`${nodeKey}: ${formatProtoProblem(p)}`);
    assert.deepEqual(problems, []);
  });
}
