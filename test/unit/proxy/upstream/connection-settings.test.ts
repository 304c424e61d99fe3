import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClusterConnections, UpstreamProtocol, withSni } from '../../../../src/proxy/upstream/connection-settings.js';
import { compileUpstreamTls, parseSubjectAltNames } from '../../../../src/proxy/upstream/tls/upstream-tls-context.js';
import type { Cluster, TransportSocket } from '../../../../src/xds/envoy-types.js';
import { TYPE_URL, toStruct } from '../../../../src/xds/envoy-types.js';
import { createPki, type IssuedCert, type Pki } from '../../../helpers/tls-upstream.js';
import { X509Certificate } from 'node:crypto';

const HPO = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

function hpo(o: Record<string, unknown>): Cluster['typed_extension_protocol_options'] {
  return { [HPO]: { '@type': TYPE_URL.upstreamHttpProtocolOptions, ...o } };
}

function tls(ctx: Record<string, unknown>, extra: Record<string, unknown> = {}): TransportSocket {
  return { name: 'envoy.transport_sockets.tls', typed_config: { '@type': TYPE_URL.upstreamTlsContext, common_tls_context: ctx, ...extra } };
}

describe('cluster connection settings', () => {
  it("defaults: 5 s connect timeout, HTTP/1.1, no keepalive, Envoy's 1024 connections", () => {
    const s = ClusterConnections.compile({ name: 'c' }).base;
    assert.equal(s.connectTimeoutMs, 5000);
    assert.equal(s.protocol, UpstreamProtocol.Http1);
    assert.equal(s.http2, null);
    assert.equal(s.tcpKeepaliveMs, null);
    assert.equal(s.maxRequestsPerConnection, 0);
    assert.equal(s.idleTimeoutMs, 0);
    assert.equal(s.bufferLimitBytes, 0);
    assert.equal(s.maxConnections, 1024);
    assert.equal(s.tls, null);
  });

  it('reads connect_timeout, keepalive, buffer limit, idle timeout, max requests and max_connections', () => {
    const c: Cluster = {
      name: 'c',
      connect_timeout: { seconds: '2', nanos: 500_000_000 },
      upstream_connection_options: { tcp_keepalive: { keepalive_time: { value: 60 }, keepalive_probes: { value: 3 } } },
      per_connection_buffer_limit_bytes: { value: 32768 },
      typed_extension_protocol_options: hpo({ common_http_protocol_options: { idle_timeout: { seconds: '1', nanos: 0 }, max_requests_per_connection: { value: 7 } } }),
      circuit_breakers: { thresholds: [{ max_connections: { value: 4 } }] },
    };
    const s = ClusterConnections.compile(c).base;
    assert.equal(s.connectTimeoutMs, 2500);
    assert.equal(s.tcpKeepaliveMs, 60_000);
    assert.equal(s.bufferLimitBytes, 32768);
    assert.equal(s.idleTimeoutMs, 1000);
    assert.equal(s.maxRequestsPerConnection, 7);
    assert.equal(s.maxConnections, 4);
    assert.equal(ClusterConnections.compile({ name: 'c', upstream_connection_options: { tcp_keepalive: {} } }).base.tcpKeepaliveMs, 0);
  });

  it('HTTP/2: explicit, auto_config, and the deprecated cluster field; stream limits', () => {
    const explicit = ClusterConnections.compile({ name: 'c', typed_extension_protocol_options: hpo({ explicit_http_config: { http2_protocol_options: { max_concurrent_streams: { value: 10 }, initial_stream_window_size: { value: 65536 } } } }) });
    assert.equal(explicit.base.protocol, UpstreamProtocol.Http2);
    assert.equal(explicit.http2, true);
    assert.deepEqual(explicit.base.http2, { maxConcurrentStreams: 10, initialStreamWindowSize: 65536, initialConnectionWindowSize: undefined });
    const auto = ClusterConnections.compile({ name: 'c', typed_extension_protocol_options: hpo({ auto_config: { http2_protocol_options: {} } }) });
    assert.equal(auto.base.protocol, UpstreamProtocol.Auto);
    assert.equal(auto.http2, false, 'auto may be HTTP/1.1: pending requests are counted');
    const legacy = ClusterConnections.compile({ name: 'c', http2_protocol_options: {} } as Cluster);
    assert.equal(legacy.base.protocol, UpstreamProtocol.Http2);
    assert.equal(legacy.base.http2!.maxConcurrentStreams, 100);
    const h1 = ClusterConnections.compile({ name: 'c', typed_extension_protocol_options: hpo({ explicit_http_config: { http_protocol_options: {} } }) });
    assert.equal(h1.base.protocol, UpstreamProtocol.Http1);
  });

  it('keys differ when anything that shapes a connection differs, and match otherwise', () => {
    const a = ClusterConnections.compile({ name: 'c' }).base.key;
    assert.equal(ClusterConnections.compile({ name: 'other' }).base.key, a, 'the key is not the cluster name');
    assert.notEqual(ClusterConnections.compile({ name: 'c', connect_timeout: { seconds: '1', nanos: 0 } }).base.key, a);
    assert.notEqual(ClusterConnections.compile({ name: 'c', transport_socket: tls({}) }).base.key, a);
  });

  it('rejects transport sockets it cannot serve (SDS, unknown sockets, bad versions, unreadable files)', () => {
    assert.throws(() => ClusterConnections.compile({ name: 'c', transport_socket: tls({ tls_certificate_sds_secret_configs: [{ name: 'x' }] }) }), /SDS/);
    assert.throws(() => ClusterConnections.compile({ name: 'c', transport_socket: { name: 'envoy.transport_sockets.alts', typed_config: { '@type': 'x.Alts' } } }), /not supported/);
    assert.throws(() => ClusterConnections.compile({ name: 'c', transport_socket: tls({ tls_params: { tls_minimum_protocol_version: 'TLSv9' } }) }), /unknown TLS protocol version/);
    assert.throws(() => ClusterConnections.compile({ name: 'c', transport_socket: tls({ validation_context: { trusted_ca: { filename: '/nonexistent/ca.pem' } } }) }), /cannot read trusted_ca/);
  });
});

describe('upstream TLS context', () => {
  let pki: Pki;
  let leaf: IssuedCert;

  before(() => {
    pki = createPki();
    leaf = pki.issue('leaf', ['DNS:api.example.com', 'DNS:*.wild.example.com', 'IP:10.0.0.1', 'URI:spiffe://cluster/ns/default/sa/api', 'email:ops@example.com']);
  });
  after(() => pki.remove());

  const peer = () => {
    const x = new X509Certificate(leaf.cert);
    return { subjectaltname: x.subjectAltName } as unknown as import('node:tls').PeerCertificate;
  };

  it('without a validation context nothing is verified; SNI and ALPN as configured', () => {
    const t = compileUpstreamTls(tls({}, { sni: 'api.example.com' }), ['http/1.1'])!;
    assert.equal(t.options.rejectUnauthorized, false);
    assert.equal(t.options.servername, 'api.example.com');
    assert.deepEqual(t.options.ALPNProtocols, ['http/1.1']);
    assert.equal(t.hasClientCertificate, false);
    assert.equal(compileUpstreamTls(tls({}, { sni: '10.0.0.1' }), ['h2'])!.options.servername, undefined, 'never an IP as SNI');
    assert.deepEqual(compileUpstreamTls(tls({ alpn_protocols: ['h2', 'http/1.1'] }), ['http/1.1'])!.options.ALPNProtocols, ['h2', 'http/1.1']);
  });

  it('trusted_ca: the chain is verified and the host name is not (Envoy); SAN matchers are', () => {
    const plain = compileUpstreamTls(tls({ validation_context: { trusted_ca: { inline_string: pki.caCert } } }), ['http/1.1'])!;
    assert.equal(plain.options.rejectUnauthorized, true);
    assert.equal(plain.options.checkServerIdentity!('not-the-host', peer()), undefined);

    const check = (matchers: unknown[]) =>
      compileUpstreamTls(tls({ validation_context: { trusted_ca: { inline_string: pki.caCert }, match_typed_subject_alt_names: matchers } }), ['http/1.1'])!.options.checkServerIdentity!('x', peer());
    assert.equal(check([{ san_type: 'DNS', matcher: { exact: 'api.example.com' } }]), undefined);
    assert.equal(check([{ san_type: 'DNS', matcher: { exact: 'a.wild.example.com' } }]), undefined, 'wildcard certificate');
    assert.notEqual(check([{ san_type: 'DNS', matcher: { exact: 'a.b.wild.example.com' } }]), undefined, 'a wildcard covers one label');
    assert.equal(check([{ san_type: 'URI', matcher: { prefix: 'spiffe://cluster/' } }]), undefined);
    assert.equal(check([{ san_type: 'IP_ADDRESS', matcher: { exact: '10.0.0.1' } }]), undefined);
    assert.equal(check([{ san_type: 'EMAIL', matcher: { suffix: '@example.com' } }]), undefined);
    assert.equal(check([{ san_type: 'DNS', matcher: { safe_regex: { regex: 'api\\..*' } } }]), undefined);
    const err = check([{ san_type: 'DNS', matcher: { exact: 'other.example.com' } }, { san_type: 'URI', matcher: { exact: 'spiffe://x' } }]);
    assert.equal((err as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(err!.message, /DNS:api\.example\.com.*match none of DNS:other\.example\.com, URI:spiffe:\/\/x/);
    // The deprecated list matches any SAN type.
    const legacy = compileUpstreamTls(tls({ validation_context: { trusted_ca: { inline_string: pki.caCert }, match_subject_alt_names: [{ exact: 'ops@example.com' }] } }), ['http/1.1'])!;
    assert.equal(legacy.options.checkServerIdentity!('x', peer()), undefined);
  });

  it('ACCEPT_UNTRUSTED keeps only the SAN check, run after the handshake', () => {
    const t = compileUpstreamTls(
      tls({ validation_context: { trusted_ca: { inline_string: pki.caCert }, trust_chain_verification: 'ACCEPT_UNTRUSTED', match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'nope' } }] } }),
      ['http/1.1'],
    )!;
    assert.equal(t.options.rejectUnauthorized, false);
    assert.notEqual(t.manualSanCheck!(peer()), undefined);
  });

  it('client certificates from inline strings, base64 bytes and files', () => {
    const inline = compileUpstreamTls(tls({ tls_certificates: [{ certificate_chain: { inline_string: leaf.cert }, private_key: { inline_bytes: Buffer.from(leaf.key).toString('base64') } }] }), ['http/1.1'])!;
    assert.equal(inline.hasClientCertificate, true);
    const files = compileUpstreamTls(tls({ tls_certificates: [{ certificate_chain: { filename: leaf.certPath }, private_key: { filename: leaf.keyPath } }] }), ['http/1.1'])!;
    assert.equal(files.hasClientCertificate, true);
    assert.throws(() => compileUpstreamTls(tls({ tls_certificates: [{ certificate_chain: { inline_string: 'not a pem' }, private_key: { inline_string: 'nope' } }] }), ['http/1.1']));
  });

  it('transport_socket_matches: an endpoint gets the first match its metadata satisfies', () => {
    const c: Cluster = {
      name: 'c',
      transport_socket: tls({}),
      transport_socket_matches: [
        { name: 'a', match: toStruct({ sni: 'a.example.com' }), transport_socket: tls({}, { sni: 'a.example.com' }) },
        { name: 'any', match: toStruct({}), transport_socket: tls({}, { sni: 'fallback.example.com' }) },
      ],
    };
    const conns = ClusterConnections.compile(c);
    const md = (v: Record<string, unknown>) => ({ filter_metadata: { 'envoy.transport_socket_match': toStruct(v) } });
    assert.equal(conns.forEndpoint(md({ sni: 'a.example.com' })).tls!.options.servername, 'a.example.com');
    assert.equal(conns.forEndpoint(md({ sni: 'b.example.com' })).tls!.options.servername, 'fallback.example.com', 'an empty match matches every endpoint');
    assert.equal(conns.forEndpoint(undefined).tls!.options.servername, 'fallback.example.com');
    const noMatches = ClusterConnections.compile({ name: 'c', transport_socket: tls({}, { sni: 'base' }) });
    assert.equal(noMatches.forEndpoint(md({ sni: 'a.example.com' })).tls!.options.servername, 'base');
  });

  it('withSni gives another pool key and servername', () => {
    const base = ClusterConnections.compile({ name: 'c', transport_socket: tls({}) }).base;
    const s = withSni(base, 'x.example.com');
    assert.equal(s.tls!.options.servername, 'x.example.com');
    assert.notEqual(s.key, base.key);
  });

  it('parses node subjectaltname text, quoted names included', () => {
    assert.deepEqual(parseSubjectAltNames('DNS:a.example.com, IP Address:127.0.0.1, URI:"spiffe://x,y", email:a@b'), [
      ['DNS', 'a.example.com'],
      ['IP_ADDRESS', '127.0.0.1'],
      ['URI', 'spiffe://x,y'],
      ['EMAIL', 'a@b'],
    ]);
    assert.deepEqual(parseSubjectAltNames(''), []);
  });
});
