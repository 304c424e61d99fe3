#!/usr/bin/env node
/**
 * `glooctl`: Gloo's CLI. Only the wiring lives here; each command is in `commands/`. Commands that
 * need a running gateway read its admin API (`--admin-url`, env GLOO_ADMIN_URL, default
 * http://127.0.0.1:19000); `glooctl x translate` works offline on a config directory.
 */
import { Command, Option } from 'commander';
import { DEFAULT_ADMIN_URL } from './commands/admin-client.js';
import { registerGet } from './commands/get.js';
import { registerCheck } from './commands/check.js';
import { registerValidate } from './commands/validate.js';
import { registerTranslate } from './commands/translate.js';
import { registerProxy } from './commands/proxy.js';

const program: Command = new Command();
program
  .name('glooctl')
  .description('CLI for gloo-ts (Gloo Gateway compatible)')
  .version('0.1.0')
  .addOption(new Option('--admin-url <url>', 'admin API of the running gateway').env('GLOO_ADMIN_URL').default(DEFAULT_ADMIN_URL));

registerGet(program);
registerCheck(program);
registerValidate(program);
registerProxy(program);
registerTranslate(program.command('x').description('experimental commands'));

await program.parseAsync(process.argv);
