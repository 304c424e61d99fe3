/** Route hash policies: the keys they read, how they combine, and generated cookies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerResponse } from 'node:http';
import { appendGeneratedCookies, CompiledHashPolicy, type HashableRequest } from '../../../../src/proxy/router/hash-policy.js';
import type { HashPolicy } from '../../../../src/xds/envoy-types.js';

function req(headers: Record<string, string> = {}, url = '/', socket: HashableRequest['socket'] = { remoteAddress: '10.1.2.3', remotePort: 50000, localAddress: '127.0.0.1', localPort: 8080 }): HashableRequest {
  return { method: 'GET', url, headers, socket };
}

const compile = (...p: HashPolicy[]) => CompiledHashPolicy.compile(p)!;
const fakeRes = () => ({}) as ServerResponse;

describe('hash policies', () => {
  it('header: the same value gives the same hash, another value another one, absent gives none', () => {
    const p = compile({ header: { header_name: 'X-User' } });
    const a = p.hash(req({ 'x-user': 'alice' }), null);
    assert.equal(typeof a, 'number');
    assert.equal(p.hash(req({ 'x-user': 'alice', other: 'x' }), null), a);
    assert.notEqual(p.hash(req({ 'x-user': 'bob' }), null), a);
    assert.equal(p.hash(req({}), null), undefined);
    assert.ok(a! >= 0 && a! < 2 ** 53);
  });

  it('header: reads pseudo headers', () => {
    const p = compile({ header: { header_name: ':authority' } });
    assert.equal(p.hash(req({ host: 'a.example.com' }), null), p.hash(req({ host: 'a.example.com' }), null));
    assert.notEqual(p.hash(req({ host: 'a.example.com' }), null), p.hash(req({ host: 'b.example.com' }), null));
  });

  it('cookie: hashes the value, ignoring quotes and the other cookies', () => {
    const p = compile({ cookie: { name: 'session' } });
    const a = p.hash(req({ cookie: 'theme=dark; session=abc123; lang=en' }), null);
    assert.notEqual(a, undefined);
    assert.equal(p.hash(req({ cookie: 'session="abc123"' }), null), a);
    assert.notEqual(p.hash(req({ cookie: 'session=abc124' }), null), a);
    assert.equal(p.hash(req({ cookie: 'xsession=abc123; sessions=abc123' }), null), undefined);
  });

  it('cookie with a ttl: generates one when absent, hashes on it and sets it on the response', () => {
    const p = compile({ cookie: { name: 'lb', ttl: { seconds: '3600' }, path: '/api' } });
    const res = fakeRes();
    const h = p.hash(req({}), res);
    assert.notEqual(h, undefined);
    const list: string[] = [];
    appendGeneratedCookies(res, list);
    assert.equal(list.length, 2);
    assert.equal(list[0], 'set-cookie');
    const m = /^lb="([0-9a-f]{16})"; Max-Age=3600; Path=\/api; HttpOnly$/.exec(list[1]!);
    assert.ok(m, list[1]);
    // The client sends it back: same hash, no new cookie.
    const res2 = fakeRes();
    assert.equal(p.hash(req({ cookie: `lb="${m[1]}"` }), res2), h);
    const none: string[] = [];
    appendGeneratedCookies(res2, none);
    assert.deepEqual(none, []);
    // The same connection gets the same value (Envoy derives it from the connection's addresses);
    // a retry on the same response does not add a second Set-Cookie.
    assert.equal(p.hash(req({}), res), h);
    const again: string[] = [];
    appendGeneratedCookies(res, again);
    assert.equal(again.length, 2);
    const other = fakeRes();
    p.hash(req({}, '/', { remoteAddress: '10.9.9.9', remotePort: 1234, localAddress: '127.0.0.1', localPort: 8080 }), other);
    const otherList: string[] = [];
    appendGeneratedCookies(other, otherList);
    assert.notEqual(otherList[1], list[1]);
  });

  it('cookie: a zero ttl makes a session cookie; no ttl generates nothing', () => {
    const session = compile({ cookie: { name: 's', ttl: { seconds: '0' } } });
    const res = fakeRes();
    session.hash(req({}), res);
    const list: string[] = [];
    appendGeneratedCookies(res, list);
    assert.match(list[1]!, /^s="[0-9a-f]{16}"; HttpOnly$/);
    const res2 = fakeRes();
    assert.equal(compile({ cookie: { name: 's' } }).hash(req({}), res2), undefined);
    const list2: string[] = [];
    appendGeneratedCookies(res2, list2);
    assert.deepEqual(list2, []);
  });

  it('source ip and query parameter', () => {
    const ip = compile({ connection_properties: { source_ip: true } });
    assert.equal(ip.hash(req({}, '/a'), null), ip.hash(req({ x: 'y' }, '/b'), null));
    assert.notEqual(ip.hash(req(), null), ip.hash(req({}, '/', { remoteAddress: '10.1.2.4' }), null));
    const q = compile({ query_parameter: { name: 'user' } });
    const a = q.hash(req({}, '/p?x=1&user=alice&z'), null);
    assert.equal(q.hash(req({}, '/other?user=alice'), null), a);
    assert.notEqual(q.hash(req({}, '/p?user=bob'), null), a);
    assert.equal(q.hash(req({}, '/p?username=alice'), null), undefined);
    assert.equal(q.hash(req({}, '/p'), null), undefined);
  });

  it('combines policies in order; terminal stops once a hash exists; filter_state yields nothing', () => {
    const both = compile({ header: { header_name: 'a' } }, { header: { header_name: 'b' } });
    const onlyA = compile({ header: { header_name: 'a' } });
    assert.notEqual(both.hash(req({ a: '1', b: '2' }), null), onlyA.hash(req({ a: '1' }), null));
    assert.equal(both.hash(req({ a: '1' }), null), onlyA.hash(req({ a: '1' }), null));
    // The same key twice does not cancel out (the previous hash is rotated before the XOR).
    const twice = compile({ header: { header_name: 'a' } }, { header: { header_name: 'a' } });
    assert.notEqual(twice.hash(req({ a: '1' }), null), 0);
    const terminal = compile({ header: { header_name: 'a' }, terminal: true }, { header: { header_name: 'b' } });
    assert.equal(terminal.hash(req({ a: '1', b: '2' }), null), onlyA.hash(req({ a: '1' }), null));
    // A terminal policy without a key does not stop the next ones.
    assert.equal(terminal.hash(req({ b: '2' }), null), compile({ header: { header_name: 'b' } }).hash(req({ b: '2' }), null));
    assert.equal(compile({ filter_state: { key: 'k' } }).hash(req({}), null), undefined);
    assert.equal(CompiledHashPolicy.compile([]), null);
  });
});
