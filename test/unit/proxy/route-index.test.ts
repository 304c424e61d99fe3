/**
 * The per-segment route index must find exactly the route a scan of every route in order finds:
 * random route tables (prefix, exact, regex, case-insensitive, `/`) against random paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouteConfiguration } from '../../../src/proxy/router/route-table.js';
import type { Route } from '../../../src/xds/envoy-types.js';
import { fakeClusters, memoryLogger } from './fakes.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const SEGMENTS = ['api', 'API', 'pets', 'a', 'ab', '', 'v1'];

function randomRoute(rand: () => number, i: number): Route {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const seg = pick(SEGMENTS);
  const rest = pick(['', '/', '/x', '/x/y', 'x']);
  const value = `/${seg}${rest}`;
  const kind = rand();
  const match: Route['match'] =
    kind < 0.45 ? { prefix: value } : kind < 0.8 ? { path: value } : kind < 0.9 ? { safe_regex: { google_re2: {}, regex: `/${seg}.*` } } : { prefix: '/' };
  if (rand() < 0.15) match.case_sensitive = { value: false };
  return { name: `r${i}`, match, direct_response: { status: 200, body: { inline_string: `r${i}` } } };
}

test('the segment index finds the same first match as a linear scan', () => {
  const rand = rng(7);
  const logger = memoryLogger();
  let matched = 0;
  for (let t = 0; t < 40; t++) {
    const routes = Array.from({ length: 8 + Math.floor(rand() * 40) }, (_, i) => randomRoute(rand, i));
    const table = compileRouteConfiguration({ name: 'rc', virtual_hosts: [{ name: 'vh', domains: ['*'], routes }] }, fakeClusters(), logger);
    const vh = table.selectVirtualHost('x')!;
    for (let p = 0; p < 200; p++) {
      const seg = SEGMENTS[Math.floor(rand() * SEGMENTS.length)]!;
      const path = `/${seg}${['', '/', '/x', '/x/y', 'x', '/X'][Math.floor(rand() * 6)]}`;
      const req = { method: 'GET', headers: {} } as never;
      const found = vh.findRoute(req, path, path, -1);
      const expected = vh.routes.find((r) => r.match.matches(req, path, path, -1)) ?? null;
      assert.ok(found === expected, `path ${path} in table ${t}`);
      if (expected !== null) matched++;
    }
  }
  assert.ok(matched > 1000, `only ${matched} lookups matched a route`);
});
