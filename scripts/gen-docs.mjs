// Regenerates the field tables of docs/compatibility.md from the schemas (run after `npm run build`).
import fs from 'node:fs';
import { updateCompatibilityDoc } from '../dist/src/api/compatibility-table.js';

const file = new URL('../docs/compatibility.md', import.meta.url);
const before = fs.readFileSync(file, 'utf8');
const after = updateCompatibilityDoc(before);
if (after !== before) fs.writeFileSync(file, after);
process.stdout.write(after !== before ? 'docs/compatibility.md updated\n' : 'docs/compatibility.md is up to date\n');
