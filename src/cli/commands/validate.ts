/**
 * `glooctl validate -f FILE...`: asks the running gateway whether it would admit these resources —
 * the dry run its admission webhook does (`POST /api/v1/validate`) — and prints the verdict the way
 * kubectl prints an admission webhook's: `virtualservice.gateway.solo.io/default accepted`, admission
 * warnings as `Warning: …`, or `Error from server: admission webhook "gloo.gloo-system.svc" denied the
 * request: resource incompatible with current Gloo snapshot: [...]` and exit 1.
 *
 * Every file is validated together (a VirtualService and the Upstream it routes to may come in two
 * files); a directory stands for the config files below it; `-` reads standard input.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { findKind } from '../../api/kinds.js';
import { isConfigFileName, isIgnoredName } from '../../config/directory/index.js';
import { VALIDATE_REQUEST_TYPE, type ProposedFile, type ValidationResult } from '../../validation/index.js';
import { adminRequest } from './admin-client.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The files named on the command line, directories expanded (sorted, config files only). */
async function readInputs(names: string[]): Promise<ProposedFile[]> {
  const out: ProposedFile[] = [];
  const visit = async (p: string): Promise<void> => {
    if ((await stat(p)).isDirectory()) {
      for (const e of (await readdir(p)).sort()) {
        if (isIgnoredName(e)) continue;
        const child = path.join(p, e);
        if ((await stat(child)).isDirectory() || isConfigFileName(e)) await visit(child);
      }
      return;
    }
    out.push({ name: p, content: await readFile(p, 'utf8') });
  };
  for (const n of names) {
    if (n === '-') out.push({ name: 'STDIN', content: await readStdin() });
    else await visit(n);
  }
  return out;
}

function resourceName(r: { kind: string; namespace: string; name: string }): string {
  const info = findKind(r.kind);
  return info ? `${info.singular}${info.group ? `.${info.group}` : ''}/${r.name}` : `${r.kind}/${r.name}`;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('ask the running gateway whether it would accept these resources (its admission webhook\'s dry run)')
    .requiredOption('-f, --filename <files...>', 'files or directories of Gloo resources (- for standard input)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (opts) => {
      const adminUrl: string = program.opts().adminUrl;
      let files: ProposedFile[];
      try {
        files = await readInputs(opts.filename as string[]);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        process.stderr.write(`Error: cannot read ${e.path ?? ''}: ${e.code ?? e.message}\n`);
        process.exitCode = 1;
        return;
      }
      let result: ValidationResult & { webhook: string };
      try {
        result = await adminRequest(adminUrl, '/api/v1/validate', {
          method: 'POST',
          headers: { 'content-type': VALIDATE_REQUEST_TYPE },
          body: JSON.stringify({ files }),
        });
      } catch (err) {
        process.stderr.write(`Error: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.output === 'json' || opts.output === 'yaml') {
        const { stringify } = await import('yaml');
        process.stdout.write(opts.output === 'json' ? JSON.stringify(result, null, 2) + '\n' : stringify(result, { lineWidth: 0, aliasDuplicateObjects: false }));
      } else {
        if (result.allowed) {
          // Problems that did not block the change are admission warnings, as kubectl shows them.
          for (const r of result.results) {
            const who = r.kind ? `${r.kind} ${r.namespace}.${r.name}` : r.name;
            for (const w of r.warnings) process.stderr.write(`Warning: ${who}: ${w}\n`);
            for (const e of r.errors) process.stderr.write(`Warning: ${who}: ${e} (admitted: settings.gateway.validation.alwaysAccept is true)\n`);
          }
          for (const r of result.results.filter((r) => r.change === 'apply')) process.stdout.write(`${resourceName(r)} accepted\n`);
        } else {
          process.stderr.write(`Error from server: admission webhook "${result.webhook}" denied the request: ${result.message}\n`);
        }
      }
      if (!result.allowed) process.exitCode = 1;
    });
}
