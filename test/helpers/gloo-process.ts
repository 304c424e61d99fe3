/**
 * Runs `gloo run` (or `gloo control-plane` + `gloo proxy`) and `glooctl` the way a user does: as child processes of the built CLI, against a
 * temporary config directory, on free ports. Every process started here is stopped by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, holdPort } from './ports.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const GLOO_BIN = path.join(REPO_ROOT, 'dist/src/cli/gloo.js');
export const GLOOCTL_BIN = path.join(REPO_ROOT, 'dist/src/cli/glooctl.js');

/** A port nobody listens on right now. */
export const getFreePort = freePort;

/** `n` distinct ports nobody listens on right now (all held while choosing, so they differ). */
export async function getFreePorts(n: number): Promise<number[]> {
  const held = await Promise.all(Array.from({ length: n }, () => holdPort()));
  const ports = held.map((s) => (s.address() as { port: number }).port);
  await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** Polls `check` until it returns a truthy value; fails with `what` after a generous bound. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Exclude<T, undefined | null | false | 0 | ''>;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function makeConfigDir(prefix = 'gloo-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a file under the config dir atomically (write + rename), creating directories. */
export function writeConfig(dir: string, rel: string, text: string): void {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export interface GlooProcess {
  adminUrl: string;
  adminPort: number;
  proc: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `gloo run` on `configDir` (admin on `adminPort`, or a free port) and waits until `/ready` answers 200. */
export async function startGloo(configDir: string, extraArgs: string[] = [], adminPort?: number): Promise<GlooProcess> {
  adminPort ??= await getFreePort();
  return startGlooCommand(['run', '--config-dir', configDir, '--admin-port', String(adminPort), ...extraArgs], adminPort, 'gloo run');
}

/** Spawns `gloo <args>` and waits until its admin `/ready` answers 200. */
async function startGlooCommand(args: string[], adminPort: number, what: string): Promise<GlooProcess> {
  const proc = spawn(process.execPath, [GLOO_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const g: GlooProcess = {
    adminUrl,
    adminPort,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  try {
    await waitFor(`${what} to become ready`, async () => {
      if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}:\n${out}`);
      const res = await fetch(`${adminUrl}/ready`).catch(() => undefined);
      return res?.status === 200;
    });
  } catch (err) {
    await g.stop();
    throw err;
  }
  return g;
}

/** A `gloo control-plane` process; `xdsPort` is where proxies connect. */
export interface ControlPlaneProcess extends GlooProcess {
  xdsPort: number;
  xdsAddress: string;
}

/** Starts `gloo control-plane` on loopback (a free xDS port unless one is given) and waits until it has translated once. */
export async function startControlPlane(configDir: string, opts: { xdsPort?: number; extraArgs?: string[] } = {}): Promise<ControlPlaneProcess> {
  const adminPort = await getFreePort();
  const xdsPort = opts.xdsPort ?? (await getFreePort());
  const xdsAddress = `127.0.0.1:${xdsPort}`;
  const args = ['control-plane', '--config-dir', configDir, '--xds-address', xdsAddress, '--admin-port', String(adminPort), ...(opts.extraArgs ?? [])];
  const g = await startGlooCommand(args, adminPort, 'gloo control-plane');
  return { ...g, xdsPort, xdsAddress };
}

/** Starts `gloo proxy` against `xdsAddress` with a role (`<namespace>~<proxy name>`); waits until its first configuration is applied. */
export async function startProxy(xdsAddress: string, role: string, opts: { extraArgs?: string[]; nodeId?: string } = {}): Promise<GlooProcess> {
  const adminPort = await getFreePort();
  const args = ['proxy', '--xds-address', xdsAddress, '--role', role, '--admin-port', String(adminPort), ...(opts.nodeId ? ['--node-id', opts.nodeId] : []), ...(opts.extraArgs ?? [])];
  return startGlooCommand(args, adminPort, `gloo proxy ${role}`);
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(bin: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export const glooctl = (g: GlooProcess, ...args: string[]) => runCli(GLOOCTL_BIN, ['--admin-url', g.adminUrl, ...args]);

/** Minimal YAML builders for the resources tests write. */
export const yaml = {
  gateway: (name: string, port: number, extra = '') => `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: gloo-system
spec:
  bindAddress: 127.0.0.1
  bindPort: ${port}
  httpGateway: {}
${extra}`,
  staticUpstream: (name: string, port: number, namespace = 'gloo-system') => `apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  static:
    hosts:
    - addr: 127.0.0.1
      port: ${port}
`,
};

/** Runs glooctl without an admin URL (offline commands such as `glooctl x translate`). */
export const glooctlOffline = (...args: string[]) => runCli(GLOOCTL_BIN, args);

/** More YAML builders (validation and check tests). */
export const moreYaml = {
  /** A VirtualService with one route per `[matcher, upstream]` pair, e.g. `[["{prefix: '/'}", 'echo']]`. */
  virtualService: (name: string, domain: string, routes: [matcher: string, upstream: string][], namespace = 'gloo-system') => `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  virtualHost:
    domains: ['${domain}']
    routes:
${routes.map(([m, u]) => `    - matchers: [${m}]\n      routeAction: {single: {upstream: {name: ${u}, namespace: gloo-system}}}\n`).join('')}`,
  /** Settings `gloo-system/default` with `gateway.validation`. */
  validationSettings: (alwaysAccept: boolean, allowWarnings: boolean) => `apiVersion: gloo.solo.io/v1
kind: Settings
metadata:
  name: default
  namespace: gloo-system
spec:
  gateway:
    validation:
      alwaysAccept: ${alwaysAccept}
      allowWarnings: ${allowWarnings}
`,
};
