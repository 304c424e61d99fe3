/**
 * `glooctl check`: checks the running gateway's resources for problems, printing Gloo's check lines
 * (`Checking Upstreams... OK`) and, for each problem, Gloo's wording (`Found rejected virtual service
 * by 'gloo-system': gloo-system default (Reason: …)`), then `No problems detected.` (exit 0) or
 * `Error: N errors occurred: …` as Go's multierror prints it (exit 1).
 *
 * Gloo's Kubernetes checks (Deployments, Pods, xDS metrics) have no counterpart in one process; in
 * their place comes "Config Sources": files that do not parse, unknown kinds, duplicates, ports in
 * use. RouteTables are checked too (Gloo folds their problems into the VirtualServices only).
 */
import { Option, type Command } from 'commander';
import type { KubeObject } from '../printers.js';
import { adminRequest } from './admin-client.js';

interface StatusItem {
  kind: string;
  namespace: string;
  name: string;
  state: 'Pending' | 'Accepted' | 'Rejected' | 'Warning';
  reason?: string;
}

/** What a check reads from the admin API. */
interface CheckInput {
  reporter: string;
  items: StatusItem[];
  sourceErrors: string[];
  virtualServices: KubeObject[];
}

interface CheckDef {
  /** The name `-x/--exclude` takes (Gloo's, where Gloo has the check). */
  exclude: string;
  /** As printed: `Checking <title>... `. */
  title: string;
  run(input: CheckInput, known: Map<string, Set<string>>): string[];
}

const renderMeta = (ns: string, name: string) => `${ns} ${name}`;

/** Gloo's messages for a kind with namespaced statuses: `(Reason: …)` inline. */
function statusCheck(kind: string, noun: string): CheckDef['run'] {
  return (input) => {
    const out: string[] = [];
    for (const i of input.items.filter((i) => i.kind === kind)) {
      const who = renderMeta(i.namespace, i.name);
      if (i.state === 'Rejected') out.push(`Found rejected ${noun} by '${input.reporter}': ${who} (Reason: ${i.reason ?? ''})`);
      else if (i.state === 'Warning') out.push(`Found ${noun} with warnings by '${input.reporter}': ${who} (Reason: ${i.reason ?? ''})`);
      else if (i.state === 'Pending') out.push(`Found ${noun} with no status: ${who}\n`);
    }
    return out;
  };
}

/** Gloo's messages for Gateways and Proxies: the reason on its own line. */
function blockStatusCheck(kind: string, noun: string): CheckDef['run'] {
  return (input) => {
    const out: string[] = [];
    for (const i of input.items.filter((i) => i.kind === kind)) {
      const who = renderMeta(i.namespace, i.name);
      if (i.state === 'Rejected') out.push(`Found rejected ${noun} by '${input.reporter}': ${who}\nReason: ${i.reason ?? ''}\n`);
      else if (i.state === 'Warning') out.push(`Found ${noun} with warnings by '${input.reporter}': ${who}\nReason: ${i.reason ?? ''}\n`);
      else if (i.state === 'Pending') out.push(`Found ${noun} with no status: ${who}\n`);
    }
    return out;
  };
}

/** RateLimitConfigs have skv2 statuses: Gloo reports only rejected ones, without a reporter. */
function rateLimitConfigCheck(input: CheckInput): string[] {
  return input.items
    .filter((i) => i.kind === 'RateLimitConfig' && i.state === 'Rejected')
    .map((i) => `Found rejected rate limit config: ${renderMeta(i.namespace, i.name)} (Reason: ${i.reason ?? ''})`);
}

/** Gloo also flags references to Upstreams and AuthConfigs that do not exist. */
function virtualServiceCheck(input: CheckInput, known: Map<string, Set<string>>): string[] {
  const out = statusCheck('VirtualService', 'virtual service')(input, known);
  const upstreams = known.get('Upstream');
  const authConfigs = known.get('AuthConfig');
  for (const vs of input.virtualServices) {
    const who = renderMeta(vs.metadata.namespace, vs.metadata.name);
    const ref = (r: { name?: string; namespace?: string }) => renderMeta(r.namespace || vs.metadata.namespace, r.name ?? '');
    const routes: any[] = vs.spec?.virtualHost?.routes ?? [];
    if (upstreams) {
      for (const route of routes) {
        const us = route?.routeAction?.single?.upstream;
        if (us && !upstreams.has(ref(us))) out.push(`Virtual service references unknown upstream: (Virtual service: ${who} | Upstream: ${ref(us)})`);
      }
    }
    if (authConfigs) {
      const refs = [vs.spec?.virtualHost?.options?.extauth?.configRef, ...routes.map((r) => r?.options?.extauth?.configRef)];
      for (const r of refs) {
        if (r && !authConfigs.has(ref(r)))
          out.push(`Virtual service references unknown auth config:\n  Virtual service: ${who}\n  Auth Config: ${ref(r)}\n`);
      }
    }
  }
  return out;
}

/** In Gloo's order; "Config Sources" stands where Gloo checks its Deployments. */
const CHECKS: CheckDef[] = [
  { exclude: 'config-sources', title: 'Config Sources', run: (input) => input.sourceErrors.map((e) => `Found config source error: ${e}`) },
  { exclude: 'upstreams', title: 'Upstreams', run: statusCheck('Upstream', 'upstream') },
  { exclude: 'upstreamgroup', title: 'UpstreamGroups', run: statusCheck('UpstreamGroup', 'upstream group') },
  { exclude: 'auth-configs', title: 'AuthConfigs', run: statusCheck('AuthConfig', 'auth config') },
  { exclude: 'rate-limit-configs', title: 'RateLimitConfigs', run: rateLimitConfigCheck },
  { exclude: 'virtual-host-options', title: 'VirtualHostOptions', run: statusCheck('VirtualHostOption', 'VirtualHostOption') },
  { exclude: 'route-options', title: 'RouteOptions', run: statusCheck('RouteOption', 'RouteOption') },
  { exclude: 'secrets', title: 'Secrets', run: statusCheck('Secret', 'secret') },
  { exclude: 'virtual-services', title: 'VirtualServices', run: virtualServiceCheck },
  { exclude: 'route-tables', title: 'RouteTables', run: statusCheck('RouteTable', 'route table') },
  { exclude: 'gateways', title: 'Gateways', run: blockStatusCheck('Gateway', 'gateway') },
  { exclude: 'proxies', title: 'Proxies', run: blockStatusCheck('Proxy', 'proxy') },
];

/** The kinds whose names a later check needs (Gloo's "known upstreams / auth configs"). */
const KNOWN_FROM: Record<string, string> = { upstreams: 'Upstream', 'auth-configs': 'AuthConfig' };

/** Go's hashicorp/go-multierror text, which cobra prints after `Error: `. */
export function multiErrorText(errors: string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join('\n\t')}\n\n`;
}

export interface CheckReport {
  resources: { name: string; status: string }[];
  messages: string[];
  errors: string[];
}

/** Runs the checks on what the admin API returned. Pure, for tests and both output formats. */
export function runChecks(input: CheckInput, excluded: ReadonlySet<string>): CheckReport {
  const report: CheckReport = { resources: [], messages: [], errors: [] };
  const known = new Map<string, Set<string>>();
  for (const check of CHECKS) {
    if (excluded.has(check.exclude)) continue;
    const problems = check.run(input, known);
    const kind = KNOWN_FROM[check.exclude];
    if (kind) known.set(kind, new Set(input.items.filter((i) => i.kind === kind).map((i) => renderMeta(i.namespace, i.name))));
    report.resources.push({ name: check.title, status: problems.length ? `${problems.length} Errors!` : 'OK' });
    report.errors.push(...problems);
  }
  if (report.errors.length === 0) report.messages.push('No problems detected.');
  return report;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check the running gateway\'s resources for errors and warnings')
    .addOption(new Option('-o, --output <format>', 'output format: table (default) or json').default('table'))
    .option('-x, --exclude <checks...>', `checks to exclude: ${CHECKS.map((c) => c.exclude).join(', ')}`, [])
    .option('-r, --resource-namespaces <namespaces...>', 'check only resources in these namespaces')
    .option('-n, --namespace <ns>', 'namespace Gloo runs in (accepted for compatibility)', 'gloo-system')
    .option('--read-only', 'only checks that change nothing (every check here is read-only)')
    .action(async (opts) => {
      const output = String(opts.output);
      if (output !== 'table' && output !== 'json') {
        process.stderr.write('Error: Invalid output type. Only table (default) and json are supported.\n');
        process.exitCode = 1;
        return;
      }
      const adminUrl: string = program.opts().adminUrl;
      // Gloo's flag takes comma-separated values as well as repeated flags.
      const excluded = new Set<string>((opts.exclude as string[]).flatMap((x) => x.split(',')).map((x) => x.trim()));
      const namespaces = opts.resourceNamespaces ? new Set<string>((opts.resourceNamespaces as string[]).flatMap((x) => x.split(','))) : undefined;
      let input: CheckInput;
      try {
        const [statuses, errors, vss] = await Promise.all([
          adminRequest<{ reporter: string; items: StatusItem[] }>(adminUrl, '/api/v1/statuses'),
          adminRequest<{ errors: { text: string }[] }>(adminUrl, '/api/v1/errors'),
          adminRequest<{ items: KubeObject[] }>(adminUrl, '/api/v1/resources?kind=VirtualService'),
        ]);
        const inNs = (ns: string) => !namespaces || namespaces.has(ns);
        input = {
          reporter: statuses.reporter,
          items: statuses.items.filter((i) => inNs(i.namespace)),
          sourceErrors: errors.errors.map((e) => e.text),
          virtualServices: vss.items.filter((v) => inNs(v.metadata.namespace)),
        };
      } catch (err) {
        process.stderr.write(`Error: could not communicate with the gateway: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const report = runChecks(input, excluded);
      if (output === 'json') {
        process.stdout.write(JSON.stringify(report) + '\n');
      } else {
        for (const r of report.resources) process.stdout.write(`Checking ${r.name}... ${r.status}\n`);
        if (report.errors.length === 0) process.stdout.write('No problems detected.\n');
        else process.stderr.write(`Error: ${multiErrorText(report.errors)}\n`);
      }
      // Unlike Gloo's `-o json` (which exits 0 and lists errors in the JSON), any problem exits 1 here, so CI can gate on it.
      if (report.errors.length > 0) process.exitCode = 1;
    });
}
