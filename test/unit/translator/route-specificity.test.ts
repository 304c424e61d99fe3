/**
 * The order of routes from several RouteTables of one weight (delegation/order-route-tables.ts):
 * Gloo's SortRoutesByPath — more methods first, then exact < regex < prefix, then the lexicographically
 * greater path first; stable for ties; a route counts by its most specific matcher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../../src/api/resource.js';
import type { ProxyRoute } from '../../../src/api/types/route.js';
import type { Matcher } from '../../../src/api/types/matchers.js';
import {
  groupByWeight,
  moreSpecific,
  sortRoutesBySpecificity,
} from '../../../src/translator/gateway/delegation/order-route-tables.js';

function route(body: string, ...matchers: Matcher[]): ProxyRoute {
  return { matchers, directResponseAction: { status: 200, body } };
}

function bodies(routes: ProxyRoute[]): string[] {
  return routes.map((r) => r.directResponseAction!.body!);
}

test('longer prefixes come before their own prefixes', () => {
  const sorted = sortRoutesBySpecificity([route('/foo', { prefix: '/foo' }), route('/foo/bar', { prefix: '/foo/bar' })]);
  assert.deepEqual(bodies(sorted), ['/foo/bar', '/foo']);
});

test('exact before regex before prefix, whatever the paths', () => {
  const sorted = sortRoutesBySpecificity([
    route('prefix', { prefix: '/zzz/long/path' }),
    route('regex', { regex: '/a.*' }),
    route('exact', { exact: '/a' }),
  ]);
  assert.deepEqual(bodies(sorted), ['exact', 'regex', 'prefix']);
});

test('more methods win over the path kind', () => {
  const sorted = sortRoutesBySpecificity([
    route('exact', { exact: '/a' }),
    route('one method', { prefix: '/', methods: ['GET'] }),
    route('two methods', { prefix: '/', methods: ['GET', 'POST'] }),
  ]);
  assert.deepEqual(bodies(sorted), ['two methods', 'one method', 'exact']);
});

test('the lexicographically greater path first within a kind; ties keep their order', () => {
  const sorted = sortRoutesBySpecificity([
    route('a', { prefix: '/a' }),
    route('b', { prefix: '/b' }),
    route('a again', { prefix: '/a' }),
    route('a with a header', { prefix: '/a', headers: [{ name: 'x' }] }),
  ]);
  assert.deepEqual(bodies(sorted), ['b', 'a', 'a again', 'a with a header']);
});

test('a route sorts by its most specific matcher; no matchers counts as prefix /', () => {
  const sorted = sortRoutesBySpecificity([
    { directResponseAction: { status: 200, body: 'none' } },
    route('prefix and exact', { prefix: '/p' }, { exact: '/e' }),
    route('prefix', { prefix: '/q' }),
  ]);
  assert.deepEqual(bodies(sorted), ['prefix and exact', 'prefix', 'none']);
});

test('a matcher without a path (connectMatcher) is the most specific kind', () => {
  assert.equal(moreSpecific({ connectMatcher: {} }, { exact: '/a' }), true);
  assert.equal(moreSpecific({ exact: '/a' }, { connectMatcher: {} }), false);
});

test('tables are grouped by weight, ascending, default 0, keeping their order in a group', () => {
  const rt = (name: string, weight?: number): Resource<'RouteTable'> => ({
    kind: 'RouteTable',
    apiVersion: 'gateway.solo.io/v1',
    metadata: { name, namespace: 'ns' },
    spec: weight === undefined ? {} : { weight },
    unsupported: [],
  });
  const groups = groupByWeight([rt('b', 10), rt('z'), rt('a', -1), rt('c', 10), rt('y', 0)]);
  assert.deepEqual(
    groups.map((g) => g.map((t) => t.metadata.name)),
    [['a'], ['z', 'y'], ['b', 'c']],
  );
});
