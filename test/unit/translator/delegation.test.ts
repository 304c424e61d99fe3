/**
 * RouteTable delegation through virtualHostForVirtualService with its context (the golden cases
 * delegation-*.in.yaml cover the whole translation): §7.5's flattening, route names, a cycle, and
 * what is copied onto the root VirtualService.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reports } from '../../../src/translator/reports.js';
import { virtualHostForVirtualService } from '../../../src/translator/gateway/virtual-host.js';
import type { Matcher } from '../../../src/api/types/matchers.js';
import { snapshotOf } from './helpers.js';

const EXAMPLE = `
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: example, namespace: gloo-system}
spec:
  virtualHost:
    domains: [example.com]
    routes:
      - matchers: [{prefix: /a}]
        delegateAction: {ref: {name: a-routes, namespace: a}}
      - name: b
        matchers: [{prefix: /b}]
        delegateAction: {ref: {name: b-routes, namespace: b}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: a-routes, namespace: a}
spec:
  routes:
    - matchers: [{prefix: /a/1}]
      routeAction: {single: {upstream: {name: foo-upstream}}}
    - matchers: [{prefix: /a/2}]
      routeAction: {single: {upstream: {name: bar-upstream}}}
    - matchers: [{prefix: /1}]
      routeAction: {single: {upstream: {name: foo-upstream}}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: b-routes, namespace: b}
spec:
  routes:
    - matchers: [{regex: /b/3}]
      routeAction: {single: {upstream: {name: baz-upstream}}}
    - matchers: [{prefix: /b/c/}]
      delegateAction: {ref: {name: c-routes, namespace: c}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: c-routes, namespace: c}
spec:
  routes:
    - matchers: [{exact: /b/c/4}]
      routeAction: {single: {upstream: {name: qux-upstream}}}
`;

function path(m: Matcher): string | undefined {
  return m.prefix ?? m.exact ?? m.regex;
}

test('§7.5: the Proxy routes are /a/1, /a/2, /b/3, /b/c/4; a child /1 under /a is dropped with a warning', () => {
  const snapshot = snapshotOf(EXAMPLE);
  const reports = new Reports();
  const vs = snapshot.virtualServices[0]!;
  const vh = virtualHostForVirtualService(vs, reports, { snapshot, gatewayName: 'gw', proxyName: 'px' })!;
  assert.deepEqual(
    vh.routes!.map((r) => path(r.matchers![0]!)),
    ['/a/1', '/a/2', '/b/3', '/b/c/4'],
  );
  assert.deepEqual(
    vh.routes!.map((r) => r.routeAction!.single!.upstream!.namespace),
    ['a', 'a', 'b', 'c'],
  );
  // Names only on the chain with a user name (route `b`).
  assert.deepEqual(
    vh.routes!.map((r) => r.name),
    [
      undefined,
      undefined,
      'vs:gw_px_gloo-system_example_route:b_rt:b_b-routes_route:<unnamed-0>',
      'vs:gw_px_gloo-system_example_route:b_rt:b_b-routes_route:<unnamed-1>_rt:c_c-routes_route:<unnamed-0>',
    ],
  );
  const problem =
    "required prefix: /a, prefix: /1: invalid route: route table matchers must begin with the prefix of their parent route's matcher";
  const rt = snapshot.routeTables.find((t) => t.metadata.name === 'a-routes')!;
  assert.deepEqual(reports.get(rt)!.warnings, [problem]);
  assert.deepEqual(reports.get(vs)!.warnings, [`on sub route table a.a-routes: ${problem}`]);
  assert.equal(reports.hasErrors(vs), false);
});

test('without a context, routes keep their user names and delegation finds no table', () => {
  const snapshot = snapshotOf(EXAMPLE);
  const reports = new Reports();
  const vs = snapshot.virtualServices[0]!;
  const vh = virtualHostForVirtualService(vs, reports)!;
  assert.deepEqual(vh.routes, []);
  assert.deepEqual(reports.get(vs)!.warnings, ['route table a.a-routes missing', 'route table b.b-routes missing']);
});

test('a cycle is an error on the table closing it, copied onto the VS', () => {
  const snapshot = snapshotOf(`
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: vs, namespace: ns}
spec:
  virtualHost:
    routes:
      - delegateAction: {ref: {name: a}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: a, namespace: ns}
spec:
  routes:
    - delegateAction: {ref: {name: b}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: b, namespace: ns}
spec:
  routes:
    - delegateAction: {ref: {name: a}}
`);
  const reports = new Reports();
  const vs = snapshot.virtualServices[0]!;
  virtualHostForVirtualService(vs, reports, { snapshot });
  const cycle = 'invalid route: delegation cycle detected: [ns.a] -> [ns.b] -> [ns.a]';
  assert.deepEqual(reports.get(snapshot.routeTables[0]!)!.errors, [cycle]);
  assert.deepEqual(reports.get(vs)!.errors, [`on sub route table ns.a: ${cycle}`]);
});
