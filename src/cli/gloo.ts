#!/usr/bin/env node
/**
 * `gloo`: the gateway's process entry point. `gloo run` is the all-in-one gateway (directory config
 * source + control plane + in-process data plane + admin server).
 */
import { Command, Option } from 'commander';
import { runAllInOne } from './run.js';

const program: Command = new Command();
program.name('gloo').description('gloo-ts: a Gloo Gateway compatible API gateway').version('0.1.0');

program
  .command('run')
  .description('run the all-in-one gateway on a directory of Gloo YAML')
  .requiredOption('--config-dir <dir>', 'directory of Gloo resources (YAML/JSON; Gloo layout <kind>/<namespace>/<name>.yaml or any file)')
  .option('--admin-port <port>', 'admin port (/ready, /metrics, /config_dump, resource API)', '19000')
  .option('--admin-address <address>', 'admin bind address', '127.0.0.1')
  .option('--write-namespace <ns>', 'namespace Gateways are read from and Proxies written to', 'gloo-system')
  .option('--role <role>', 'node key of the proxy served in-process (<namespace>~<proxy name>)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('info'))
  .addOption(new Option('--log-format <format>', 'log format').choices(['text', 'json']).default('text'))
  .action(async (opts) => {
    const adminPort = Number(opts.adminPort);
    if (!Number.isInteger(adminPort) || adminPort < 0 || adminPort > 65535) {
      program.error(`error: --admin-port must be a port number, got "${opts.adminPort}"`);
    }
    try {
      await runAllInOne({
        configDir: opts.configDir,
        adminPort,
        adminAddress: opts.adminAddress,
        writeNamespace: opts.writeNamespace,
        role: opts.role,
        logLevel: opts.logLevel,
        logFormat: opts.logFormat,
      });
    } catch (err) {
      process.stderr.write(`gloo run: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

await program.parseAsync(process.argv);
