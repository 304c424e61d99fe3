/**
 * TCP gateways (`tcpGateway.tcpHosts`, hybrid gateways' TCP chains) end to end through `gloo run`,
 * with real clients and real upstreams: plain TCP proxying (bytes both ways, half close in both
 * directions, a large transfer under backpressure), TLS passthrough chosen by SNI (the client sees
 * each backend's own certificate: node's tls client and `openssl s_client -servername`), TLS
 * termination to a plain TCP upstream (the client sees the gateway's certificate, the upstream gets
 * plaintext), a hybrid gateway with an HTTP chain and a TCP chain on one port, a dead upstream (the
 * connection is closed; the next one succeeds once it is back), connect retries onto another host,
 * forwardSniClusterName, the idle timeout, the access log and the stats.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { makeCa, type Ca, type KeyPair } from '../helpers/certs.js';
import { getFreePorts, makeConfigDir, startGloo, waitFor, writeConfig, type GlooProcess } from '../helpers/gloo-process.js';
import { TcpTestServer } from '../helpers/tcp-server.js';

let gloo: GlooProcess;
let dir: string;
let accessLogFile: string;
let tcpPort: number;
let idlePort: number;
let deadPort: number;
let retryPort: number;
let hybridPort: number;
let latePort: number;
let unusedPort: number;
let gatewayCa: Ca;
let backendCa: Ca;
let echo: TcpTestServer;
let idleEcho: TcpTestServer;
let retryEcho: TcpTestServer;
let termUpstream: TcpTestServer;
let tlsA: TcpTestServer;
let tlsB: TcpTestServer;
let late: TcpTestServer | undefined;

const secret = (name: string, pair: KeyPair) => `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: gloo-system}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(pair.cert).toString('base64')}
  tls.key: ${Buffer.from(pair.key).toString('base64')}
`;

const upstream = (name: string, ...ports: number[]) => `apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: ${name}, namespace: gloo-system}
spec:
  static:
    hosts: [${ports.map((p) => `{addr: 127.0.0.1, port: ${p}}`).join(', ')}]
`;

const tcpGateway = (name: string, port: number, hosts: string, extra = '') => `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: gloo-system}
spec:
  bindAddress: 127.0.0.1
  bindPort: ${port}
${extra}  tcpGateway:
    tcpHosts:
${hosts}`;

/** A client connection that collects what it receives. */
interface Client {
  socket: Socket;
  data(): Buffer;
  text(): string;
  ended: Promise<void>;
  closed: Promise<boolean>;
  /** The gateway ended or reset the connection (FIN or RST, whichever comes first). */
  gone: Promise<void>;
}

function collect(socket: Socket): Client {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
  const closed = new Promise<boolean>((resolve) => socket.once('close', (hadError: boolean) => resolve(hadError)));
  const gone = Promise.race([ended, closed.then(() => undefined)]);
  return { socket, data: () => Buffer.concat(chunks), text: () => Buffer.concat(chunks).toString('latin1'), ended, closed, gone };
}

function plain(port: number, localAddress?: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true, ...(localAddress ? { localAddress } : {}) }, () => resolve(collect(s)));
    s.once('error', reject);
  });
}

function tls(port: number, servername: string, ca: string, checkName = true): Promise<Client & { socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port, servername, ca, allowHalfOpen: true, ...(checkName ? {} : { checkServerIdentity: () => undefined }) };
    const s = tlsConnect(opts as never, () => resolve(collect(s) as Client & { socket: TLSSocket }));
    s.once('error', reject);
  });
}

async function stats(): Promise<Map<string, number>> {
  const text = await (await fetch(`${gloo.adminUrl}/stats`)).text();
  return new Map(
    text
      .split('\n')
      .filter((l) => l.includes(': '))
      .map((l) => {
        const [k, v] = l.split(': ');
        return [k!, Number(v)];
      }),
  );
}

function opensslSClient(port: number, servername: string, caFile: string): Promise<string> {
  return new Promise((resolve) => {
    const p = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', servername, '-CAfile', caFile, '-verify_return_error'],
      { timeout: 10_000 },
      (_err, stdout) => resolve(stdout),
    );
    p.stdin?.end();
  });
}

before(async () => {
  gatewayCa = makeCa('gateway-ca');
  backendCa = makeCa('backend-ca');
  const term = gatewayCa.issue('term', { dns: ['term.example.com'] });
  const backendA = backendCa.issue('backend-a', { dns: ['a.example.com'] });
  const backendB = backendCa.issue('backend-b', { dns: ['b.example.com'] });

  echo = await TcpTestServer.start('echo');
  idleEcho = await TcpTestServer.start('idle-echo');
  retryEcho = await TcpTestServer.start('retry-echo');
  termUpstream = await TcpTestServer.start('term-upstream');
  tlsA = await TcpTestServer.start('backend-a', { tls: backendA });
  tlsB = await TcpTestServer.start('backend-b', { tls: backendB });
  [tcpPort, idlePort, deadPort, retryPort, hybridPort, latePort, unusedPort] = await getFreePorts(7);

  dir = makeConfigDir('gloo-tcp-');
  accessLogFile = path.join(dir, 'tcp-access.log');
  writeConfig(
    dir,
    'upstreams.yaml',
    [
      upstream('echo', echo.port),
      upstream('idle-echo', idleEcho.port),
      upstream('tls-a', tlsA.port),
      upstream('tls-b', tlsB.port),
      upstream('term-upstream', termUpstream.port),
      upstream('late', latePort),
      // The first host is dead: with maxConnectAttempts 2 every connection still gets through.
      upstream('half-dead', unusedPort, retryEcho.port),
    ].join('---\n'),
  );
  writeConfig(dir, 'secrets.yaml', secret('term-tls', term));
  writeConfig(
    dir,
    'gateways/gloo-system/tcp.yaml',
    tcpGateway(
      'tcp',
      tcpPort,
      `    - name: passthrough-a
      sslConfig: {sniDomains: [a.example.com]}
      destination: {single: {upstream: {name: tls-a}}}
    - name: passthrough-b
      sslConfig: {sniDomains: [b.example.com]}
      destination: {single: {upstream: {name: tls-b}}}
    - name: terminate
      sslConfig:
        secretRef: {name: term-tls, namespace: gloo-system}
        sniDomains: [term.example.com]
      destination: {single: {upstream: {name: term-upstream}}}
    - name: forward-sni
      sslConfig: {sniDomains: [tls-b_gloo-system]}
      destination: {forwardSniClusterName: {}}
    - name: plain
      destination: {single: {upstream: {name: echo}}}
`,
      accessLogOption(),
    ),
  );
  writeConfig(
    dir,
    'gateways/gloo-system/idle.yaml',
    tcpGateway('idle', idlePort, '    - name: idle\n      destination: {single: {upstream: {name: idle-echo}}}\n').replace(
      '  tcpGateway:\n',
      '  tcpGateway:\n    options:\n      tcpProxySettings: {idleTimeout: 2s}\n',
    ),
  );
  writeConfig(dir, 'gateways/gloo-system/dead.yaml', tcpGateway('dead', deadPort, '    - name: late\n      destination: {single: {upstream: {name: late}}}\n', accessLogOption()));
  writeConfig(
    dir,
    'gateways/gloo-system/retry.yaml',
    tcpGateway('retry', retryPort, '    - name: retry\n      destination: {single: {upstream: {name: half-dead}}}\n').replace(
      '  tcpGateway:\n',
      '  tcpGateway:\n    options:\n      tcpProxySettings: {maxConnectAttempts: 2}\n',
    ),
  );
  writeConfig(
    dir,
    'gateways/gloo-system/hybrid.yaml',
    `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: hybrid, namespace: gloo-system}
spec:
  bindAddress: 127.0.0.1
  bindPort: ${hybridPort}
  hybridGateway:
    matchedGateways:
    - matcher:
        sourcePrefixRanges: [{addressPrefix: 127.0.0.2, prefixLen: 32}]
      tcpGateway:
        tcpHosts:
        - name: echo
          destination: {single: {upstream: {name: echo}}}
    - matcher: {}
      httpGateway:
        virtualServiceSelector: {gateway: hybrid}
`,
  );
  writeConfig(
    dir,
    'virtualservices/gloo-system/hybrid.yaml',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: hybrid-http, namespace: gloo-system, labels: {gateway: hybrid}}
spec:
  virtualHost:
    domains: ['*']
    routes: [{directResponseAction: {status: 200, body: http-chain}}]
`,
  );
  gloo = await startGloo(dir);
  // Every listener is up once a plain TCP connection through each answers.
  await waitFor('the TCP listener', async () => {
    const c = await plain(tcpPort);
    c.socket.end('ping');
    await c.ended;
    return c.text() === 'ping[eof after 4 bytes]';
  });
  await waitFor('the other listeners', async () => {
    for (const p of [idlePort, deadPort, retryPort, hybridPort]) {
      const c = await plain(p);
      c.socket.destroy();
    }
    return true;
  });
}, { timeout: 120_000 });

after(async () => {
  await gloo?.stop();
  await Promise.all([echo, idleEcho, retryEcho, termUpstream, tlsA, tlsB, late].map((s) => s?.close()));
});

describe('TCP gateway: plain TCP', { timeout: 90_000 }, () => {
  it('proxies bytes both ways and passes the client half close on (the reply still arrives)', async () => {
    const c = await plain(tcpPort);
    c.socket.write('hello ');
    c.socket.write('world');
    await waitFor('the echo', () => c.text() === 'hello world');
    const before = echo.connections.length;
    assert.ok(before > 0);
    c.socket.end();
    await c.ended;
    assert.equal(c.text(), 'hello world[eof after 11 bytes]', 'the upstream saw the FIN and its reply after it came through');
    assert.equal(await c.closed, false);
    const rec = echo.connections.find((r) => r.bytes === 11 && r.ended);
    assert.ok(rec, 'the upstream connection got the 11 bytes and the FIN');
    await waitFor('the upstream connection to close', () => rec.closed);
  });

  it('passes the upstream half close on: the client can still send after the FIN', async () => {
    const c = await plain(tcpPort);
    c.socket.write('half-close\n');
    await c.ended;
    assert.equal(c.text(), 'half-close\n');
    const rec = echo.connections.find((r) => r.endedOwnSide && !r.ended);
    assert.ok(rec, 'the upstream ended its side only');
    c.socket.end('still talking');
    await waitFor('the late bytes to reach the upstream', () => rec.bytesAfterOwnEnd === 'still talking'.length && rec.ended);
    assert.equal(await c.closed, false);
  });

  it('moves a large transfer intact and applies backpressure while the client does not read', async () => {
    const size = 64 * 1024 * 1024;
    const payload = randomBytes(size);
    const c = await plain(tcpPort);
    c.socket.pause();
    c.socket.write(payload);
    c.socket.end();
    // The client does not read: the echo backs up into the gateway, which must stop reading the
    // client, so the client's own write buffer stays full instead of the gateway buffering 64 MiB.
    let last = -1;
    let stableSince = Date.now();
    await waitFor(
      'the client write buffer to settle',
      () => {
        const now = c.socket.writableLength;
        if (now !== last) {
          last = now;
          stableSince = Date.now();
          return false;
        }
        return Date.now() - stableSince > 1000;
      },
      30_000,
    );
    assert.ok(c.socket.writableLength > 0, `the gateway must stop reading the client (client still holds ${c.socket.writableLength} bytes)`);
    c.socket.resume();
    await c.ended;
    const got = c.data();
    const trailer = Buffer.from(`[eof after ${size} bytes]`);
    assert.equal(got.length, size + trailer.length);
    assert.equal(createHash('sha256').update(got.subarray(0, size)).digest('hex'), createHash('sha256').update(payload).digest('hex'));
    assert.deepEqual(got.subarray(size), trailer);
  });
});

describe('TCP gateway: TLS', { timeout: 60_000 }, () => {
  it('passes TLS through by SNI: the client sees each backend’s own certificate (node tls client)', async () => {
    for (const [sni, backend] of [
      ['a.example.com', 'backend-a'],
      ['b.example.com', 'backend-b'],
    ] as const) {
      const c = await tls(tcpPort, sni, backendCa.cert);
      assert.equal(c.socket.getPeerCertificate().subject.CN, sni, 'the backend certificate (signed by the backend CA, verified by the client)');
      assert.equal(c.socket.getPeerCertificate().issuer.CN, 'backend-ca');
      await waitFor('the greeting', () => c.text().includes('\n'));
      assert.equal(c.text(), `hello from ${backend} sni=${sni}\n`, 'the backend got the original ClientHello with its SNI');
      c.socket.write('over tls');
      await waitFor('the echo', () => c.text().endsWith('over tls'));
      c.socket.end();
      await c.ended;
      assert.ok(c.text().endsWith('[eof after 8 bytes]'));
    }
  });

  it('passes TLS through by SNI (openssl s_client -servername)', async (t) => {
    const out = await opensslSClient(tcpPort, 'b.example.com', path.join(path.dirname(backendCa.certFile), 'backend-ca.crt'));
    if (out === '') {
      t.skip('openssl is not installed');
      return;
    }
    assert.match(out, /subject=CN\s*=\s*b\.example\.com/);
    assert.match(out, /issuer=CN\s*=\s*backend-ca/);
    assert.match(out, /Verify return code: 0 \(ok\)/);
  });

  it('forwardSniClusterName: the SNI names the cluster (passed through to that upstream)', async () => {
    const c = await tls(tcpPort, 'tls-b_gloo-system', backendCa.cert, false);
    assert.equal(c.socket.getPeerCertificate().subject.CN, 'b.example.com');
    await waitFor('the greeting', () => c.text().includes('\n'));
    assert.equal(c.text(), 'hello from backend-b sni=tls-b_gloo-system\n');
    c.socket.destroy();
  });

  it('terminates TLS with the gateway certificate and proxies plaintext to the TCP upstream', async () => {
    const c = await tls(tcpPort, 'term.example.com', gatewayCa.cert);
    assert.equal(c.socket.getPeerCertificate().subject.CN, 'term.example.com');
    assert.equal(c.socket.getPeerCertificate().issuer.CN, 'gateway-ca');
    c.socket.write('plaintext please');
    await waitFor('the echo', () => c.text() === 'plaintext please');
    const rec = termUpstream.connections.at(-1)!;
    assert.equal(rec.head.toString('latin1'), 'plaintext please', 'the upstream received the decrypted bytes');
    c.socket.end();
    await c.ended;
    assert.equal(c.text(), 'plaintext please[eof after 16 bytes]', 'the half close went through the TLS termination');
    const out = await opensslSClient(tcpPort, 'term.example.com', gatewayCa.certFile);
    if (out !== '') assert.match(out, /subject=CN\s*=\s*term\.example\.com/);
  });

  it('does not proxy a TLS client whose SNI matches no chain to a TLS backend (it lands on the plain chain)', async () => {
    // The catch-all chain is plain TCP to the echo server: the ClientHello is echoed back, so the
    // handshake fails; no TLS backend ever sees the connection.
    const before = tlsA.connections.length + tlsB.connections.length;
    await assert.rejects(tls(tcpPort, 'other.example.com', backendCa.cert));
    assert.equal(tlsA.connections.length + tlsB.connections.length, before);
  });
});

describe('TCP gateway: hybrid, failures, timeouts', { timeout: 60_000 }, () => {
  it('serves an HTTP chain and a TCP chain on one hybrid port, chosen by source address', async () => {
    const res = await fetch(`http://127.0.0.1:${hybridPort}/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'http-chain');
    const c = await plain(hybridPort, '127.0.0.2');
    c.socket.end('GET / HTTP/1.1\r\n\r\n');
    await c.ended;
    assert.equal(c.text(), 'GET / HTTP/1.1\r\n\r\n[eof after 18 bytes]', 'raw bytes echoed by the TCP upstream, no HTTP answer');
  });

  it('closes the connection when the upstream is dead, and serves the next one once it is back', async () => {
    const c = await plain(deadPort);
    c.socket.write('anyone?');
    await c.gone;
    assert.equal(c.text(), '', 'nothing came back');
    late = await TcpTestServer.start('late', { port: latePort });
    const d = await plain(deadPort);
    d.socket.end('now');
    await d.ended;
    assert.equal(d.text(), 'now[eof after 3 bytes]');
    const s = await stats();
    assert.ok((s.get('cluster.late_gloo-system.upstream_cx_connect_fail') ?? 0) >= 1);
    await waitFor('the access log line of the failed connection', () => /late_gloo-system sni=- flags=UF in=\d+ out=0 /.test(readLog()));
  });

  it('retries a failed connect on another host up to maxConnectAttempts', async () => {
    for (let i = 0; i < 6; i++) {
      const c = await plain(retryPort);
      c.socket.end(`n${i}`);
      await c.ended;
      assert.equal(c.text(), `n${i}[eof after 2 bytes]`, `connection ${i}`);
    }
    const s = await stats();
    assert.ok((s.get('cluster.half-dead_gloo-system.upstream_cx_connect_fail') ?? 0) >= 5, 'round robin over [dead, live]: first attempts land on the dead host, retries on the live one');
    assert.equal(s.get('cluster.half-dead_gloo-system.upstream_cx_connect_attempts_exceeded'), 0);
  });

  it('closes both sides after the idle timeout, and keeps a busy connection open', async () => {
    const idle = await plain(idlePort);
    idle.socket.write('once');
    await waitFor('the echo', () => idle.text() === 'once');
    const rec = idleEcho.connections.at(-1)!;
    await idle.ended; // closed by the gateway (a FIN: nothing was left unread)
    await waitFor('the upstream side to be closed too', () => rec.closed);

    const busy = await plain(idlePort);
    for (let i = 0; i < 30; i++) {
      busy.socket.write('.');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(busy.socket.readableEnded || busy.socket.destroyed, false, 'traffic every 100 ms for 3 s keeps a 2 s idle timeout from firing');
    await waitFor('the echo', () => busy.text().length === 30);
    busy.socket.destroy();
    const s = await stats();
    assert.ok((s.get('tcp.tcp.idle_timeout') ?? 0) >= 1);
  });

  it('logs each connection and counts it in the stats', async () => {
    await waitFor('access log lines', () => /tls-a_gloo-system sni=a\.example\.com flags=- in=\d+ out=\d+ code=0 proto=-/.test(readLog()));
    const log = readLog();
    assert.match(log, /term-upstream_gloo-system sni=term\.example\.com flags=- /);
    assert.match(log, /echo_gloo-system sni=- flags=- in=11 out=31 /, 'the plain connection: 11 bytes in, the echo and the trailer out');
    const s = await stats();
    assert.ok((s.get('tcp.tcp.downstream_cx_total') ?? 0) >= 5);
    assert.ok((s.get('cluster.echo_gloo-system.upstream_cx_total') ?? 0) >= 3);
    assert.ok((s.get('cluster.echo_gloo-system.upstream_cx_rx_bytes_total') ?? 0) > 64 * 1024 * 1024);
  });
});

function accessLogOption(): string {
  return `  options:
    accessLoggingService:
      accessLog:
      - fileSink:
          path: ${accessLogFile}
          stringFormat: "%UPSTREAM_CLUSTER% sni=%REQUESTED_SERVER_NAME% flags=%RESPONSE_FLAGS% in=%BYTES_RECEIVED% out=%BYTES_SENT% code=%RESPONSE_CODE% proto=%PROTOCOL%\\n"
`;
}

function readLog(): string {
  try {
    return readFileSync(accessLogFile, 'utf8');
  } catch {
    return '';
  }
}
