/** HCM settings: forwarding headers with trusted hops, request ids, server settings, server / via response edits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionManager } from '../../../src/proxy/http/connection-manager.js';
import { addForwardedHeaders, type ForwardedHeaderOptions } from '../../../src/proxy/http/forwarded-headers.js';
import { DEFAULT_SERVER_SETTINGS, sameSettings, serverSettings } from '../../../src/proxy/listener/compile-listener.js';
import type { HeaderObject } from '../../../src/proxy/router/header-mutation.js';
import { createProxyStats } from '../../../src/proxy/stats.js';
import { hcm } from './snapshot-builders.js';

const base: ForwardedHeaderOptions = { scheme: 'http', appendXff: true, generateRequestId: true };

describe('forwarding headers', () => {
  it('use_remote_address with one trusted hop: the client is the address before ours; external requests get a new id', () => {
    const h: HeaderObject = { 'x-forwarded-for': '198.51.100.1, 203.0.113.7', 'x-request-id': 'spoof', 'x-envoy-internal': 'true' };
    const trusted = addForwardedHeaders(h, '::ffff:10.0.0.2', { ...base, useRemoteAddress: true, xffNumTrustedHops: 1 });
    assert.equal(trusted, '203.0.113.7');
    assert.equal(h['x-forwarded-for'], '198.51.100.1, 203.0.113.7, 10.0.0.2');
    assert.equal(h['x-envoy-external-address'], '203.0.113.7');
    assert.equal(h['x-envoy-internal'], undefined);
    assert.notEqual(h['x-request-id'], 'spoof');
  });

  it('preserve_external_request_id keeps it; internal requests keep theirs', () => {
    const ext: HeaderObject = { 'x-request-id': 'keep' };
    addForwardedHeaders(ext, '203.0.113.9', { ...base, useRemoteAddress: true, preserveExternalRequestId: true });
    assert.equal(ext['x-request-id'], 'keep');
    const internal: HeaderObject = { 'x-request-id': 'keep' };
    addForwardedHeaders(internal, '127.0.0.1', { ...base, useRemoteAddress: true });
    assert.equal(internal['x-request-id'], 'keep');
    assert.equal(internal['x-envoy-internal'], 'true');
  });

  it('use_remote_address false: XFF untouched, the trusted address comes from it', () => {
    const h: HeaderObject = { 'x-forwarded-for': '203.0.113.7, 10.1.1.1' };
    assert.equal(addForwardedHeaders(h, '10.0.0.2', { ...base, useRemoteAddress: false }), '10.1.1.1');
    assert.equal(h['x-forwarded-for'], '203.0.113.7, 10.1.1.1');
    assert.equal(addForwardedHeaders({ 'x-forwarded-for': '203.0.113.7, 10.1.1.1' }, '10.0.0.2', { ...base, useRemoteAddress: false, xffNumTrustedHops: 1 }), '203.0.113.7');
    assert.equal(addForwardedHeaders({}, '10.0.0.2', { ...base, useRemoteAddress: false }), '10.0.0.2');
  });

  it('skip_xff_append and via', () => {
    const h: HeaderObject = { via: '1.1 edge' };
    addForwardedHeaders(h, '10.0.0.2', { ...base, appendXff: false, via: 'gloo' });
    assert.equal(h['x-forwarded-for'], undefined);
    assert.equal(h.via, '1.1 edge, gloo');
  });
});

describe('server settings', () => {
  it('reads the HCM timeouts and header limit', () => {
    const s = serverSettings(
      hcm('r', {
        request_timeout: { seconds: '10' },
        request_headers_timeout: { seconds: '30' },
        stream_idle_timeout: { seconds: '60' },
        common_http_protocol_options: { idle_timeout: { seconds: '5' } },
        max_request_headers_kb: { value: 96 },
      }),
    );
    assert.deepEqual(s, { keepAliveTimeout: 5000, headersTimeout: 10_000, requestTimeout: 10_000, streamIdleTimeout: 60_000, maxHeaderSize: 96 * 1024 });
    assert.deepEqual(serverSettings(hcm('r')), DEFAULT_SERVER_SETTINGS);
    assert.equal(sameSettings(serverSettings(hcm('r')), DEFAULT_SERVER_SETTINGS), true);
    assert.equal(sameSettings(s, DEFAULT_SERVER_SETTINGS), false);
  });
});

describe('server and via response headers', () => {
  const edit = (extra: Parameters<typeof hcm>[1], list: string[]) => {
    ConnectionManager.fromConfig(hcm('r', extra), null, createProxyStats(), 'http').editResponseHeaders(list);
    return list;
  };
  it('server_name overwrites by default, or is appended if absent; PASS_THROUGH and no name leave it', () => {
    assert.deepEqual(edit({ server_name: 'gloo' }, ['Server', 'nginx']), ['Server', 'gloo']);
    assert.deepEqual(edit({ server_name: 'gloo', server_header_transformation: 'APPEND_IF_ABSENT' }, ['server', 'nginx']), ['server', 'nginx']);
    assert.deepEqual(edit({ server_name: 'gloo', server_header_transformation: 'APPEND_IF_ABSENT' }, []), ['server', 'gloo']);
    assert.deepEqual(edit({ server_name: 'gloo', server_header_transformation: 'PASS_THROUGH' }, ['server', 'nginx']), ['server', 'nginx']);
    assert.deepEqual(edit({}, ['server', 'nginx']), ['server', 'nginx']);
    assert.deepEqual(edit({ server_header_transformation: 'OVERWRITE' }, []), ['server', 'envoy']);
  });
  it('via is appended', () => {
    assert.deepEqual(edit({ via: 'gloo' }, ['via', '1.1 up']), ['via', '1.1 up, gloo']);
  });
});
