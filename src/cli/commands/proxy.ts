/**
 * `glooctl proxy served-config [--name gateway-proxy] [-n gloo-system] [-o yaml|json]`: the xDS
 * snapshot the control plane serves for one node key (`<namespace>~<name>`), read from the
 * `/config_dump` of `gloo control-plane` or `gloo run` (or, from a `gloo proxy`, what it applied).
 */
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { adminRequest } from './admin-client.js';

export function registerProxy(program: Command): void {
  const proxy = program.command('proxy').description('interact with proxy instances');
  proxy
    .command('served-config')
    .description('print the xDS configuration (listeners, routes, clusters, endpoints) served for a proxy')
    .option('--name <name>', 'proxy name', 'gateway-proxy')
    .option('-n, --namespace <ns>', 'namespace of the proxy', 'gloo-system')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (opts) => {
      const adminUrl: string = program.opts().adminUrl;
      const nodeKey = `${opts.namespace}~${opts.name}`;
      let dump: { snapshots?: Record<string, unknown> };
      try {
        dump = await adminRequest<typeof dump>(adminUrl, '/config_dump');
      } catch (err) {
        program.error(`error: ${(err as Error).message}`);
      }
      const snapshot = dump.snapshots?.[nodeKey];
      if (!snapshot) {
        const known = Object.keys(dump.snapshots ?? {});
        program.error(`error: no xDS configuration is served for proxy ${opts.namespace}.${opts.name} (node key ${nodeKey}); served: ${known.join(', ') || 'none'}`);
      }
      const out = { nodeKey, ...(snapshot as object) };
      process.stdout.write(opts.output === 'json' ? JSON.stringify(out, null, 2) + '\n' : stringify(out));
    });
}
