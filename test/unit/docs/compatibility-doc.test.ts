/**
 * docs/compatibility.md must say exactly what the schemas say: regenerate with `npm run gen:docs`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { updateCompatibilityDoc } from '../../../src/api/compatibility-table.js';
import { REPO_ROOT } from '../../helpers/gloo-process.js';

test('docs/compatibility.md field tables are up to date with the schemas', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/compatibility.md'), 'utf8');
  assert.ok(doc === updateCompatibilityDoc(doc), 'docs/compatibility.md is stale: run `npm run gen:docs` and commit it');
});
