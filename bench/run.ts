/**
 * `npm run bench`: measures gloo-ts's data plane side by side with nginx and the bare node:http +
 * undici proxy (and any other peer of ../shared/bench), in one run, and prints ratios. The gateway
 * runs `gloo run` on a realistic config: 50 routes with header matchers before the catch-all.
 *
 *   npm run bench                       # nginx, raw-undici, gloo-ts; GET / and /16k; 3 rounds
 *   npm run bench -- -r 1 -p /          # options are passed to compare.sh
 *   BENCH_TARGETS="nginx http-proxy raw-undici" npm run bench
 *
 * Needs wrk, nginx and /usr/bin/time (apt-get install -y wrk nginx-light time) and the peers'
 * packages (installed here on first use, in a temp copy of ../shared/bench).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(root, '../shared/bench');

function have(cmd: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = ['wrk', 'nginx', 'curl', 'taskset', 'flock'].filter((c) => !have(c));
if (!fs.existsSync('/usr/bin/time')) missing.push('/usr/bin/time');
if (missing.length) {
  process.stderr.write(`bench: missing ${missing.join(', ')}; install with: apt-get install -y wrk nginx-light time curl util-linux\n`);
  process.exit(2);
}
if (!fs.existsSync(shared)) {
  process.stderr.write(`bench: ${shared} not found (the shared benchmark kit)\n`);
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gloo-bench-'));
const benchDir = path.join(work, 'bench');
fs.cpSync(shared, benchDir, { recursive: true });
for (const f of fs.readdirSync(benchDir)) if (f.endsWith('.sh')) fs.chmodSync(path.join(benchDir, f), 0o755);
process.stdout.write(`bench: installing the Node peers in ${benchDir}/node-peers …\n`);
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: path.join(benchDir, 'node-peers'), stdio: 'inherit' });

// The gateway's config: listener on PROXY_PORT (8000), upstream on 9000, 50 routes + catch-all.
const configDir = path.join(work, 'gloo-config');
fs.mkdirSync(configDir, { recursive: true });
const routes: string[] = [];
for (let i = 0; i < 50; i++) {
  routes.push(`    - matchers: [{prefix: /service-${i}/, headers: [{name: x-tenant, value: tenant-${i}}]}]
      routeAction: {single: {upstream: {name: origin, namespace: gloo-system}}}`);
}
routes.push(`    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: origin, namespace: gloo-system}}}`);
fs.writeFileSync(
  path.join(configDir, 'bench.yaml'),
  `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: bench, namespace: gloo-system}
spec: {bindAddress: 127.0.0.1, bindPort: 8000, httpGateway: {}}
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: origin, namespace: gloo-system}
spec: {static: {hosts: [{addr: 127.0.0.1, port: 9000}]}}
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: bench, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
${routes.join('\n')}
`,
);

const gateway = `gloo-ts=node ${path.join(root, 'dist/src/cli/gloo.js')} run --config-dir ${configDir} --admin-port 19901 --log-level warn`;
const targets = (process.env.BENCH_TARGETS ?? 'nginx raw-undici').split(/\s+/).filter(Boolean);
const args = [...process.argv.slice(2), ...targets, gateway];
process.stdout.write(`bench: compare.sh ${args.map((a) => JSON.stringify(a)).join(' ')}\n`);
const r = spawnSync(path.join(benchDir, 'compare.sh'), args, { stdio: 'inherit' });
process.stdout.write(`bench: results in ${benchDir}/results\n`);
process.exit(r.status ?? 1);
