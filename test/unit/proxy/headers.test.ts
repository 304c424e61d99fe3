import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionTokens, downstreamResponseHeaders, isHopByHop, upstreamRequestHeaders } from '../../../src/proxy/http/hop-by-hop.js';
import { addForwardedHeaders } from '../../../src/proxy/http/forwarded-headers.js';
import { HeaderMutation, type HeaderObject } from '../../../src/proxy/router/header-mutation.js';

function raw(...pairs: string[]): Buffer[] {
  return pairs.map((p) => Buffer.from(p, 'latin1'));
}

describe('hop-by-hop headers', () => {
  it('recognises hop-by-hop names in any case', () => {
    for (const n of ['Connection', 'keep-alive', 'Proxy-Connection', 'Transfer-Encoding', 'TE', 'Trailer', 'Upgrade']) {
      assert.ok(isHopByHop(n), n);
    }
    for (const n of ['content-type', 'x-upgrade', 'tee', 'trailers', 'host']) assert.ok(!isHopByHop(n), n);
  });

  it('strips them from requests, with the headers named in Connection and expect', () => {
    const out = upstreamRequestHeaders({
      host: 'h',
      connection: 'keep-alive, X-Secret',
      'x-secret': 's',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      te: 'gzip',
      upgrade: 'websocket',
      'proxy-connection': 'keep-alive',
      trailer: 'x',
      expect: '100-continue',
      'x-kept': 'k',
    });
    assert.deepEqual(out, { host: 'h', 'x-kept': 'k' });
    // `te: trailers` (gRPC) is the one TE value forwarded, as Envoy does.
    assert.deepEqual(upstreamRequestHeaders({ host: 'h', te: 'trailers' }), { host: 'h', te: 'trailers' });
    assert.deepEqual(upstreamRequestHeaders({ host: 'h', te: 'gzip, trailers;q=1' }), { host: 'h', te: 'trailers' });
    assert.equal(connectionTokens('close'), null);
    assert.deepEqual(connectionTokens('Keep-Alive, Foo ,bar'), ['foo', 'bar']);
  });

  it('strips them from responses, keeping order, case and duplicates of the rest', () => {
    const out = downstreamResponseHeaders(
      raw('Content-Type', 'text/plain', 'Connection', 'keep-alive, X-Private', 'X-Private', '1', 'Transfer-Encoding', 'chunked',
        'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Keep-Alive', 'timeout=5'),
    );
    assert.deepEqual(out, ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });
});

describe('forwarded headers', () => {
  it('appends x-forwarded-for, sets proto when absent, generates x-request-id when absent', () => {
    const h: HeaderObject = {};
    addForwardedHeaders(h, '::ffff:10.1.2.3', { scheme: 'http', appendXff: true, generateRequestId: true });
    assert.equal(h['x-forwarded-for'], '10.1.2.3');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.match(String(h['x-request-id']), /^[0-9a-f-]{36}$/);
    const g: HeaderObject = { 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https', 'x-request-id': 'r' };
    addForwardedHeaders(g, '2.2.2.2', { scheme: 'http', appendXff: true, generateRequestId: true });
    assert.deepEqual(g, { 'x-forwarded-for': '1.1.1.1, 2.2.2.2', 'x-forwarded-proto': 'https', 'x-request-id': 'r' });
    const off: HeaderObject = {};
    addForwardedHeaders(off, '2.2.2.2', { scheme: 'http', appendXff: false, generateRequestId: false });
    assert.deepEqual(off, { 'x-forwarded-proto': 'http' });
  });
});

describe('header mutation', () => {
  it('compiles empty edits to null', () => {
    assert.equal(HeaderMutation.compile([{}, { add: [], remove: [] }]), null);
  });

  it('applies append actions to request headers, route level before virtual host level', () => {
    const m = HeaderMutation.compile([
      {
        add: [
          { header: { key: 'X-Append', value: '2' } },
          { header: { key: 'x-absent', value: 'new' }, append_action: 'ADD_IF_ABSENT' },
          { header: { key: 'x-present', value: 'ignored' }, append_action: 'ADD_IF_ABSENT' },
          { header: { key: 'x-over', value: 'o' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
          { header: { key: 'x-only-if', value: 'no' }, append_action: 'OVERWRITE_IF_EXISTS' },
          { header: { key: 'x-legacy', value: 'l' }, append: { value: false } },
        ],
        remove: ['x-gone'],
      },
      { add: [{ header: { key: 'x-over', value: 'vhost' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] },
    ])!;
    const h: HeaderObject = { 'x-append': '1', 'x-present': 'p', 'x-gone': 'g', 'x-over': 'old', 'x-legacy': 'old' };
    m.applyToObject(h);
    assert.deepEqual(h, {
      'x-append': ['1', '2'],
      'x-present': 'p',
      'x-over': 'vhost',
      'x-absent': 'new',
      'x-legacy': 'l',
    });
  });

  it('applies edits to response header lists case-insensitively', () => {
    const m = HeaderMutation.compile([
      {
        add: [
          { header: { key: 'x-a', value: '2' } },
          { header: { key: 'server', value: 'gloo' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
          { header: { key: 'x-new', value: 'n' }, append_action: 'OVERWRITE_IF_EXISTS' },
        ],
        remove: ['X-Powered-By'],
      },
    ])!;
    const out = m.applyToList(['X-A', '1', 'Server', 'node', 'x-powered-by', 'express']);
    assert.deepEqual(out, ['X-A', '1', 'x-a', '2', 'server', 'gloo']);
  });
});
