#!/usr/bin/env node
/**
 * `gloo`: the gateway's process entry point. `gloo run` is the all-in-one gateway (directory config
 * source + control plane + in-process data plane + admin server); `gloo control-plane` and
 * `gloo proxy` are the split deployment (control plane serving ADS; N data planes connecting to it).
 * `--workers N` on `run` and `proxy` forks N data plane processes (workers.ts); a forked worker
 * enters here too and runs its data plane.
 */
import { Command, Option } from 'commander';
import { runAllInOne } from './run.js';
import { startControlPlaneProcess } from './control-plane.js';
import { startProxyProcess, startProxyWorkers } from './proxy.js';
import { isWorkerProcess, parseWorkers, runWorkerProcess } from './workers.js';
import { parseHostPort } from '../xds/server/ads-server.js';

const program: Command = new Command();
program.name('gloo').description('gloo-ts: a Gloo Gateway compatible API gateway').version('0.1.0');

const logOptions = (cmd: Command) =>
  cmd
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format').choices(['text', 'json']).default('text'));

function portOption(value: string, flag: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isInteger(port) || port < 0 || port > 65535) program.error(`error: ${flag} must be a port number, got "${value}"`);
  return port;
}

function addressOption(value: string, flag: string): string {
  try {
    parseHostPort(value, flag);
  } catch (err) {
    program.error(`error: ${(err as Error).message}`);
  }
  return value;
}

function workersOption(value: string): number {
  try {
    return parseWorkers(value);
  } catch (err) {
    program.error(`error: ${(err as Error).message}`);
  }
}

const WORKERS_HELP = 'data plane worker processes sharing the listeners: a number, or "auto" (one per CPU); 1 runs everything in one process';

function fail(command: string, err: unknown): never {
  process.stderr.write(`gloo ${command}: ${(err as Error).message}\n`);
  process.exit(1);
}

logOptions(
  program
    .command('run')
    .description('run the all-in-one gateway on a directory of Gloo YAML')
    .requiredOption('--config-dir <dir>', 'directory of Gloo resources (YAML/JSON; Gloo layout <kind>/<namespace>/<name>.yaml or any file)')
    .option('--admin-port <port>', 'admin port (/ready, /metrics, /config_dump, resource API)', '19000')
    .option('--admin-address <address>', 'admin bind address', '127.0.0.1')
    .option('--write-namespace <ns>', 'namespace Gateways are read from and Proxies written to', 'gloo-system')
    .option('--role <role>', 'node key of the proxy served in-process (<namespace>~<proxy name>)')
    .option('--xds-address <host:port>', 'also serve ADS here, so external proxies can join (off by default; with --workers > 1 the workers connect here too, else to a loopback port)')
    .option('--workers <n>', WORKERS_HELP, '1'),
).action(async (opts) => {
  const adminPort = portOption(opts.adminPort, '--admin-port');
  const workers = workersOption(opts.workers);
  const xdsAddress = opts.xdsAddress === undefined ? undefined : addressOption(opts.xdsAddress, '--xds-address');
  try {
    await runAllInOne({
      configDir: opts.configDir,
      adminPort,
      adminAddress: opts.adminAddress,
      writeNamespace: opts.writeNamespace,
      role: opts.role,
      xdsAddress,
      logLevel: opts.logLevel,
      logFormat: opts.logFormat,
      workers,
    });
  } catch (err) {
    fail('run', err);
  }
});

logOptions(
  program
    .command('control-plane')
    .description('run the control plane: config source, translation, statuses, validation and the xDS (ADS) server')
    .requiredOption('--config-dir <dir>', 'directory of Gloo resources')
    .option('--xds-address <host:port>', 'xDS (ADS gRPC) bind address', '0.0.0.0:9977')
    .option('--admin-port <port>', 'admin port (/ready, /metrics, /config_dump, resource API, /api/v1/xds)', '9091')
    .option('--admin-address <address>', 'admin bind address', '127.0.0.1')
    .option('--write-namespace <ns>', 'namespace Gateways are read from and Proxies written to', 'gloo-system'),
).action(async (opts) => {
  const adminPort = portOption(opts.adminPort, '--admin-port');
  const xdsAddress = addressOption(opts.xdsAddress, '--xds-address');
  try {
    await startControlPlaneProcess({
      configDir: opts.configDir,
      xdsAddress,
      adminPort,
      adminAddress: opts.adminAddress,
      writeNamespace: opts.writeNamespace,
      logLevel: opts.logLevel,
      logFormat: opts.logFormat,
    });
  } catch (err) {
    fail('control-plane', err);
  }
});

logOptions(
  program
    .command('proxy')
    .description('run a data plane (gateway-proxy) fed over ADS by a control plane')
    .option('--xds-address <host:port>', 'the control plane xDS address', '127.0.0.1:9977')
    .option('--role <role>', 'node key: <namespace>~<proxy name>', 'gloo-system~gateway-proxy')
    .option('--node-id <id>', 'node id (default <hostname>.<pid>)')
    .option('--admin-port <port>', 'admin port (/ready, /stats, /metrics, /config_dump, /api/v1/xds)', '19000')
    .option('--admin-address <address>', 'admin bind address', '127.0.0.1')
    .option('--workers <n>', WORKERS_HELP, '1'),
).action(async (opts) => {
  const adminPort = portOption(opts.adminPort, '--admin-port');
  const xdsAddress = addressOption(opts.xdsAddress, '--xds-address');
  const workers = workersOption(opts.workers);
  if (!/^[^~]+~[^~]+$/.test(opts.role)) program.error(`error: --role must be <namespace>~<proxy name>, got "${opts.role}"`);
  try {
    const proxyOpts = {
      xdsAddress,
      role: opts.role,
      nodeId: opts.nodeId,
      adminPort,
      adminAddress: opts.adminAddress,
      logLevel: opts.logLevel,
      logFormat: opts.logFormat,
      workers,
    };
    await (workers > 1 ? startProxyWorkers(proxyOpts) : startProxyProcess(proxyOpts));
  } catch (err) {
    fail('proxy', err);
  }
});

// A worker forked by `--workers N` runs its data plane instead of the command line.
if (isWorkerProcess()) await runWorkerProcess();
else await program.parseAsync(process.argv);
