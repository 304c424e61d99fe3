/**
 * gRPC through `gloo run`, with Gloo YAML (an Upstream with `useHttp2: true`, VirtualServices routing
 * to it) and real @grpc/grpc-js clients and servers, over h2c on the HTTP gateway and over TLS (ALPN h2)
 * on an SSL gateway: every kind of RPC, status codes, messages and metadata (headers and trailers),
 * responses that stream message by message, large messages, client cancellation reaching the server;
 * Envoy's deadline rules (`grpc-timeout` forwarded untouched by default, a client that gives up cancels
 * the upstream call; `maxStreamDuration` and its gRPC header form); `grpc-status` on local replies
 * (no route, connect failure, direct response, route timeout); retries on gRPC status codes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createH2Server, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { makeCa, type Ca } from '../helpers/certs.js';
import { getFreePort, getFreePorts, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';
import { BIG_MESSAGES, demoClient, demoPackage, startDemoServer, type DemoClient, type DemoServer, type Msg, type Summary } from '../fixtures/grpc/demo-service.js';

const SNI = 'grpc.example.com';
/** A regression that stalls a stream fails the test instead of hanging it. */
const T = { timeout: 30_000 };

/** An h2c server that records every stream and never answers (for deadline tests). */
interface HoldServer {
  port: number;
  streams: { path: string; headers: IncomingHttpHeaders; closed: boolean }[];
  close(): Promise<void>;
}

async function startHoldServer(): Promise<HoldServer> {
  const streams: HoldServer['streams'] = [];
  const server: Http2Server = createH2Server();
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const rec = { path: String(headers[':path']), headers, closed: false };
    streams.push(rec);
    stream.on('error', () => undefined);
    stream.on('close', () => (rec.closed = true));
    stream.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Sessions the proxy keeps open would hold close() forever.
        setTimeout(resolve, 1000).unref();
      }),
  };
}

/** A client of the demo service whose method paths start with `/<service>/` instead of `/demo.Streamer/`. */
function clientAt(service: string, target: string, creds: grpc.ChannelCredentials, options: grpc.ClientOptions): DemoClient {
  const def = demoPackage().demo.Streamer.service;
  const moved: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(def)) moved[name] = { ...m, path: m.path.replace('/demo.Streamer/', `/${service}/`) };
  const Ctor = grpc.makeGenericClientConstructor(moved as grpc.ServiceDefinition, service);
  return new Ctor(target, creds, { ...BIG_MESSAGES, ...options }) as unknown as DemoClient;
}

interface UnaryResult {
  err: grpc.ServiceError | null;
  reply?: Msg;
  headers?: grpc.Metadata;
  status?: grpc.StatusObject;
}

function unary(c: DemoClient, req: Partial<Msg>, options: grpc.CallOptions = {}, meta = new grpc.Metadata()): Promise<UnaryResult> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    let result: { err: grpc.ServiceError | null; reply?: Msg } | null = null;
    let status: grpc.StatusObject | undefined;
    const done = () => {
      if (result !== null && status !== undefined) resolve({ ...result, ...(headers ? { headers } : {}), status });
    };
    const call = c.Unary(req, meta, options, (err, reply) => {
      result = { err, ...(reply ? { reply } : {}) };
      done();
    });
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('status', (s: grpc.StatusObject) => {
      status = s;
      done();
    });
  });
}

/** The next message of a stream. */
function nextMessage<T>(s: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onData = (m: T) => {
      s.off('error', onError);
      resolve(m);
    };
    const onError = (e: Error) => {
      s.off('data', onData);
      reject(e);
    };
    s.once('data', onData);
    s.once('error', onError);
  });
}

/** Everything left on a stream, its status and its error. */
function drain<T>(s: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>): Promise<{ messages: T[]; status: grpc.StatusObject; err?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const messages: T[] = [];
    let err: grpc.ServiceError | undefined;
    s.on('data', (m: T) => messages.push(m));
    s.on('error', (e: grpc.ServiceError) => (err = e));
    s.on('status', (status: grpc.StatusObject) => setImmediate(() => resolve({ messages, status, ...(err ? { err } : {}) })));
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let gloo: GlooProcess;
let demo: DemoServer;
let hold: HoldServer;
let ca: Ca;
let httpPort: number;
let sslPort: number;
const clients: grpc.Client[] = [];

const route = (matcher: string, action: string, options = '') => `    - matchers: [{prefix: ${matcher}}]\n      ${action}\n${options ? `      options: ${options}\n` : ''}`;
const to = (upstream: string) => `routeAction: {single: {upstream: {name: ${upstream}, namespace: gloo-system}}}`;

before(async () => {
  ca = makeCa('grpc-ca');
  const cert = ca.issue('grpc-server', { dns: [SNI] });
  demo = await startDemoServer();
  hold = await startHoldServer();
  [httpPort, sslPort] = await getFreePorts(2);
  const deadPort = await getFreePort();
  const dir = makeConfigDir('gloo-grpc-');
  writeConfig(dir, 'gateways.yaml', `${yaml.gateway('gw-http', httpPort)}---\n${yaml.gateway('gw-ssl', sslPort, '  ssl: true\n')}`);
  const h2 = (name: string, port: number) => `${yaml.staticUpstream(name, port)}  useHttp2: true\n`;
  writeConfig(dir, 'upstreams.yaml', [h2('demo', demo.port), h2('hold', hold.port), h2('dead', deadPort)].join('---\n'));
  writeConfig(
    dir,
    'secret.yaml',
    `apiVersion: v1
kind: Secret
metadata: {name: grpc-tls, namespace: gloo-system}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(cert.cert).toString('base64')}
  tls.key: ${Buffer.from(cert.key).toString('base64')}
`,
  );
  const routes = [
    route('/demo.Streamer/', to('demo')),
    route('/retry.Streamer/', to('demo'), "{prefixRewrite: /demo.Streamer/, retries: {retryOn: 'unavailable,resource-exhausted', numRetries: 3}}"),
    route('/hold.Default/', to('hold')),
    route('/hold.Duration/', to('hold'), '{maxStreamDuration: {maxStreamDuration: 0.3s}}'),
    route('/hold.Header/', to('hold'), '{maxStreamDuration: {grpcTimeoutHeaderMax: 0.5s, grpcTimeoutHeaderOffset: 0.1s}}'),
    route('/hold.Timeout/', to('hold'), '{timeout: 0.3s}'),
    route('/dead.Service/', to('dead')),
    route('/direct.Service/', 'directResponseAction: {status: 403, body: denied}'),
  ].join('');
  const vs = (name: string, ssl: string) => `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: gloo-system}
spec:
${ssl}  virtualHost:
    domains: ['*']
    routes:
${routes}`;
  writeConfig(
    dir,
    'virtualservices.yaml',
    `${vs('plain', '')}---\n${vs('tls', `  sslConfig:\n    secretRef: {name: grpc-tls, namespace: gloo-system}\n    sniDomains: [${SNI}]\n`)}`,
  );
  gloo = await startGloo(dir);
});

after(async () => {
  for (const c of clients) c.close();
  await gloo?.stop();
  await demo?.close();
  await hold?.close();
});

const transports = [
  { name: 'h2c on the HTTP gateway', target: () => `127.0.0.1:${httpPort}`, creds: () => grpc.credentials.createInsecure(), options: {} },
  {
    name: 'TLS (ALPN h2) on the SSL gateway',
    target: () => `127.0.0.1:${sslPort}`,
    creds: () => grpc.credentials.createSsl(Buffer.from(ca.cert)),
    options: { 'grpc.ssl_target_name_override': SNI, 'grpc.default_authority': SNI },
  },
];

for (const t of transports) {
  describe(`gRPC through gloo run: ${t.name}`, () => {
    let c: DemoClient;
    const at = (service: string) => {
      const x = clientAt(service, t.target(), t.creds(), t.options);
      clients.push(x);
      return x;
    };

    before(async () => {
      c = demoClient(t.target(), t.creds(), t.options);
      clients.push(c);
      // The gateway serves once its listeners are up.
      await waitFor('the route to the demo service', async () => (await unary(c, { text: 'ready' })).err === null);
    });

    it('unary: the reply, header metadata and trailing metadata', T, async () => {
      const r = await unary(c, { text: 'hi', blob: Buffer.from('abc') });
      assert.equal(r.err, null);
      assert.equal(r.reply?.text, 'echo:hi');
      assert.equal(r.reply?.seq, 3);
      assert.deepEqual(r.headers?.get('x-header'), ['hv']);
      assert.equal(r.status?.code, grpc.status.OK);
      assert.deepEqual(r.status?.metadata.get('x-trailer'), ['tv']);
    });

    it('unary: an error status with its message and trailing metadata', T, async () => {
      const r = await unary(c, { text: 'fail:5:not here: really' });
      assert.equal(r.err?.code, grpc.status.NOT_FOUND);
      assert.equal(r.err?.details, 'not here: really');
      assert.deepEqual(r.err?.metadata.get('x-trailer'), ['tv']);
    });

    it('server streaming: messages flow before the server ends the stream', T, async () => {
      const text = `gated-${t.name}`;
      const s = c.ServerStream({ count: 3, text, size: 10 });
      const first = await nextMessage(s);
      assert.equal(first.text, `${text}#0`);
      // The server is still waiting on the gate the test holds: the proxy did not wait for the end.
      assert.ok(!demo.events.includes(`ended:${text}`));
      const rest = drain(s);
      demo.release(text);
      const { messages, status } = await rest;
      assert.deepEqual(messages.map((m) => m.text), [`${text}#1`, `${text}#2`]);
      assert.equal(status.code, grpc.status.OK);
      assert.deepEqual(status.metadata.get('x-trailer'), ['tv']);
    });

    it('server streaming: a status after a message arrives in trailers', T, async () => {
      const { messages, status, err } = await drain(c.ServerStream({ count: 0, text: 'fail-after', size: 1 }));
      assert.equal(messages.length, 1);
      assert.equal(status.code, grpc.status.FAILED_PRECONDITION);
      assert.equal(err?.details, 'after one');
    });

    it('client streaming: every message reaches the server', T, async () => {
      const summary = await new Promise<{ err: grpc.ServiceError | null; s?: Summary }>((resolve) => {
        const w = c.ClientStream(new grpc.Metadata(), {}, (err, s) => resolve({ err, ...(s ? { s } : {}) }));
        for (let i = 0; i < 5; i++) w.write({ text: `m${i}`, blob: Buffer.alloc(100) });
        w.end();
      });
      assert.equal(summary.err, null);
      assert.equal(summary.s?.count, 5);
      assert.equal(summary.s?.bytes, '500');
      assert.equal(summary.s?.texts, 'm0,m1,m2,m3,m4');
    });

    it('bidirectional streaming: each reply comes back before the next message is sent', T, async () => {
      const s = c.Bidi();
      const done = new Promise<grpc.StatusObject>((resolve) => s.on('status', resolve));
      for (const text of ['a', 'b', 'c']) {
        s.write({ text, seq: 1 });
        assert.equal((await nextMessage(s)).text, `bidi:${text}`);
      }
      s.end();
      s.resume();
      const status = await done;
      assert.equal(status.code, grpc.status.OK);
      assert.deepEqual(status.metadata.get('x-trailer'), ['tv']);
    });

    it('large messages both ways (5 MiB unary, 3 × 2 MiB streamed)', T, async () => {
      const blob = Buffer.alloc(5 * 1024 * 1024);
      for (let i = 0; i < blob.length; i += 4096) blob[i] = i % 251;
      const r = await unary(c, { text: 'big', blob });
      assert.equal(r.err, null);
      assert.equal(r.reply?.seq, blob.length);
      assert.equal(sha(r.reply!.blob), sha(blob));
      const { messages, status } = await drain(c.ServerStream({ count: 3, text: 'big', size: 2 * 1024 * 1024 }));
      assert.equal(status.code, grpc.status.OK);
      assert.deepEqual(messages.map((m) => m.blob.length), [2097152, 2097152, 2097152]);
      assert.equal(messages[2]!.blob[0], 2);
    });

    it('a client cancel reaches the server', T, async () => {
      const before = demo.events.filter((e) => e === 'cancelled:server-stream').length;
      const s = c.ServerStream({ count: 1, text: 'endless', size: 1 });
      await nextMessage(s);
      const ended = drain(s);
      s.cancel();
      assert.equal((await ended).status.code, grpc.status.CANCELLED);
      // Well before the route's 15 s timeout would end the upstream call anyway.
      await waitFor('the server to see the cancellation', () => demo.events.filter((e) => e === 'cancelled:server-stream').length > before, 8000);
    });

    it('retries on gRPC status codes in retryOn (unavailable, resource-exhausted), not on others', T, async () => {
      const retrying = at('retry.Streamer');
      const key = t.name.replace(/\W/g, '');
      const a = await unary(retrying, { text: `flaky:${key}a:2:14` });
      assert.equal(a.err, null);
      assert.equal(a.reply?.text, 'ok after 3');
      const b = await unary(retrying, { text: `flaky:${key}b:1:8` });
      assert.equal(b.reply?.text, 'ok after 2');
      // INTERNAL is not in retryOn.
      const i = await unary(retrying, { text: `flaky:${key}i:1:13` });
      assert.equal(i.err?.code, grpc.status.INTERNAL);
      assert.equal(i.err?.details, 'flaky 1');
      // The route without retries answers the first failure.
      const n = await unary(c, { text: `flaky:${key}n:1:14` });
      assert.equal(n.err?.code, grpc.status.UNAVAILABLE);
    });

    it('local replies are trailers-only gRPC answers: no route, connect failure, direct response', T, async () => {
      const none = await unary(at('nope.Service'), { text: 'x' });
      assert.equal(none.err?.code, grpc.status.UNIMPLEMENTED);
      const dead = await unary(at('dead.Service'), { text: 'x' });
      assert.equal(dead.err?.code, grpc.status.UNAVAILABLE);
      assert.match(dead.err?.details ?? '', /^upstream connect error or disconnect\/reset before headers/);
      const direct = await unary(at('direct.Service'), { text: 'x' });
      assert.equal(direct.err?.code, grpc.status.PERMISSION_DENIED);
      assert.equal(direct.err?.details, 'denied');
    });
  });
}

describe('gRPC deadlines through gloo run (Envoy semantics)', () => {
  let target: string;
  const at = (service: string) => {
    const x = clientAt(service, target, grpc.credentials.createInsecure(), {});
    clients.push(x);
    return x;
  };
  const streamOf = (path: string) => hold.streams.find((s) => s.path === path);

  before(() => {
    target = `127.0.0.1:${httpPort}`;
  });

  it('by default grpc-timeout passes through untouched, and a client that gives up cancels the upstream call', T, async () => {
    const c = at('hold.Default');
    const meta = new grpc.Metadata();
    meta.set('x-case', 'default');
    const r = await unary(c, { text: 'x' }, { deadline: Date.now() + 400 }, meta);
    assert.equal(r.err?.code, grpc.status.DEADLINE_EXCEEDED);
    const s = await waitFor('the upstream stream', () => hold.streams.find((x) => x.headers['x-case'] === 'default'));
    assert.match(String(s.headers['grpc-timeout']), /^\d+[mu]$/);
    assert.equal(s.headers['content-type'], 'application/grpc');
    assert.equal(s.headers.te, 'trailers');
    // Well before the route's 15 s timeout would end it anyway.
    await waitFor('the upstream stream to be cancelled', () => s.closed, 8000);
  });

  it('route timeout: the 504 local reply is UNAVAILABLE `upstream request timeout` (Envoy maps 504 to 14)', T, async () => {
    const r = await unary(at('hold.Timeout'), { text: 'x' });
    assert.equal(r.err?.code, grpc.status.UNAVAILABLE);
    assert.equal(r.err?.details, 'upstream request timeout');
    await waitFor('the upstream stream to be reset', () => streamOf('/hold.Timeout/Unary')?.closed);
  });

  it('maxStreamDuration: DEADLINE_EXCEEDED `downstream duration timeout`; the upstream gets it as grpc-timeout', T, async () => {
    const r = await unary(at('hold.Duration'), { text: 'x' });
    assert.equal(r.err?.code, grpc.status.DEADLINE_EXCEEDED);
    assert.equal(r.err?.details, 'downstream duration timeout');
    const s = streamOf('/hold.Duration/Unary')!;
    assert.equal(s.headers['grpc-timeout'], '300m');
    await waitFor('the upstream stream to be reset', () => s.closed);
  });

  it('maxStreamDuration.grpcTimeoutHeaderMax/Offset: the client deadline, capped and reduced, bounds the call', T, async () => {
    const r = await unary(at('hold.Header'), { text: 'x' }, { deadline: Date.now() + 20_000 });
    assert.equal(r.err?.code, grpc.status.DEADLINE_EXCEEDED);
    assert.equal(r.err?.details, 'downstream duration timeout');
    // 20 s capped to 500 ms, minus the 100 ms offset.
    assert.equal(streamOf('/hold.Header/Unary')!.headers['grpc-timeout'], '400m');
  });
});
