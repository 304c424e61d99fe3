/**
 * `glooctl x translate --config-dir DIR`: the whole translation, offline — no running gateway. Reads
 * the directory as `gloo run` would (loadDirectoryOnce), adds Gloo's default Gateways when there is
 * none, runs the same `translate()` and prints the Proxies (`--to proxy`, default) or the Envoy
 * resources per node key (`--to xds`), the status of every input resource in Gloo's shape, and every
 * problem found reading the files (`file:line:column: field: message`).
 *
 * Exit status: 0 when everything is Accepted (or only has Warnings); 1 when a resource is Rejected, a
 * file has an error, or the directory cannot be read.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { loadDirectoryOnce, ConfigDirectoryError } from '../../config/directory/index.js';
import { formatLoadError } from '../../api/load.js';
import { toKubeObject } from '../../api/serialize.js';
import { kindInfo } from '../../api/kinds.js';
import { translate } from '../../translator/translate.js';
import { resourceStatuses, withDefaultGateways } from '../../validation/index.js';

export interface OfflineTranslation {
  /** `--to proxy`: the Proxies in Kubernetes form, with their status. */
  proxies?: Record<string, unknown>[];
  /** `--to xds`: the Envoy resources by node key (`<namespace>~<proxy name>`). */
  xds?: Record<string, unknown>;
  /** Every input resource's kind, name and status. */
  statuses: Record<string, unknown>[];
  /** Problems reading the files, `file:line:column: field: message`. */
  errors: string[];
}

/** Translates `dir` offline. Rejects with ConfigDirectoryError when it cannot be read. */
export async function translateDirectory(dir: string, to: 'proxy' | 'xds', writeNamespace: string): Promise<{ out: OfflineTranslation; rejected: number }> {
  const snapshot = withDefaultGateways(await loadDirectoryOnce(dir), writeNamespace);
  const result = translate(snapshot, { writeNamespace });
  const statuses = resourceStatuses(snapshot, result, writeNamespace);
  // Key order is print order: the translation first, then statuses, then problems.
  const out: OfflineTranslation =
    to === 'proxy'
      ? { proxies: statuses.filter((s) => s.resource.kind === 'Proxy').map((s) => toKubeObject(s.resource, s.status)), statuses: [], errors: [] }
      : { xds: Object.fromEntries([...result.xds].sort(([a], [b]) => a.localeCompare(b))), statuses: [], errors: [] };
  out.errors = snapshot.errors.map(formatLoadError);
  for (const s of statuses) {
    if (to === 'proxy' && s.resource.kind === 'Proxy') continue;
    const info = kindInfo(s.resource.kind);
    out.statuses.push({
      apiVersion: info.apiVersion,
      kind: s.resource.kind,
      metadata: { name: s.resource.metadata.name, namespace: s.resource.metadata.namespace },
      // Kinds without a status of their own (Secrets) are shown in Gloo's namespaced shape.
      status: s.status ?? { statuses: { [writeNamespace]: s.own } },
    });
  }
  return { out, rejected: statuses.filter((s) => s.own.state === 'Rejected').length };
}

export function registerTranslate(x: Command): void {
  x.command('translate')
    .description('translate a config directory offline: print the Proxies (or xDS resources) and the status of every resource')
    .requiredOption('--config-dir <dir>', 'directory of Gloo resources, as `gloo run --config-dir` reads it')
    .addOption(new Option('--to <stage>', 'what to print').choices(['proxy', 'xds']).default('proxy'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('-n, --namespace <ns>', 'the namespace Gloo writes Proxies to and reads Gateways from', 'gloo-system')
    .action(async (opts) => {
      let translated;
      try {
        translated = await translateDirectory(path.resolve(String(opts.configDir)), opts.to, String(opts.namespace));
      } catch (err) {
        const text = err instanceof ConfigDirectoryError ? `cannot read config directory ${opts.configDir}: ${(err.cause as NodeJS.ErrnoException).code ?? err.message}` : (err as Error).message;
        process.stderr.write(`Error: ${text}\n`);
        process.exitCode = 1;
        return;
      }
      const { out, rejected } = translated;
      process.stdout.write(opts.output === 'json' ? JSON.stringify(out, null, 2) + '\n' : stringify(out, { lineWidth: 0, aliasDuplicateObjects: false }));
      for (const e of out.errors) process.stderr.write(`${e}\n`);
      if (rejected > 0 || out.errors.length > 0) {
        process.stderr.write(`Error: ${rejected} rejected resource(s), ${out.errors.length} configuration error(s)\n`);
        process.exitCode = 1;
      }
    });
}
