#!/usr/bin/env node
// `npm start`: runs the petstore service and `gloo run` on the petstore example, side by side.
// Then: curl localhost:8080/all-pets   ·   glooctl get vs   ·   Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const children = [];

function run(name, args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} exited (${signal ?? code}); stopping\n`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 2000).unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.on('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('petstore', [path.join(here, 'petstore-server.js'), '--port', '8090']);
run('gloo', [path.join(root, 'dist/src/cli/gloo.js'), 'run', '--config-dir', path.join(here, 'gloo'), ...process.argv.slice(2)]);
process.stdout.write('gloo-ts petstore example: try `curl localhost:8080/all-pets` (admin on http://127.0.0.1:19000)\n');
