import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedCache } from '../../../src/proxy/router/bounded-cache.js';
import { portSeparator, VirtualHostSelector } from '../../../src/proxy/router/virtual-host-selector.js';

function selector(...vhosts: [string, string[]][]): VirtualHostSelector<string> {
  const s = new VirtualHostSelector<string>();
  for (const [name, domains] of vhosts) s.add(domains, name);
  return s;
}

describe('virtual host selection', () => {
  const s = selector(
    ['default', ['*']],
    ['prefix-short', ['foo.*']],
    ['prefix-long', ['foo.bar.*']],
    ['suffix-short', ['*.com']],
    ['suffix-long', ['*.example.com']],
    ['suffix-dash', ['*-bar.com']],
    ['exact', ['api.example.com', 'Mixed.Example.org']],
  );

  it('prefers exact over suffix over prefix over *', () => {
    assert.equal(s.select('api.example.com'), 'exact');
    assert.equal(s.select('www.example.com'), 'suffix-long');
    assert.equal(s.select('foo.example.com'), 'suffix-long'); // suffix wildcards beat prefix wildcards
    assert.equal(s.select('foo.bar.net'), 'prefix-long');
    assert.equal(s.select('foo.net'), 'prefix-short');
    assert.equal(s.select('nothing.net'), 'default');
  });

  it('takes the longest suffix, including non-dot suffixes', () => {
    assert.equal(s.select('a.b.example.com'), 'suffix-long');
    assert.equal(s.select('other.com'), 'suffix-short');
    assert.equal(s.select('foo-bar.com'), 'suffix-dash');
  });

  it('never lets a wildcard match an empty string', () => {
    assert.equal(s.select('.example.com'), 'suffix-short'); // "*.com" matches ".example" + ".com"
    assert.equal(selector(['w', ['*.example.com']]).select('.example.com'), null);
    assert.equal(selector(['w', ['foo.*']]).select('foo.'), null);
    assert.equal(selector(['w', ['*-bar.com']]).select('-bar.com'), null);
  });

  it('compares hosts case-insensitively', () => {
    assert.equal(s.select('API.Example.COM'), 'exact');
    assert.equal(s.select('mixed.example.org'), 'exact');
  });

  it('strips the port unless a domain names it', () => {
    assert.equal(s.select('api.example.com:8080'), 'exact');
    const withPort = selector(['port', ['api.example.com:8080']], ['plain', ['api.example.com']]);
    assert.equal(withPort.select('api.example.com:8080'), 'port');
    assert.equal(withPort.select('api.example.com:9090'), 'plain');
    assert.equal(withPort.select('api.example.com'), 'plain');
  });

  it('handles IPv6 literals', () => {
    assert.equal(portSeparator('[::1]:8080'), 5);
    assert.equal(portSeparator('[::1]'), -1);
    assert.equal(portSeparator('::1'), -1);
    assert.equal(portSeparator('example.com:80'), 11);
    assert.equal(selector(['v6', ['[::1]']]).select('[::1]:8080'), 'v6');
  });

  it('returns null without a match and keeps the first virtual host for a duplicate domain', () => {
    const d = new VirtualHostSelector<string>();
    assert.deepEqual(d.add(['a.com'], 'first'), []);
    assert.deepEqual(d.add(['A.com', 'b.com'], 'second'), ['A.com']);
    assert.equal(d.select('a.com'), 'first');
    assert.equal(d.select('b.com'), 'second');
    assert.equal(d.select('c.com'), null);
  });

  it('bounds the host cache', () => {
    const c = new BoundedCache<string, number>(3);
    for (let i = 0; i < 10; i++) c.set(`h${i}`, i);
    assert.equal(c.size, 3);
    assert.equal(c.get('h0'), undefined);
    assert.equal(c.get('h9'), 9);
    const sel = selector(['default', ['*']]);
    for (let i = 0; i < 10_000; i++) assert.equal(sel.select(`random-${i}.example`), 'default');
    assert.ok((sel as unknown as { cache: BoundedCache<string, string> }).cache.size <= 4096);
  });
});
