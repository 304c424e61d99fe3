/**
 * gateway-proxy end to end, upstream TLS (Envoy's UpstreamTlsContext) against real TLS servers with a
 * CA made for the test: verification against `trusted_ca`, subject alt name matching, SNI, mTLS to a
 * server that demands a client certificate (with and without one), certificates from files, TLS
 * versions (Envoy's client default tops out at TLS 1.2), per-endpoint SNI through
 * `transport_socket_matches`, `auto_sni`, the connect timeout over a handshake that never completes,
 * and what a failed handshake looks like: the 503 body, the access log and the proxy log.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Cluster, TransportSocket } from '../../src/xds/envoy-types.js';
import { TYPE_URL, toStruct } from '../../src/xds/envoy-types.js';
import { freePort } from '../helpers/ports.js';
import { createPki, startSilentServer, type IssuedCert, type Pki } from '../helpers/tls-upstream.js';
import { UpstreamServer, type EchoResponse } from '../helpers/upstream-server.js';
import { hcm, prefixRoute, routeConfig, snapshot, staticCluster, vhost } from '../unit/proxy/snapshot-builders.js';
import { ProxyHarness } from './proxy-harness.js';

function tlsSocket(ctx: Record<string, unknown>, sni?: string): TransportSocket {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: { '@type': TYPE_URL.upstreamTlsContext, common_tls_context: ctx, ...(sni !== undefined ? { sni } : {}) },
  };
}

function inline(pem: string): { inline_string: string } {
  return { inline_string: pem };
}

async function waitForLine(path: string, needle: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      const line = readFileSync(path, 'utf8')
        .split('\n')
        .find((l) => l.includes(needle));
      if (line !== undefined) return line;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`${path} has no line with ${needle}: ${existsSync(path) ? readFileSync(path, 'utf8') : 'no file'}`);
}

describe('gateway-proxy upstream TLS (e2e)', () => {
  let pki: Pki;
  let otherPki: Pki;
  let serverCert: IssuedCert;
  let clientCert: IssuedCert;
  let tls: UpstreamServer;
  let mtls: UpstreamServer;
  let tls13: UpstreamServer;
  let untrustedServer: UpstreamServer;
  let silent: { port: number; close(): Promise<void> };
  let h: ProxyHarness;
  let base: string;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gloo-ts-tls-'));
    pki = createPki();
    otherPki = createPki('another CA');
    serverCert = pki.issue('backend', ['DNS:backend.internal', 'DNS:*.wild.internal', 'IP:127.0.0.1']);
    clientCert = pki.issue('gateway-client', ['DNS:gateway.internal']);
    const foreign = otherPki.issue('foreign', ['DNS:backend.internal']);
    tls = await UpstreamServer.startTls('tls', { key: serverCert.key, cert: serverCert.cert });
    mtls = await UpstreamServer.startTls('mtls', { key: serverCert.key, cert: serverCert.cert, ca: pki.caCert, requestCert: true });
    tls13 = await UpstreamServer.startTls('tls13', { key: serverCert.key, cert: serverCert.cert, minVersion: 'TLSv1.3' });
    untrustedServer = await UpstreamServer.startTls('foreign', { key: foreign.key, cert: foreign.cert });
    silent = await startSilentServer();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const trusted = { validation_context: { trusted_ca: inline(pki.caCert) } };
    const withClient = { ...trusted, tls_certificates: [{ certificate_chain: inline(clientCert.cert), private_key: inline(clientCert.key) }] };
    const to = (name: string, server: { port: number }, socket: TransportSocket, extra: Partial<Cluster> = {}): Cluster =>
      staticCluster(name, [{ address: '127.0.0.1', port: server.port }], { transport_socket: socket, ...extra });
    const clusters: Cluster[] = [
      to('verified', tls, tlsSocket({ validation_context: { trusted_ca: inline(pki.caCert), match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'backend.internal' } }] } }, 'backend.internal')),
      to('wildcard-san', tls, tlsSocket({ validation_context: { trusted_ca: inline(pki.caCert), match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'api.wild.internal' } }] } })),
      to('san-mismatch', tls, tlsSocket({ validation_context: { trusted_ca: inline(pki.caCert), match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'other.internal' } }] } })),
      to('untrusted', untrustedServer, tlsSocket(trusted)),
      to('no-validation', untrustedServer, tlsSocket({})),
      to('mtls', mtls, tlsSocket(withClient)),
      to('mtls-no-cert', mtls, tlsSocket(trusted)),
      to(
        'mtls-files',
        mtls,
        tlsSocket({
          validation_context: { trusted_ca: { filename: pki.caPath } },
          tls_certificates: [{ certificate_chain: { filename: clientCert.certPath }, private_key: { filename: clientCert.keyPath } }],
        }),
      ),
      to('tls13-default', tls13, tlsSocket(trusted)),
      to('tls13-allowed', tls13, tlsSocket({ ...trusted, tls_params: { tls_maximum_protocol_version: 'TLSv1_3' } })),
      to('tls12-only-params', tls, tlsSocket({ ...trusted, tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_2', cipher_suites: ['[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]'] } })),
      staticCluster('plain-to-tls', [{ address: '127.0.0.1', port: tls.port }]),
      to('timeout', silent, tlsSocket(trusted), { connect_timeout: { seconds: '0', nanos: 200_000_000 } }),
      {
        ...staticCluster('per-endpoint-sni', []),
        transport_socket: tlsSocket(trusted),
        transport_socket_matches: [{ name: 'a', match: toStruct({ sni: 'a.internal' }), transport_socket: tlsSocket(trusted, 'a.internal') }],
        load_assignment: {
          cluster_name: 'per-endpoint-sni',
          endpoints: [
            {
              lb_endpoints: [
                {
                  endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: tls.port } } },
                  metadata: { filter_metadata: { 'envoy.transport_socket_match': toStruct({ sni: 'a.internal' }) } },
                },
              ],
            },
          ],
        },
      },
      to('auto-sni', tls, tlsSocket(trusted), {
        typed_extension_protocol_options: {
          'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
            '@type': TYPE_URL.upstreamHttpProtocolOptions,
            upstream_http_protocol_options: { auto_sni: true },
            explicit_http_config: { http_protocol_options: {} },
          },
        },
      }),
    ];
    h = new ProxyHarness();
    const manager = hcm('routes', {
      access_log: [
        {
          name: 'envoy.access_loggers.file',
          typed_config: {
            '@type': TYPE_URL.fileAccessLog,
            path: join(dir, 'access.log'),
            log_format: { text_format_source: { inline_string: '%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% [%UPSTREAM_TRANSPORT_FAILURE_REASON%]\n' } },
          },
        },
      ],
    });
    await h.push(
      snapshot('1', {
        listeners: [
          { name: 'main', address: { socket_address: { address: '127.0.0.1', port_value: port } }, filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: manager }] }] },
        ],
        clusters,
        routes: [routeConfig('routes', [vhost('main', ['*'], clusters.map((c) => prefixRoute(`/${c.name}/`, c.name)))])],
      }),
    );
  });

  after(async () => {
    await h.close();
    await Promise.all([tls.close(), mtls.close(), tls13.close(), untrustedServer.close(), silent.close()]);
    pki.remove();
    otherPki.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  async function echo(path: string, headers: Record<string, string> = {}): Promise<EchoResponse> {
    const r = await h.get(`${base}${path}`, { headers });
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return JSON.parse(r.text) as EchoResponse;
  }

  it('verifies the server certificate against trusted_ca and the SAN matcher, and sends the configured SNI', async () => {
    const e = await echo('/verified/x');
    assert.equal(e.name, 'tls');
    assert.equal(e.url, '/verified/x');
    assert.equal(e.tls?.servername, 'backend.internal');
    assert.equal(e.tls?.alpn, 'http/1.1');
    assert.equal(e.tls?.clientCert, null);
  });

  it('matches a wildcard DNS certificate name against an exact SAN matcher (as Envoy does)', async () => {
    assert.equal((await echo('/wildcard-san/')).name, 'tls');
  });

  it('fails a subject alt name mismatch with a clear 503, access log line and proxy log line', async () => {
    const r = await h.get(`${base}/san-mismatch/x`);
    assert.equal(r.status, 503);
    assert.match(r.text, /^upstream connect error or disconnect\/reset before headers\. reset reason: connection failure, transport failure reason: TLS error: ERR_TLS_CERT_ALTNAME_INVALID: /);
    assert.match(r.text, /DNS:other\.internal/);
    const line = await waitForLine(join(dir, 'access.log'), '/san-mismatch/x');
    assert.match(line, /^\/san-mismatch\/x 503 UF \[TLS error: ERR_TLS_CERT_ALTNAME_INVALID: .*DNS:backend\.internal.*\]$/);
    const log = h.logs.find((l) => l.msg === 'upstream TLS handshake failed' && l.fields?.cluster === 'san-mismatch');
    assert.ok(log, JSON.stringify(h.logs));
    assert.equal(log.fields?.endpoint, `127.0.0.1:${tls.port}`);
  });

  it('rejects a server certificate from a CA it does not trust', async () => {
    const r = await h.get(`${base}/untrusted/`);
    assert.equal(r.status, 503);
    assert.match(r.text, /reset reason: connection failure, transport failure reason: TLS error: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.equal(untrustedServer.received.length, 0);
  });

  it('verifies nothing without a validation context (Envoy semantics)', async () => {
    assert.equal((await echo('/no-validation/')).name, 'foreign');
  });

  it('mTLS: presents the client certificate to a server that requires one', async () => {
    const e = await echo('/mtls/hello');
    assert.equal(e.name, 'mtls');
    assert.equal(e.tls?.clientCert, 'gateway-client');
  });

  it('mTLS: without a client certificate the handshake fails with a clear error', async () => {
    const before = mtls.received.length;
    const r = await h.get(`${base}/mtls-no-cert/`);
    assert.equal(r.status, 503);
    assert.match(r.text, /reset reason: connection failure, transport failure reason: TLS error: .*\(no client certificate is configured for this cluster; the server may require one\)$/);
    assert.equal(mtls.received.length, before, 'the request never reached the upstream');
    assert.ok(h.logs.some((l) => l.msg === 'upstream TLS handshake failed' && l.fields?.cluster === 'mtls-no-cert'));
    const line = await waitForLine(join(dir, 'access.log'), '/mtls-no-cert/');
    assert.match(line, / 503 UF \[TLS error: /);
  });

  it('reads certificates from files (sslFiles)', async () => {
    assert.equal((await echo('/mtls-files/')).tls?.clientCert, 'gateway-client');
  });

  it("tops out at TLS 1.2 by default (Envoy's client default) and honours tls_params", async () => {
    const r = await h.get(`${base}/tls13-default/`);
    assert.equal(r.status, 503);
    assert.match(r.text, /transport failure reason: TLS error: /);
    assert.equal((await echo('/tls13-allowed/')).name, 'tls13');
    assert.equal((await echo('/tls12-only-params/')).name, 'tls');
  });

  it('speaks plain HTTP to a TLS port when the cluster has no transport socket (the server resets)', async () => {
    const r = await h.get(`${base}/plain-to-tls/`);
    assert.equal(r.status, 503, r.text);
    assert.match(r.text, /^upstream connect error or disconnect\/reset before headers\. reset reason: /);
  });

  it('connect_timeout covers the TLS handshake: 503 reset reason connection timeout', async () => {
    const r = await h.get(`${base}/timeout/`);
    assert.equal(r.status, 503);
    assert.equal(r.text, 'upstream connect error or disconnect/reset before headers. reset reason: connection timeout');
    const line = await waitForLine(join(dir, 'access.log'), '/timeout/');
    assert.match(line, / 503 UF \[-\]$/);
  });

  it('transport_socket_matches: the endpoint metadata picks its TLS context (per-host SNI)', async () => {
    assert.equal((await echo('/per-endpoint-sni/')).tls?.servername, 'a.internal');
  });

  it('auto_sni: SNI from the request Host, one pool per name', async () => {
    const first = tls.connections;
    assert.equal((await echo('/auto-sni/', { host: 'one.wild.internal' })).tls?.servername, 'one.wild.internal');
    assert.equal((await echo('/auto-sni/', { host: 'two.wild.internal:8443' })).tls?.servername, 'two.wild.internal');
    assert.equal((await echo('/auto-sni/', { host: 'one.wild.internal' })).tls?.servername, 'one.wild.internal');
    assert.equal(tls.connections - first, 2, 'one connection per SNI, reused');
    // An IP literal Host sends no SNI.
    assert.equal((await echo('/auto-sni/', { host: '127.0.0.1' })).tls?.servername, null);
  });

  it('requests with trailers connect over TLS too (their own HTTP/1.1 connection)', async () => {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/mtls/trailers`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', trailer: 'x-checksum' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.write('hello');
      req.addTrailers({ 'x-checksum': 'abc' });
      req.end();
    });
    assert.equal(status, 200, text);
    const e = JSON.parse(text) as EchoResponse;
    assert.equal(e.body, 'hello');
    assert.equal(e.tls?.clientCert, 'gateway-client');
  });
});
