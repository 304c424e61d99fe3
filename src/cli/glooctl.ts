#!/usr/bin/env node
/**
 * `glooctl`: Gloo's CLI, reading from a running gateway's admin API (`--admin-url`, env
 * GLOO_ADMIN_URL, default http://127.0.0.1:19000).
 */
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { findKind } from '../api/kinds.js';
import { printTable, type KubeObject } from './printers.js';

const DEFAULT_ADMIN_URL = 'http://127.0.0.1:19000';

/** The kinds `glooctl get` takes, with Gloo's names and short names. */
const GET_KINDS = ['VirtualService', 'Upstream', 'Gateway', 'Proxy', 'RouteTable', 'UpstreamGroup'];

const program: Command = new Command();
program
  .name('glooctl')
  .description('CLI for gloo-ts (Gloo Gateway compatible)')
  .version('0.1.0')
  .addOption(new Option('--admin-url <url>', 'admin API of the running gateway').env('GLOO_ADMIN_URL').default(DEFAULT_ADMIN_URL));

program
  .command('get')
  .description('list resources with their status: virtualservice (vs), upstream (us), gateway (gw), proxy (px), routetable (rt), upstreamgroup (ug)')
  .argument('<type>', 'resource type')
  .argument('[name]', 'resource name')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'yaml', 'json', 'kube-yaml', 'wide']).default('table'))
  .option('-n, --namespace <ns>', 'namespace', 'gloo-system')
  .option('-A, --all-namespaces', 'list resources in every namespace')
  .action(async (type: string, name: string | undefined, opts) => {
    const info = findKind(type);
    if (!info || !GET_KINDS.includes(info.kind)) {
      program.error(`error: unknown resource type "${type}"; use one of virtualservice (vs), upstream (us), gateway (gw), proxy (px), routetable (rt), upstreamgroup (ug)`);
    }
    const adminUrl: string = program.opts().adminUrl;
    const query = new URLSearchParams({ kind: info.kind });
    if (name) query.set('name', name);
    if (!opts.allNamespaces) query.set('namespace', opts.namespace);
    let items: KubeObject[];
    try {
      const res = await fetch(new URL(`/api/v1/resources?${query}`, adminUrl));
      if (!res.ok) throw new Error(`admin API answered ${res.status}: ${await res.text()}`);
      items = ((await res.json()) as { items: KubeObject[] }).items;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      program.error(
        `error: cannot reach the gateway's admin API at ${adminUrl}${cause ? ` (${cause})` : ''}: ${(err as Error).message}\n` +
          'Is `gloo run` running? Set --admin-url or GLOO_ADMIN_URL to its admin address.',
      );
    }
    if (name && items.length === 0) {
      program.error(`error: ${info.kind} ${opts.namespace}.${name} not found`);
    }
    const out = opts.output as string;
    if (out === 'json') process.stdout.write(JSON.stringify(name ? items[0] : items, null, 2) + '\n');
    else if (out === 'yaml' || out === 'kube-yaml') process.stdout.write(items.map((i) => stringify(i)).join('---\n'));
    else process.stdout.write(printTable(info.kind, items));
  });

await program.parseAsync(process.argv);
