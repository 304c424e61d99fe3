/**
 * `npm run bench`: measures gloo-ts's data plane side by side with nginx and the bare node:http +
 * undici proxy (and any other peer of ../shared/bench), in one run, and prints ratios. The gateway
 * runs `gloo run` on realistic configs, an access log to a file and metrics on: `gloo-ts` has 50 routes
 * with header matchers before the catch-all, `gloo-ts-1k` 1,000. A second run measures
 * `gloo run --workers 2` (`gloo-ts-w2`) beside nginx and gloo-ts, all on the CPU list
 * BENCH_WORKERS_CPU (default 0,1 on a 2-CPU machine: shared with wrk, see docs/performance.md).
 *
 *   npm run bench                       # nginx, raw-undici, gloo-ts; GET / and /16k; 3 rounds
 *   npm run bench -- -r 1 -p /          # options are passed to compare.sh
 *   BENCH_TARGETS="nginx http-proxy raw-undici" npm run bench
 *   BENCH_WORKERS=0 npm run bench       # skip the --workers run (BENCH_WORKERS=4: four workers)
 *   BENCH_TRANSFORMATION=1 npm run bench     # also: a template-heavy route vs the same route without
 *   BENCH_TRANSFORMATION=only npm run bench  #   transformation (`gloo-ts-xform` / `gloo-ts-plain`); only that
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

// The gateway's configs: listener on PROXY_PORT (8000), upstream on 9000, N header-matched routes
// before the catch-all (the benchmark paths / and /16k are matched by that last route), an access
// log to a file in the bench's temp dir (Gateway `options.accessLoggingService`); metrics are always on.
function writeGatewayConfig(name: string, headerRoutes: number, catchAllOptions = ''): string {
  const configDir = path.join(work, `config-${name}`);
  fs.mkdirSync(configDir, { recursive: true });
  const routes: string[] = [];
  for (let i = 0; i < headerRoutes; i++) {
    routes.push(`    - matchers: [{prefix: /service-${i}/, headers: [{name: x-tenant, value: tenant-${i}}]}]
      routeAction: {single: {upstream: {name: origin, namespace: gloo-system}}}`);
  }
  routes.push(`    - matchers: [{prefix: /}]
${catchAllOptions}      routeAction: {single: {upstream: {name: origin, namespace: gloo-system}}}`);
  fs.writeFileSync(
    path.join(configDir, 'bench.yaml'),
    `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: bench, namespace: gloo-system}
spec:
  bindAddress: 127.0.0.1
  bindPort: 8000
  httpGateway: {}
  options:
    accessLoggingService:
      accessLog:
      - fileSink: {path: ${JSON.stringify(path.join(work, `access-${name}.log`))}, stringFormat: ''}
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
  return configDir;
}

const gloo = (name: string, headerRoutes: number, extra = '', catchAllOptions = '') =>
  `${name}=node ${path.join(root, 'dist/src/cli/gloo.js')} run --config-dir ${writeGatewayConfig(name, headerRoutes, catchAllOptions)} --admin-port 19901 --log-level warn${extra}`;

// A template-heavy catch-all (BENCH_TRANSFORMATION): two extractors (the first path segment, the
// query), five request headers from templates (functions, extractions, pseudo-headers), the GET
// turned into a POST with a JSON body rendered from them (the request body is read — empty — and
// replaced), and a response header from a request header (edited as the headers are written). The
// bench kit checks the response size, so the response body is left alone; and the origin answers
// POST on `/` only (its `/16k` is a static file: 405), so this comparison runs on `/`.
const TEMPLATE_HEAVY = `      options:
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  parseBodyBehavior: DontParse
                  extractors:
                    segment: {header: ':path', regex: '/([^/?]*).*', subgroup: 1}
                    query: {header: ':path', regex: '[^?]*(?:\\?(.*))?', subgroup: 1}
                  headers:
                    ':method': {text: POST}
                    content-type: {text: application/json}
                    x-request-path: {text: '{{ header(":path") }}'}
                    x-segment: {text: '{% if segment != "" %}{{ segment }}{% else %}root{% endif %}'}
                    x-host: {text: '{{ upper(header(":authority")) }}'}
                    x-path-b64: {text: '{{ base64_encode(header(":path")) }}'}
                  body:
                    text: '{"method": "{{ header(":method") }}", "path": "{{ header(":path") }}", "segment": "{{ segment }}", "query": "{{ query }}", "length": {{ length(header(":path")) }}}'
              responseTransformation:
                transformationTemplate:
                  headers:
                    x-upstream-path: {text: '{{ request_header(":path") }}'}
`;
const gateways = [gloo('gloo-ts', 50), gloo('gloo-ts-1k', 1000)];
const targets = (process.env.BENCH_TARGETS ?? 'nginx raw-undici').split(/\s+/).filter(Boolean);

function compare(label: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  process.stdout.write(`bench: ${label}: ${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}compare.sh ${args.map((a) => JSON.stringify(a)).join(' ')}\n`);
  const r = spawnSync(path.join(benchDir, 'compare.sh'), args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

const transformation = process.env.BENCH_TRANSFORMATION ?? '';
let status = 0;
// (a), (b): one core for the proxy (and the origin), one for wrk, like the peers.
if (transformation !== 'only') {
  status = compare('one core', [...process.argv.slice(2), '-o', path.join(benchDir, 'results/one-core'), ...targets, ...gateways]);
}
// (c) --workers 2. On a 2-CPU machine the kit has no third core: the workers share CPUs 0,1 with wrk
// (PROXY_CPU=0,1), so nginx and the single-process gloo-ts are re-measured the same way for the ratio.
// BENCH_WORKERS_CPU changes the CPU list; BENCH_WORKERS=0 skips this part.
if (process.env.BENCH_WORKERS !== '0' && transformation !== 'only') {
  const cpus = process.env.BENCH_WORKERS_CPU ?? (os.availableParallelism() > 2 ? '1,2' : '0,1');
  const w = Number(process.env.BENCH_WORKERS ?? 2);
  status ||= compare(
    `--workers ${w}`,
    [...process.argv.slice(2), '-o', path.join(benchDir, 'results/workers'), 'nginx', gloo('gloo-ts', 50), gloo(`gloo-ts-w${w}`, 50, ` --workers ${w}`)],
    { PROXY_CPU: cpus },
  );
}
// (d) BENCH_TRANSFORMATION: the same gateway config with and without the template-heavy catch-all.
if (transformation === '1' || transformation === 'only') {
  status ||= compare('transformation', [
    '-p',
    '/',
    ...process.argv.slice(2),
    '-o',
    path.join(benchDir, 'results/transformation'),
    gloo('gloo-ts-plain', 50),
    gloo('gloo-ts-xform', 50, '', TEMPLATE_HEAVY),
  ]);
}
process.stdout.write(`bench: results in ${benchDir}/results\n`);
process.exit(status);
