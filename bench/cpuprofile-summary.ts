/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per source file
 * (node internals, undici, gloo-ts modules), the biggest first. Used to find the request path's costs
 * (docs/performance.md).
 *
 *   node dist/bench/cpuprofile-summary.js CPU.xxx.cpuprofile [--top 25] [--callers 6]
 *
 * `--callers N` also prints, for the N most expensive functions, the call paths (three frames up)
 * their self time comes from: native functions such as `writev` say little without their callers.
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: cpuprofile-summary FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const topIdx = process.argv.indexOf('--top');
const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 25;
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

/** Self time in µs per node id: each sample's delta goes to the node on top of the stack. */
const self = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

/** A short name for a script: the part after node_modules/, dist/, or node:. */
function where(url: string): string {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of self) {
  const cf = byId.get(id)!.callFrame;
  const fn = `${cf.functionName || '(anonymous)'}  ${where(cf.url)}:${cf.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  const f = cf.url ? where(cf.url) : cf.functionName || '(native)';
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}

const pct = (us: number) => ((100 * us) / total).toFixed(1).padStart(5) + ' %';
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${profile.samples.length} samples\n`);
print('self time by function', byFunction);
print('self time by file', byFile);

const callersIdx = process.argv.indexOf('--callers');
if (callersIdx > 0) {
  const n = Number(process.argv[callersIdx + 1] ?? 6);
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const name = (id: number) => {
    const cf = byId.get(id)!.callFrame;
    return `${cf.functionName || '(anonymous)'}  ${where(cf.url)}:${cf.lineNumber + 1}`;
  };
  const topFns = [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .filter(([k]) => !/^\((idle|program|garbage collector)\)/.test(k))
    .slice(0, n)
    .map(([k]) => k);
  for (const fn of topFns) {
    const paths = new Map<string, number>();
    for (const [id, us] of self) {
      if (name(id) !== fn) continue;
      const chain: string[] = [];
      for (let p = parent.get(id), i = 0; p !== undefined && i < 3; p = parent.get(p), i++) chain.push(name(p));
      const k = chain.join(' < ');
      paths.set(k, (paths.get(k) ?? 0) + us);
    }
    process.stdout.write(`\ncallers of ${fn}\n`);
    for (const [k, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 4)) process.stdout.write(`${pct(us)}  < ${k}\n`);
  }
}
