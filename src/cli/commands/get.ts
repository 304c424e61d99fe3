/**
 * `glooctl get <type> [name]`: resources with their status, as Gloo's tables (or YAML/JSON), read
 * from the admin API. `glooctl get upstream -o wide` adds a HEALTH column: healthy/total endpoints
 * and the reasons of those out of rotation, from the data plane's `/clusters`.
 */
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { findKind } from '../../api/kinds.js';
import { printTable, type ClustersView, type KubeObject, type PrintContext, type XdsView } from '../printers.js';
import { adminRequest } from './admin-client.js';

/** The kinds `glooctl get` takes, with Gloo's names and short names. */
const GET_KINDS = ['VirtualService', 'Upstream', 'Gateway', 'Proxy', 'RouteTable', 'UpstreamGroup'];

export function registerGet(program: Command): void {
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
        items = (await adminRequest<{ items: KubeObject[] }>(adminUrl, `/api/v1/resources?${query}`)).items;
      } catch (err) {
        program.error(`error: ${(err as Error).message}`);
      }
      if (name && items.length === 0) {
        program.error(`error: ${info.kind} ${opts.namespace}.${name} not found`);
      }
      const out = opts.output as string;
      if (out === 'json') process.stdout.write(JSON.stringify(name ? items[0] : items, null, 2) + '\n');
      else if (out === 'yaml' || out === 'kube-yaml') process.stdout.write(items.map((i) => stringify(i)).join('---\n'));
      else {
        const ctx: PrintContext = {};
        // The Proxy table shows the proxies connected with each node key (CONNECTED), when the gateway serves xDS.
        if (info.kind === 'Proxy') ctx.xds = await adminRequest<XdsView>(adminUrl, '/api/v1/xds').catch(() => undefined);
        // `-o wide` on upstreams adds the health of their endpoints, when the gateway runs a data plane.
        if (info.kind === 'Upstream' && out === 'wide') {
          ctx.wide = true;
          ctx.clusters = await adminRequest<ClustersView>(adminUrl, '/clusters?format=json').catch(() => undefined);
        }
        process.stdout.write(printTable(info.kind, items, ctx));
      }
    });
}
