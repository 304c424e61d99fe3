/**
 * Proxyless gRPC end to end (issue 4, DESIGN §7 "peers as judges"): @grpc/grpc-js-xds, the gRPC
 * team's own xDS client, routes real calls to real grpc-js servers on the config our control plane
 * translates from Gloo YAML and serves over ADS. The client runs in a child process
 * (test/fixtures/proxyless-grpc/xds-echo-client.ts: the bootstrap is read once per process) with
 * the target `xds:///echo.test` and node role `gloo-system~gateway-proxy`.
 *
 * The control plane is `gloo control-plane --config-dir DIR --xds-address 127.0.0.1:PORT`, started as
 * a user starts it; NACKs are read from its xDS accounting (`GET /api/v1/xds` on the admin port).
 * No timing assertions: every wait is a poll with a generous bound.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { makeConfigDir, REPO_ROOT, startControlPlane, waitFor, writeConfig, type ControlPlaneProcess } from '../helpers/gloo-process.js';
import { startEchoServer, type EchoServer } from '../fixtures/proxyless-grpc/echo-service.js';
import type { ConnectionStatus, TypeStatus, XdsServerStatus } from '../../src/xds/server/connection-status.js';

const CLIENT_SCRIPT = path.join(REPO_ROOT, 'dist/test/fixtures/proxyless-grpc/xds-echo-client.js');
const NODE_ID = 'proxyless-echo-client';
const ROLE = 'gloo-system~gateway-proxy';

/** The ADS connection of the echo client as the control plane accounts for it, once connected. */
async function clientConnection(cp: ControlPlaneProcess): Promise<ConnectionStatus | undefined> {
  const status = (await (await fetch(`${cp.adminUrl}/api/v1/xds`)).json()) as XdsServerStatus;
  return status.connections.find((c) => c.nodeId === NODE_ID);
}

// ---- the xDS client in its child process ----------------------------------------------------------

interface CallResult {
  servers: Record<string, number>;
  errors: Record<string, number>;
}

interface XdsEchoClient {
  calls(method: 'Echo' | 'Shout', count: number): Promise<CallResult>;
  /** The client's trace output so far (GRPC_NODE_TRACE=xds_client), for failure messages. */
  trace(): string;
  stop(): Promise<void>;
}

function startXdsEchoClient(xdsAddress: string, target: string): XdsEchoClient {
  const bootstrap = {
    xds_servers: [{ server_uri: xdsAddress, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: NODE_ID, locality: {}, metadata: { role: ROLE } },
  };
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLIENT_SCRIPT], {
    env: {
      ...process.env,
      XDS_ECHO_TARGET: target,
      GRPC_XDS_BOOTSTRAP_CONFIG: JSON.stringify(bootstrap),
      GRPC_NODE_TRACE: 'xds_client',
      GRPC_NODE_VERBOSITY: 'DEBUG',
    },
  });
  let trace = '';
  child.stderr.on('data', (d: Buffer) => {
    trace += d.toString();
    if (trace.length > 2_000_000) trace = trace.slice(-1_000_000);
  });
  const replies: ((r: CallResult) => void)[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => replies.shift()?.(JSON.parse(line) as CallResult));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    calls: (method, count) =>
      new Promise<CallResult>((resolve, reject) => {
        if (child.exitCode !== null) return reject(new Error(`the xDS client exited with ${child.exitCode}:\n${trace.slice(-4000)}`));
        replies.push(resolve);
        child.stdin.write(JSON.stringify({ method, count }) + '\n');
      }),
    trace: () => trace,
    stop: async () => {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

// ---- the Gloo configuration -------------------------------------------------------------------

const upstream = (name: string, port: number) => `apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: ${name}, namespace: gloo-system}
spec:
  useHttp2: true
  static:
    hosts: [{addr: 127.0.0.1, port: ${port}}]
`;

/** The echo.test VirtualService: Shout by exact path to `shoutTo`, the rest of echo.Echo split 1:3 between a and b. */
const virtualService = (shoutTo: string, withRedirect = false) => `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: echo, namespace: gloo-system}
spec:
  virtualHost:
    domains: [echo.test]
    routes:
${withRedirect ? '      - matchers: [{prefix: /legacy.Echo/}]\n        redirectAction: {pathRedirect: /echo.Echo/Echo}\n' : ''}      - matchers: [{exact: /echo.Echo/Shout}]
        routeAction: {single: {upstream: {name: ${shoutTo}}}}
      - matchers: [{prefix: /echo.Echo/}]
        routeAction:
          multi:
            destinations:
              - {destination: {upstream: {name: up-a}}, weight: 1}
              - {destination: {upstream: {name: up-b}}, weight: 3}
`;

// ---- the test ---------------------------------------------------------------------------------

let servers: Record<'a' | 'b' | 'c' | 'd', EchoServer>;
let configDir: string;
let cp: ControlPlaneProcess;
let client: XdsEchoClient;

before(async () => {
  const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((n) => startEchoServer(n)));
  servers = { a: a!, b: b!, c: c!, d: d! };
  configDir = makeConfigDir('gloo-proxyless-');
  writeConfig(configDir, 'upstreams/up-a.yaml', upstream('up-a', servers.a.port));
  writeConfig(configDir, 'upstreams/up-b.yaml', upstream('up-b', servers.b.port));
  writeConfig(configDir, 'upstreams/up-c.yaml', upstream('up-c', servers.c.port));
  writeConfig(configDir, 'virtualservices/echo.yaml', virtualService('up-c'));
  cp = await startControlPlane(configDir);
  client = startXdsEchoClient(cp.xdsAddress, 'echo.test');
});

after(async () => {
  await client?.stop();
  await cp?.stop();
  await Promise.all(Object.values(servers ?? {}).map((s) => s.close()));
  if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
});

/** Repeats batches of `count` calls until one satisfies `ok`; returns it. */
async function untilCalls(what: string, method: 'Echo' | 'Shout', count: number, ok: (r: CallResult) => boolean): Promise<CallResult> {
  let last: CallResult | undefined;
  try {
    return await waitFor(
      what,
      async () => {
        last = await client.calls(method, count);
        return ok(last) ? last : undefined;
      },
      30_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last batch ${JSON.stringify(last)}\nclient trace (tail):\n${client.trace().slice(-3000)}`);
  }
}

const rds = async (): Promise<TypeStatus | undefined> => (await clientConnection(cp))?.types['RDS'];

test('a grpc-js xDS client routes by gRPC method path: Shout to c (exact path)', async () => {
  const r = await untilCalls('Shout calls served by c', 'Shout', 20, (x) => x.servers['c'] === 20);
  assert.deepEqual(r, { servers: { c: 20 }, errors: {} });
  const conn = await clientConnection(cp);
  assert.ok(conn, 'the client is connected to the ADS server');
  assert.equal(conn.role, ROLE);
  // It fetched the api_listener, its RouteConfiguration, the clusters and their EDS endpoints.
  for (const t of ['LDS', 'RDS', 'CDS', 'EDS']) assert.ok((conn.types[t]?.acks ?? 0) > 0, `${t} ACKed`);
});

test('the weighted multi destination splits Echo calls 1:3 between a and b', async () => {
  const r = await client.calls('Echo', 400);
  assert.deepEqual(r.errors, {});
  const a = r.servers['a'] ?? 0;
  const b = r.servers['b'] ?? 0;
  assert.equal(a + b, 400, JSON.stringify(r));
  // Expected 100 / 300; the bounds are more than five standard deviations wide.
  assert.ok(a >= 55 && a <= 150, `a served ${a} of 400 (expected about 100)`);
  assert.ok(b >= 250 && b <= 345, `b served ${b} of 400 (expected about 300)`);
});

test('an endpoint change is followed live: up-c now points at d', async () => {
  writeConfig(configDir, 'upstreams/up-c.yaml', upstream('up-c', servers.d.port));
  const r = await untilCalls('Shout calls served by d', 'Shout', 20, (x) => x.servers['d'] === 20);
  assert.deepEqual(r.errors, {});
});

test('a route grpc-js cannot take (a redirect) is NACKed; calls keep the last good config; fixing it is ACKed', async () => {
  const before = await rds();
  assert.ok(before?.lastAckedVersion, 'RDS was ACKed before');
  const nacksBefore = before.nacks;
  // The bad version also moves Shout to a: if the client applied it, Shout would answer a.
  writeConfig(configDir, 'virtualservices/echo.yaml', virtualService('up-a', true));
  const nacked = await waitFor('the client to NACK the RouteConfiguration', async () => {
    const s = await rds();
    return s && s.nacks > nacksBefore && s.lastNack ? s : undefined;
  });
  assert.match(nacked.lastNack!.message, /unsupported action/, nacked.lastNack!.message);
  assert.notEqual(nacked.lastAckedVersion, nacked.lastSentVersion, 'the NACKed version is not the ACKed one');
  const r = await client.calls('Shout', 40);
  assert.deepEqual(r, { servers: { d: 40 }, errors: {} }, 'the last good config keeps serving');

  writeConfig(configDir, 'virtualservices/echo.yaml', virtualService('up-a'));
  await waitFor('the client to ACK the fixed RouteConfiguration', async () => {
    const s = await rds();
    return s && s.lastSentVersion !== nacked.lastSentVersion && s.lastAckedVersion === s.lastSentVersion;
  });
  await untilCalls('Shout calls served by a', 'Shout', 20, (x) => x.servers['a'] === 20);
});
