import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { CompiledFormat, compileFormat, type FormatContext } from '../../../src/proxy/router/formatter.js';
import { HeaderMutation, type HeaderObject } from '../../../src/proxy/router/header-mutation.js';

const ctx: FormatContext = {
  headers: { host: 'example.com', 'x-user': 'alice', 'x-long': 'abcdefgh', 'x-multi': ['a', 'b'] },
  method: 'GET',
  url: '/p?q=1',
  httpVersion: '1.1',
  socket: { remoteAddress: '::ffff:10.0.0.1', remotePort: 5555, localAddress: '::1', localPort: 8080 },
  upstreamAddress: '10.1.1.1:80',
  startTime: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
};

function render(v: string, c: FormatContext = ctx): string {
  const f = compileFormat(v);
  return typeof f === 'string' ? f : f.render(c);
}

describe('header value formatters', () => {
  it('keeps literal values as constant strings', () => {
    assert.equal(compileFormat('plain value'), 'plain value');
    assert.equal(compileFormat('100%%'), '100%');
    assert.equal(compileFormat('%HOSTNAME%'), hostname(), 'HOSTNAME is folded at compile time');
  });

  it('renders the downstream and upstream addresses', () => {
    assert.ok(compileFormat('%DOWNSTREAM_REMOTE_ADDRESS%') instanceof CompiledFormat);
    assert.equal(render('%DOWNSTREAM_REMOTE_ADDRESS%'), '10.0.0.1:5555');
    assert.equal(render('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%'), '10.0.0.1');
    assert.equal(render('%DOWNSTREAM_LOCAL_ADDRESS%'), '[::1]:8080');
    assert.equal(render('%DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%'), '::1');
    assert.equal(render('%UPSTREAM_REMOTE_ADDRESS%'), '10.1.1.1:80');
    assert.equal(render('%UPSTREAM_REMOTE_ADDRESS%', {}), '');
  });

  it('renders the protocol and start time', () => {
    assert.equal(render('%PROTOCOL%'), 'HTTP/1.1');
    assert.equal(render('%PROTOCOL%', { ...ctx, httpVersion: '2.0' }), 'HTTP/2');
    assert.equal(render('%START_TIME%'), '2024-01-02T03:04:05.678Z');
  });

  it('renders request headers with fallback and truncation', () => {
    assert.equal(render('user=%REQ(X-User)%;'), 'user=alice;');
    assert.equal(render('%REQ(x-missing?x-user)%'), 'alice');
    assert.equal(render('%REQ(x-long):3%'), 'abc');
    assert.equal(render('%REQ(x-multi)%'), 'a,b');
    assert.equal(render('%REQ(:authority)% %REQ(:path)% %REQ(:method)%'), 'example.com /p?q=1 GET');
    assert.equal(render('%REQ(x-missing)%'), '');
  });

  it('mixes literals, escapes and commands', () => {
    assert.equal(render('a %% b %PROTOCOL% c %%%PROTOCOL%'), 'a % b HTTP/1.1 c %HTTP/1.1');
  });

  it('rejects unknown or unterminated commands', () => {
    assert.throws(() => compileFormat('%NOPE%'), /unsupported formatter %NOPE%/);
    assert.throws(() => compileFormat('50% off'), /unterminated/);
    assert.throws(() => compileFormat('%REQ()%'), /unsupported formatter/);
  });
});

describe('HeaderMutation with formatters and append_action', () => {
  const m = HeaderMutation.compile([
    {
      add: [
        { header: { key: 'x-client', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        { header: { key: 'x-lit', value: 'v' }, append_action: 'ADD_IF_ABSENT' },
        { header: { key: 'x-app', value: 'two' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
        { header: { key: 'x-only-if', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS' },
        { header: { key: 'x-legacy', value: 'L' }, append: { value: false } },
        { header: { key: 'x-empty', value: '%REQ(x-missing)%' } },
      ],
    },
  ])!;

  it('applies literal edits without a context and formatted ones with it', () => {
    assert.equal(m.hasDynamic, true);
    const h = { 'x-client': 'spoofed', 'x-lit': 'keep', 'x-app': 'one', 'x-legacy': 'old' } as HeaderObject;
    m.applyToObject(h);
    assert.deepEqual({ ...h }, { 'x-client': 'spoofed', 'x-lit': 'keep', 'x-app': ['one', 'two'], 'x-legacy': 'L' });
    m.applyDynamicToObject(h, ctx);
    assert.equal(h['x-client'], '10.0.0.1');
    assert.equal(h['x-empty'], undefined, 'an empty rendered value is not added');
    assert.equal(h['x-only-if'], undefined);
  });

  it('renders everything at once with a context', () => {
    const h: HeaderObject = { 'x-only-if': 'old' };
    m.applyToObject(h, ctx);
    assert.deepEqual(h, { 'x-only-if': 'new', 'x-client': '10.0.0.1', 'x-lit': 'v', 'x-app': 'two', 'x-legacy': 'L' });
  });

  it('renders response-side formatters in a header list', () => {
    const r = HeaderMutation.compile([{ add: [{ header: { key: 'x-up', value: '%UPSTREAM_REMOTE_ADDRESS%' } }] }])!;
    assert.deepEqual(r.applyToList(['a', '1'], ctx), ['a', '1', 'x-up', '10.1.1.1:80']);
    assert.deepEqual(r.applyToList(['a', '1']), ['a', '1'], 'no context: the empty value is not added');
  });
});
