import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseFlag } from '../../../../src/proxy/http/stream-info.js';
import { UPSTREAM_CONNECT_FAILURE, UPSTREAM_CONNECT_TIMEOUT, UPSTREAM_CONNECTION_TERMINATION } from '../../../../src/proxy/http/local-reply.js';
import { hasTrailers } from '../../../../src/proxy/upstream/http2/held-headers.js';
import { UpstreamTlsError, tlsFailureReason, upstreamFailureBody } from '../../../../src/proxy/upstream/upstream-failure.js';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('upstream failure replies', () => {
  it("uses Envoy's reset reasons", () => {
    assert.equal(upstreamFailureBody(err('ECONNREFUSED')), UPSTREAM_CONNECT_FAILURE);
    assert.equal(upstreamFailureBody(err('ENOENT')), UPSTREAM_CONNECT_FAILURE);
    assert.equal(upstreamFailureBody(err('UND_ERR_CONNECT_TIMEOUT')), UPSTREAM_CONNECT_TIMEOUT);
    assert.equal(upstreamFailureBody(err('UND_ERR_SOCKET')), UPSTREAM_CONNECTION_TERMINATION);
    assert.equal(UPSTREAM_CONNECT_TIMEOUT.body.toString(), 'upstream connect error or disconnect/reset before headers. reset reason: connection timeout');
  });

  it('adds the transport failure reason of TLS errors, with the UF (handshake) or UC (later alert) flag', () => {
    const hs = upstreamFailureBody(new UpstreamTlsError('TLS error: X: bad'));
    assert.equal(hs.body.toString(), 'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: TLS error: X: bad');
    assert.equal(hs.flag, ResponseFlag.UpstreamConnectionFailure);
    assert.equal(hs.transportFailure, 'TLS error: X: bad');
    const alert = upstreamFailureBody(Object.assign(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'long openssl text'), { reason: 'tlsv13 alert certificate required' }));
    assert.match(alert.body.toString(), /reset reason: connection termination, transport failure reason: TLS error: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: tlsv13 alert certificate required$/);
    assert.equal(alert.flag, ResponseFlag.UpstreamConnectionTermination);
    assert.equal(tlsFailureReason(err('E', 'a\n  b')), 'TLS error: E: a b');
  });

  it('hasTrailers reads both undici shapes', () => {
    assert.equal(hasTrailers(null), false);
    assert.equal(hasTrailers([]), false);
    assert.equal(hasTrailers(['grpc-status', '0']), true);
    assert.equal(hasTrailers({}), false);
    assert.equal(hasTrailers({ 'grpc-status': '0' }), true);
  });
});
