/**
 * TLS on an SSL Gateway, end to end through `gloo run` with real clients: curl over HTTP/2 (ALPN h2)
 * and HTTP/1.1, node's tls and http2 clients, `openssl s_client`. One filter chain per VirtualService
 * sslConfig, chosen by SNI (exact, wildcard, catch-all); per-chain ALPN; client certificates (mTLS
 * with `verifySubjectAltName`); a plaintext client on the TLS port is not served.
 */
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { connect as h2connect } from 'node:http2';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makeCa, type Ca, type KeyPair } from '../helpers/certs.js';
import { getFreePort, glooctl, makeConfigDir, startGloo, waitFor, writeConfig, yaml, type GlooProcess } from '../helpers/gloo-process.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';

let gloo: GlooProcess;
let upstream: UpstreamServer;
let port: number;
let httpPort: number;
let dir: string;
let a2: KeyPair;
let filesDir: string;
let files2: KeyPair;
let ca: Ca;
let clientCa: Ca;
let goodClient: KeyPair;
let wrongSanClient: KeyPair;
let untrustedClient: KeyPair;

const secret = (name: string, pair: KeyPair, caCert?: string, ocspStaple?: Buffer) => `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: gloo-system}
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(pair.cert).toString('base64')}
  tls.key: ${Buffer.from(pair.key).toString('base64')}
${caCert !== undefined ? `  ca.crt: ${Buffer.from(caCert).toString('base64')}\n` : ''}${ocspStaple !== undefined ? `  tls.ocsp-staple: ${ocspStaple.toString('base64')}\n` : ''}`;

/** Stands for a DER OCSP response: the proxy staples the bytes as given (clients here do not verify them). */
const STAPLE = Buffer.from('3082000a0a0100a0820003deadbeef', 'hex');

const vs = (name: string, sslConfig: string, domains: string, route: string) => `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: gloo-system}
spec:
  sslConfig:
${sslConfig}
  virtualHost:
    domains: [${domains}]
    routes: [${route}]
`;

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('curl', ['-sS', '--max-time', '10', ...args], (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    ),
  );
}

const resolveArgs = (host: string) => ['--resolve', `${host}:${port}:127.0.0.1`, '--cacert', ca.certFile];

/** A TLS handshake with `servername`: the certificate's CN and the negotiated ALPN, or the error. */
function handshake(servername: string | undefined, alpn: string[], client?: KeyPair): Promise<{ cn?: string; alpn?: string | false | null; error?: string; socket?: TLSSocket }> {
  return new Promise((resolve) => {
    const s = tlsConnect({
      host: '127.0.0.1',
      port,
      ...(servername !== undefined ? { servername } : {}),
      ca: ca.cert,
      ALPNProtocols: alpn,
      checkServerIdentity: () => undefined,
      ...(client ? { cert: client.cert, key: client.key } : {}),
    });
    s.once('secureConnect', () => {
      const cert = s.getPeerCertificate();
      // TLS 1.3: a rejected client certificate is reported after the handshake; give it a moment by doing one exchange.
      resolve({ cn: cert.subject?.CN as string | undefined, alpn: s.alpnProtocol, socket: s });
    });
    s.once('error', (err) => resolve({ error: err.message }));
  });
}

before(async () => {
  ca = makeCa('server-ca');
  clientCa = makeCa('client-ca');
  const a = ca.issue('a', { dns: ['a.example.com'] });
  a2 = ca.issue('a-rotated', { dns: ['a.example.com'], cn: 'a.example.com rotated' });
  const files1 = ca.issue('files-1', { dns: ['files.example.com'], cn: 'files one' });
  files2 = ca.issue('files-2', { dns: ['files.example.com'], cn: 'files two' });
  filesDir = makeConfigDir('gloo-certfiles-');
  writeFileSync(path.join(filesDir, 'tls.crt'), files1.cert);
  writeFileSync(path.join(filesDir, 'tls.key'), files1.key);
  const b = ca.issue('b', { dns: ['b.example.com'] });
  const wild = ca.issue('wild', { dns: ['*.wild.example.com'] });
  const mtls = ca.issue('mtls', { dns: ['mtls.example.com'] });
  const fallback = ca.issue('fallback', { dns: ['fallback.example.com'] });
  goodClient = clientCa.issue('good-client', { dns: ['client.example.com'], client: true });
  wrongSanClient = clientCa.issue('wrong-client', { dns: ['other.example.com'], client: true });
  untrustedClient = makeCa('rogue-ca').issue('rogue-client', { dns: ['client.example.com'], client: true });

  upstream = await UpstreamServer.start('tls-backend');
  port = await getFreePort();
  httpPort = await getFreePort();
  dir = makeConfigDir();
  writeConfig(
    dir,
    'gateways/gloo-system/gw.yaml',
    yaml
      .gateway('gw-ssl', port, '  ssl: true\n')
      .replace(
        '  httpGateway: {}\n',
        '  httpGateway:\n    options:\n      httpConnectionManagerSettings:\n        forwardClientCertDetails: SANITIZE_SET\n        setCurrentClientCertDetails: {subject: true, dns: true, cert: true}\n',
      ) +
      `---\n${yaml.gateway('gw-http', httpPort)}`,
  );
  writeConfig(dir, 'upstreams.yaml', yaml.staticUpstream('backend', upstream.port));
  writeConfig(
    dir,
    'secrets.yaml',
    [secret('b-tls', b), secret('ocsp-tls', ca.issue('ocsp', { dns: ['ocsp.example.com'] }), undefined, STAPLE), secret('wild-tls', wild), secret('mtls-tls', mtls, clientCa.cert), secret('fallback-tls', fallback)].join('---\n'),
  );
  writeConfig(dir, 'secrets-a.yaml', secret('a-tls', a));
  const toBackend = '{matchers: [{prefix: /}], routeAction: {single: {upstream: {name: backend}}}}';
  writeConfig(
    dir,
    'virtualservices/gloo-system/vs.yaml',
    [
      vs('a', '    secretRef: {name: a-tls, namespace: gloo-system}\n    sniDomains: [a.example.com]', 'a.example.com', toBackend),
      vs('b', '    secretRef: {name: b-tls, namespace: gloo-system}\n    sniDomains: [b.example.com]\n    alpnProtocols: [http/1.1]', 'b.example.com', '{directResponseAction: {status: 200, body: b}}'),
      vs('wild', "    secretRef: {name: wild-tls, namespace: gloo-system}\n    sniDomains: ['*.wild.example.com']", "'*.wild.example.com'", '{directResponseAction: {status: 200, body: wild}}'),
      vs(
        'mtls',
        '    secretRef: {name: mtls-tls, namespace: gloo-system}\n    sniDomains: [mtls.example.com]\n    verifySubjectAltName: [client.example.com]',
        'mtls.example.com',
        '{matchers: [{prefix: /echo}], routeAction: {single: {upstream: {name: backend}}}}, {directResponseAction: {status: 200, body: mtls}}',
      ),
      // The HTTPS redirect pattern of Gloo's docs: the same domain on the HTTP gateway redirects to https.
      `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: a-http, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['a.example.com', 'a.example.com:*']
    routes: [{matchers: [{prefix: /}], redirectAction: {hostRedirect: 'a.example.com', httpsRedirect: true}}]
`,
      vs(
        'files',
        `    sslFiles: {tlsCert: ${path.join(filesDir, 'tls.crt')}, tlsKey: ${path.join(filesDir, 'tls.key')}}\n    sniDomains: [files.example.com]`,
        'files.example.com',
        '{directResponseAction: {status: 200, body: files}}',
      ),
      vs('ocsp', '    secretRef: {name: ocsp-tls, namespace: gloo-system}\n    sniDomains: [ocsp.example.com]', 'ocsp.example.com', '{directResponseAction: {status: 200, body: ocsp}}'),
      vs('fallback', '    secretRef: {name: fallback-tls, namespace: gloo-system}', "'*'", '{directResponseAction: {status: 200, body: fallback}}'),
    ].join('---\n'),
  );
  gloo = await startGloo(dir);
  await waitFor('the TLS listener', async () => (await handshake('a.example.com', ['http/1.1'])).cn === 'a.example.com');
});

after(async () => {
  await gloo?.stop();
  await upstream?.close();
});

describe('SSL gateway', () => {
  it('serves HTTP/2 over TLS when ALPN negotiates h2 (curl --http2)', async () => {
    const r = await curl(['--http2', ...resolveArgs('a.example.com'), '-w', '\n%{http_version}', `https://a.example.com:${port}/h2?x=1`]);
    assert.equal(r.code, 0, r.stderr);
    const [body, version] = r.stdout.split('\n');
    assert.equal(version, '2');
    const echo = JSON.parse(body!) as EchoResponse;
    assert.equal(echo.url, '/h2?x=1');
    assert.equal(echo.headers['x-forwarded-proto'], 'https');
    assert.equal(echo.headers.host, `a.example.com:${port}`);
  });

  it('serves HTTP/1.1 over TLS to a client that offers only http/1.1', async () => {
    const r = await curl(['--http1.1', ...resolveArgs('a.example.com'), '-w', '\n%{http_version}', `https://a.example.com:${port}/h1`]);
    assert.equal(r.code, 0, r.stderr);
    const [body, version] = r.stdout.split('\n');
    assert.equal(version, '1.1');
    assert.equal((JSON.parse(body!) as EchoResponse).url, '/h1');
  });

  it('multiplexes concurrent HTTP/2 streams on one TLS connection (node http2 client)', async () => {
    const session = h2connect(`https://a.example.com:${port}`, { ca: ca.cert, servername: 'a.example.com', host: '127.0.0.1', port } as never);
    try {
      const one = (i: number) =>
        new Promise<EchoResponse>((resolve, reject) => {
          const req = session.request({ ':path': `/stream/${i}`, ':authority': 'a.example.com' });
          let data = '';
          req.setEncoding('utf8');
          req.on('data', (c: string) => (data += c));
          req.on('end', () => resolve(JSON.parse(data) as EchoResponse));
          req.on('error', reject);
          req.end();
        });
      const results = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(one));
      assert.deepEqual(
        results.map((r) => r.url),
        [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `/stream/${i}`),
      );
    } finally {
      session.close();
    }
  });

  it('chooses the certificate and ALPN by SNI: exact, wildcard, catch-all', async () => {
    const a = await handshake('a.example.com', ['h2', 'http/1.1']);
    assert.equal(a.cn, 'a.example.com');
    assert.equal(a.alpn, 'h2');
    a.socket?.destroy();
    const b = await handshake('b.example.com', ['h2', 'http/1.1']);
    assert.equal(b.cn, 'b.example.com');
    assert.equal(b.alpn, 'http/1.1', 'the b chain offers only http/1.1');
    b.socket?.destroy();
    const w = await handshake('x.wild.example.com', ['h2']);
    assert.equal(w.cn, '*.wild.example.com');
    w.socket?.destroy();
    const unknown = await handshake('nobody.example.org', ['h2']);
    assert.equal(unknown.cn, 'fallback.example.com');
    unknown.socket?.destroy();
    const none = await handshake(undefined, ['h2']);
    assert.equal(none.cn, 'fallback.example.com', 'a client without SNI gets the catch-all chain');
    none.socket?.destroy();
  });

  it('routes by Host on the SNI-chosen chain (curl to the b and wildcard chains)', async () => {
    const b = await curl(['--http2', ...resolveArgs('b.example.com'), '-w', '\n%{http_version}', `https://b.example.com:${port}/`]);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(b.stdout.split('\n'), ['b', '1.1']);
    const w = await curl([...resolveArgs('deep.wild.example.com'), `https://deep.wild.example.com:${port}/`]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, 'wild');
  });

  it('negotiates h2 with openssl s_client', async (t) => {
    const out = await new Promise<string>((resolve) => {
      const p = execFile(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'a.example.com', '-alpn', 'h2,http/1.1', '-CAfile', ca.certFile, '-verify_return_error'],
        { timeout: 10_000 },
        (_err, stdout) => resolve(stdout),
      );
      p.stdin?.end();
    });
    if (out === '') {
      t.skip('openssl is not installed');
      return;
    }
    assert.match(out, /ALPN protocol: h2/);
    assert.match(out, /Verify return code: 0 \(ok\)/);
    assert.match(out, /subject=CN\s*=\s*a\.example\.com/);
  });

  it('requires a client certificate from the CA with a matching SAN on the mTLS chain', async () => {
    const url = `https://mtls.example.com:${port}/`;
    const ok = await curl([...resolveArgs('mtls.example.com'), '--cert', goodClient.certFile, '--key', goodClient.keyFile, url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'mtls');
    const none = await curl([...resolveArgs('mtls.example.com'), url]);
    assert.notEqual(none.code, 0, 'no client certificate must fail');
    assert.notEqual(none.stdout, 'mtls');
    const wrongSan = await curl([...resolveArgs('mtls.example.com'), '--cert', wrongSanClient.certFile, '--key', wrongSanClient.keyFile, url]);
    assert.notEqual(wrongSan.code, 0, 'a client certificate whose SAN does not match must fail');
    assert.notEqual(wrongSan.stdout, 'mtls');
    const rogue = await curl([...resolveArgs('mtls.example.com'), '--cert', untrustedClient.certFile, '--key', untrustedClient.keyFile, url]);
    assert.notEqual(rogue.code, 0, 'a client certificate from another CA must fail');
    // The other chains do not ask for a certificate.
    const a = await curl([...resolveArgs('a.example.com'), '-o', '/dev/null', '-w', '%{http_code}', `https://a.example.com:${port}/`]);
    assert.equal(a.stdout, '200');
  });

  it('sets x-forwarded-client-cert from the client certificate (SANITIZE_SET) and strips a forged one', async () => {
    const r = await curl([
      ...resolveArgs('mtls.example.com'),
      '--cert',
      goodClient.certFile,
      '--key',
      goodClient.keyFile,
      '-H',
      'x-forwarded-client-cert: By=forged;Hash=00',
      `https://mtls.example.com:${port}/echo`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const xfcc = String((JSON.parse(r.stdout) as EchoResponse).headers['x-forwarded-client-cert']);
    const fingerprint = new X509Certificate(goodClient.cert).fingerprint256.replace(/:/g, '').toLowerCase();
    assert.ok(xfcc.startsWith(`Hash=${fingerprint};`), xfcc);
    assert.match(xfcc, /;Subject="CN=client\.example\.com";/);
    assert.match(xfcc, /;DNS=client\.example\.com$/);
    const certPart = /Cert="([^"]+)"/.exec(xfcc)![1]!;
    assert.equal(decodeURIComponent(certPart).trim(), goodClient.cert.trim());
    assert.doesNotMatch(xfcc, /forged/);
    // Without a client certificate the header is removed, not passed on.
    const plain = await curl([...resolveArgs('a.example.com'), '-H', 'x-forwarded-client-cert: By=forged;Hash=00', `https://a.example.com:${port}/`]);
    assert.equal((JSON.parse(plain.stdout) as EchoResponse).headers['x-forwarded-client-cert'], undefined);
  });

  it('redirects HTTP to HTTPS (the httpsRedirect pattern) and the redirect target answers over TLS', async () => {
    const r = await curl(['-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', 'host: a.example.com', `http://127.0.0.1:${httpPort}/pets?x=1`]);
    assert.equal(r.stdout, '301 https://a.example.com/pets?x=1');
    const follow = await curl([...resolveArgs('a.example.com'), `https://a.example.com:${port}/pets?x=1`]);
    assert.equal((JSON.parse(follow.stdout) as EchoResponse).url, '/pets?x=1');
  });

  it('rotates the certificate when the Secret changes: new connections get the new one, an open connection keeps working', async () => {
    const session = h2connect(`https://a.example.com:${port}`, { ca: ca.cert, servername: 'a.example.com', host: '127.0.0.1', port } as never);
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const req = session.request({ ':path': path, ':authority': 'a.example.com' });
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (data += c));
        req.on('end', () => resolve(data));
        req.on('error', reject);
        req.end();
      });
    try {
      assert.equal((JSON.parse(await get('/before')) as EchoResponse).url, '/before');
      writeConfig(dir, 'secrets-a.yaml', secret('a-tls', a2));
      await waitFor('the rotated certificate', async () => {
        const h = await handshake('a.example.com', ['http/1.1']);
        h.socket?.destroy();
        return h.cn === 'a.example.com rotated';
      });
      // The connection opened before the rotation still serves requests.
      assert.equal((JSON.parse(await get('/after')) as EchoResponse).url, '/after');
      assert.equal(session.socket.destroyed, false);
    } finally {
      session.close();
    }
  });

  it('rotates certificates served from files (sslFiles) when the files change, without a config change', async () => {
    const before = await handshake('files.example.com', ['http/1.1']);
    assert.equal(before.cn, 'files one');
    before.socket?.destroy();
    // Replace both files atomically, as a secret mount or cert-manager does.
    for (const [name, text] of [['tls.key', files2.key], ['tls.crt', files2.cert]] as const) {
      writeFileSync(path.join(filesDir, `.${name}.tmp`), text);
      renameSync(path.join(filesDir, `.${name}.tmp`), path.join(filesDir, name));
    }
    await waitFor('the certificate from the new files', async () => {
      const h = await handshake('files.example.com', ['http/1.1']);
      h.socket?.destroy();
      return h.cn === 'files two';
    });
    const r = await curl([...resolveArgs('files.example.com'), `https://files.example.com:${port}/`]);
    assert.equal(r.stdout, 'files');
  });

  it('an invalid secret rejects its VirtualService with the reason; the other chains keep serving', async () => {
    writeConfig(
      dir,
      'secrets-bad.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: bad-tls, namespace: gloo-system}\ntype: kubernetes.io/tls\nstringData: {tls.crt: not-a-cert, tls.key: not-a-key}\n',
    );
    writeConfig(dir, 'virtualservices/gloo-system/bad.yaml', vs('bad', '    secretRef: {name: bad-tls, namespace: gloo-system}\n    sniDomains: [bad.example.com]', 'bad.example.com', '{directResponseAction: {status: 200, body: bad}}'));
    const out = await waitFor('the bad VirtualService to be Rejected', async () => {
      const r = await glooctl(gloo, 'get', 'vs', 'bad', '-o', 'json');
      return r.stdout.includes("Rejected") ? r.stdout : null;
    });
    assert.match(out, /SSL secret gloo-system\.bad-tls is not a valid TLS secret: tls\.crt: cannot parse the certificate/, out);
    const a = await curl([...resolveArgs('a.example.com'), '-o', '/dev/null', '-w', '%{http_code}', `https://a.example.com:${port}/`]);
    assert.equal(a.stdout, '200');
    // No chain for bad.example.com: the handshake gets the catch-all certificate, not a plain-HTTP port.
    const bad = await handshake('bad.example.com', ['http/1.1']);
    assert.equal(bad.cn, 'fallback.example.com');
    bad.socket?.destroy();
  });

  it('staples the OCSP response of the secret for clients that ask for it', async () => {
    const stapled = (requestOCSP: boolean) =>
      new Promise<Buffer | null>((resolve, reject) => {
        let got: Buffer | null = null;
        // `requestOCSP` is a documented tls.connect option missing from @types/node's ConnectionOptions.
        const s = tlsConnect({ host: '127.0.0.1', port, servername: 'ocsp.example.com', ca: ca.cert, requestOCSP } as ConnectionOptions);
        s.on('OCSPResponse', (r: Buffer) => (got = r));
        s.once('secureConnect', () => {
          s.destroy();
          resolve(got);
        });
        s.once('error', reject);
      });
    assert.deepEqual(await stapled(true), STAPLE);
    assert.equal(await stapled(false), null, 'no staple for a client that did not ask');
  });

  it('does not serve plaintext HTTP on the TLS port', async () => {
    const text = await new Promise<string>((resolve) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => s.write('GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n'));
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => undefined);
    });
    assert.equal(text, '', 'the connection is closed without an HTTP answer');
    // and the listener keeps serving TLS
    const r = await curl([...resolveArgs('a.example.com'), '-o', '/dev/null', '-w', '%{http_code}', `https://a.example.com:${port}/`]);
    assert.equal(r.stdout, '200');
  });
});
