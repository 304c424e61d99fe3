/**
 * The Envoy proto check (src/xds/proto-check.ts): valid resources of each type pass, and each kind of
 * problem protobufjs would silently swallow is reported with its code and field path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TYPE_URL } from '../../../src/xds/envoy-types.js';
import { assertValidSnapshot, checkResource, formatProtoProblem, ProtoChecker, type ProtoProblem } from '../../../src/xds/proto-check.js';
import { ControlPlane } from '../../../src/pipeline/control-plane.js';
import { SnapshotCache } from '../../../src/xds/cache.js';
import { createLogger } from '../../../src/logger.js';
import type { ApiSnapshot } from '../../../src/config/snapshot.js';
import { snapshotFromYaml } from '../../golden/golden-snapshot.js';

const CORS = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
const TYPED_STRUCT = 'type.googleapis.com/xds.type.v3.TypedStruct';

function listener(): Record<string, unknown> {
  return {
    name: 'listener-::-8080',
    address: { socket_address: { address: '::', port_value: 8080, ipv4_compat: true } },
    filter_chains: [
      {
        name: 'http',
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': TYPE_URL.httpConnectionManager,
              stat_prefix: 'http',
              codec_type: 'AUTO',
              rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: 'listener-::-8080-routes' },
              use_remote_address: { value: true },
              stream_idle_timeout: { seconds: '300', nanos: 0 },
              http_filters: [
                { name: 'envoy.filters.http.cors', typed_config: { '@type': CORS } },
                {
                  name: 'io.solo.transformation',
                  typed_config: {
                    '@type': TYPED_STRUCT,
                    type_url: 'type.googleapis.com/envoy.api.v2.filter.http.FilterTransformations',
                    value: { fields: { stage: { numberValue: 1 }, on: { boolValue: true }, l: { listValue: { values: [{ stringValue: 'a' }, { nullValue: 'NULL_VALUE' }] } } } },
                  },
                },
                { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE_URL.router } },
              ],
            },
          },
        ],
      },
    ],
  };
}

function routeConfiguration(): Record<string, unknown> {
  return {
    name: 'listener-::-8080-routes',
    virtual_hosts: [
      {
        name: 'default_petstore',
        domains: ['*'],
        routes: [
          {
            name: 'r0',
            match: { prefix: '/api', case_sensitive: { value: false }, headers: [{ name: 'x-a', string_match: { exact: 'b' }, invert_match: true }] },
            route: { cluster: 'petstore', timeout: { seconds: 15, nanos: 500_000_000 }, prefix_rewrite: '/', cluster_not_found_response_code: 'NOT_FOUND' },
            request_headers_to_add: [{ header: { key: 'x-b', value: 'c' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
          },
          { match: { safe_regex: { regex: '/r[0-9]+' } }, redirect: { https_redirect: true, response_code: 'PERMANENT_REDIRECT' } },
          { match: { path: '' }, direct_response: { status: 404, body: { inline_string: 'nope' } } },
        ],
      },
    ],
  };
}

function cluster(): Record<string, unknown> {
  return {
    name: 'petstore',
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: 'petstore' },
    connect_timeout: { seconds: '5' },
    lb_policy: 'ROUND_ROBIN',
    per_connection_buffer_limit_bytes: { value: 32768 },
    metadata: { filter_metadata: { 'io.solo': { fields: { owner: { stringValue: 'team-a' } } } } },
  };
}

function endpoints(): Record<string, unknown> {
  return {
    cluster_name: 'petstore',
    endpoints: [
      {
        locality: { region: 'r', zone: '' },
        priority: 0,
        lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 8080 } } }, load_balancing_weight: { value: 1 }, health_status: 'HEALTHY' }],
      },
    ],
  };
}

/** `[code, path]` of each problem, the shape most assertions compare. */
function brief(problems: ProtoProblem[]): [string, string][] {
  return problems.map((p) => [p.code, p.path]);
}

/** Checks a mutated listener: `mutate` edits a fresh valid one. */
function listenerWith(mutate: (l: Record<string, any>) => void): ProtoProblem[] {
  const l = listener() as Record<string, any>;
  mutate(l);
  return checkResource(TYPE_URL.listener, l);
}
function routeWith(mutate: (r: Record<string, any>) => void): ProtoProblem[] {
  const r = routeConfiguration() as Record<string, any>;
  mutate(r);
  return checkResource(TYPE_URL.routeConfiguration, r);
}
function clusterWith(mutate: (c: Record<string, any>) => void): ProtoProblem[] {
  const c = cluster() as Record<string, any>;
  mutate(c);
  return checkResource(TYPE_URL.cluster, c);
}
const HCM = 'filter_chains[0].filters[0].typed_config';

test('valid resources of each type pass', () => {
  assert.deepEqual(checkResource(TYPE_URL.listener, listener()), []);
  assert.deepEqual(checkResource(TYPE_URL.routeConfiguration, routeConfiguration()), []);
  assert.deepEqual(checkResource(TYPE_URL.cluster, cluster()), []);
  assert.deepEqual(checkResource(TYPE_URL.clusterLoadAssignment, endpoints()), []);
  assert.deepEqual(
    assertValidSnapshot({ listeners: [listener()], routes: [routeConfiguration()], clusters: [cluster()], endpoints: [endpoints()] } as never),
    [],
  );
});

test('an unknown field is reported with its path, also inside a typed config', () => {
  assert.deepEqual(brief(listenerWith((l) => (l.filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.foo = 1))), [
    ['UNKNOWN_FIELD', `${HCM}.http_filters[0].typed_config.foo`],
  ]);
  const camel = listenerWith((l) => (l.filter_chains[0].filters[0].typed_config.rds.routeConfigName = 'x'));
  assert.deepEqual(brief(camel), [['UNKNOWN_FIELD', `${HCM}.rds.routeConfigName`]]);
  assert.match(camel[0]!.message, /did you mean route_config_name/);
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[0].route.timeout_ms = 5))), [['UNKNOWN_FIELD', 'virtual_hosts[0].routes[0].route.timeout_ms']]);
});

test('free JSON in a Struct is reported: protobufjs would drop it', () => {
  const problems = clusterWith((c) => (c.metadata.filter_metadata['io.solo'] = { owner: 'team-a' }));
  assert.deepEqual(brief(problems), [['UNKNOWN_FIELD', 'metadata.filter_metadata["io.solo"].owner']]);
  assert.match(problems[0]!.message, /not free JSON/);
});

test('an Any whose @type is not loaded, or without @type, is reported', () => {
  assert.deepEqual(brief(listenerWith((l) => (l.filter_chains[0].filters[0].typed_config.http_filters[0].typed_config['@type'] = 'type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope'))), [
    ['UNKNOWN_TYPE', `${HCM}.http_filters[0].typed_config.@type`],
  ]);
  assert.deepEqual(brief(listenerWith((l) => delete l.filter_chains[0].filters[0].typed_config.http_filters[2].typed_config['@type'])), [
    ['MISSING_TYPE', `${HCM}.http_filters[2].typed_config`],
  ]);
  // A message type that exists, but not where a message is expected, is no way around it.
  assert.deepEqual(brief(listenerWith((l) => (l.filter_chains[0].filters[0].typed_config.http_filters[0].typed_config['@type'] = 'type.googleapis.com/envoy.config.cluster.v3.Cluster.DiscoveryType'))), [
    ['UNKNOWN_TYPE', `${HCM}.http_filters[0].typed_config.@type`],
  ]);
  // @type on a message that is not an Any is an unknown field.
  assert.deepEqual(brief(clusterWith((c) => (c.connect_timeout['@type'] = 'type.googleapis.com/google.protobuf.Duration'))), [['UNKNOWN_FIELD', 'connect_timeout.@type']]);
});

test('values of the wrong kind are reported', () => {
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[0].route = 'petstore'))), [['WRONG_KIND', 'virtual_hosts[0].routes[0].route']]);
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[0].route = ['petstore']))), [['WRONG_KIND', 'virtual_hosts[0].routes[0].route']]);
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[0].route.cluster = { name: 'petstore' }))), [['WRONG_KIND', 'virtual_hosts[0].routes[0].route.cluster']]);
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].domains = '*'))), [['WRONG_KIND', 'virtual_hosts[0].domains']]);
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[0].match.headers[0].invert_match = 'false'))), [
    ['WRONG_KIND', 'virtual_hosts[0].routes[0].match.headers[0].invert_match'],
  ]);
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[2].direct_response.status = '404'))), [['WRONG_KIND', 'virtual_hosts[0].routes[2].direct_response.status']]);
  assert.deepEqual(brief(listenerWith((l) => (l.address.socket_address.port_value = 8080.5))), [['WRONG_KIND', 'address.socket_address.port_value']]);
  assert.deepEqual(brief(clusterWith((c) => (c.connect_timeout.seconds = '5s'))), [['WRONG_KIND', 'connect_timeout.seconds']]);
  assert.deepEqual(brief(clusterWith((c) => (c.metadata.filter_metadata = 'x'))), [['WRONG_KIND', 'metadata.filter_metadata']]);
  assert.deepEqual(brief(checkResource(TYPE_URL.cluster, 'petstore')), [['WRONG_KIND', '']]);
});

test('wrappers must be {value} and durations {seconds, nanos}', () => {
  const wrapper = routeWith((r) => (r.virtual_hosts[0].routes[0].match.case_sensitive = false));
  assert.deepEqual(brief(wrapper), [['WRONG_KIND', 'virtual_hosts[0].routes[0].match.case_sensitive']]);
  assert.match(wrapper[0]!.message, /google\.protobuf\.BoolValue.*\{value: …\}/);
  assert.deepEqual(brief(clusterWith((c) => (c.per_connection_buffer_limit_bytes = { value: -1 }))), [['OUT_OF_RANGE', 'per_connection_buffer_limit_bytes.value']]);
  const duration = clusterWith((c) => (c.connect_timeout = '1.5s'));
  assert.deepEqual(brief(duration), [['WRONG_KIND', 'connect_timeout']]);
  assert.match(duration[0]!.message, /\{seconds, nanos\}/);
  assert.deepEqual(brief(clusterWith((c) => (c.connect_timeout = { seconds: 1, nanos: 1e9 }))), [['OUT_OF_RANGE', 'connect_timeout.nanos']]);
  assert.deepEqual(brief(clusterWith((c) => (c.connect_timeout = { seconds: 1, nanos: -1 }))), [['OUT_OF_RANGE', 'connect_timeout.nanos']]);
  assert.deepEqual(brief(clusterWith((c) => (c.connect_timeout = { millis: 5 }))), [['UNKNOWN_FIELD', 'connect_timeout.millis']]);
});

test('enum names must be defined by the enum', () => {
  assert.deepEqual(brief(clusterWith((c) => (c.lb_policy = 'LEAST_CONNECTIONS'))), [['BAD_ENUM', 'lb_policy']]);
  assert.deepEqual(brief(clusterWith((c) => (c.lb_policy = 4))), [['BAD_ENUM', 'lb_policy']]); // 4 is reserved
  assert.deepEqual(brief(clusterWith((c) => (c.lb_policy = 2))), []);
  assert.deepEqual(brief(clusterWith((c) => (c.lb_policy = { name: 'ROUND_ROBIN' }))), [['WRONG_KIND', 'lb_policy']]);
});

test('numbers out of range for int32 and uint32 are reported', () => {
  assert.deepEqual(brief(listenerWith((l) => (l.address.socket_address.port_value = 2 ** 32))), [['OUT_OF_RANGE', 'address.socket_address.port_value']]);
  assert.deepEqual(brief(listenerWith((l) => (l.address.socket_address.port_value = -1))), [['OUT_OF_RANGE', 'address.socket_address.port_value']]);
  assert.deepEqual(brief(checkResource(TYPE_URL.clusterLoadAssignment, { ...endpoints(), endpoints: [{ priority: 2 ** 32, lb_endpoints: [] }] })), [['OUT_OF_RANGE', 'endpoints[0].priority']]);
  const int32 = { ...cluster(), outlier_detection: { consecutive_5xx: { value: 1 }, max_ejection_time_jitter: { seconds: '1' } }, dns_refresh_rate: { seconds: '99999999999999999999' } };
  assert.deepEqual(brief(checkResource(TYPE_URL.cluster, int32)), [['OUT_OF_RANGE', 'dns_refresh_rate.seconds']]);
});

test('two members of one oneof are reported', () => {
  const problems = routeWith((r) => (r.virtual_hosts[0].routes[0].redirect = { path_redirect: '/x' }));
  assert.deepEqual(brief(problems), [['ONEOF', 'virtual_hosts[0].routes[0].redirect']]);
  assert.match(problems[0]!.message, /route and redirect/);
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[0].match.path = '/api'))), [['ONEOF', 'virtual_hosts[0].routes[0].match.path']]);
  // undefined and null members are not set.
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[0].redirect = undefined))), []);
});

test('the round trip catches what the walk cannot see', () => {
  // A lone surrogate is a string, but not valid UTF-8: it arrives as U+FFFD.
  const problems = routeWith((r) => (r.virtual_hosts[0].routes[0].request_headers_to_add[0].header.value = 'a\uD800'));
  assert.deepEqual(brief(problems), [['ROUND_TRIP', 'virtual_hosts[0].routes[0].request_headers_to_add[0].header.value']]);
  // Defaults are equal to absent values, and a oneof member holding its default stays present.
  assert.deepEqual(brief(routeWith((r) => (r.virtual_hosts[0].routes[2].match = { prefix: '' }))), []);
  assert.deepEqual(brief(checkResource(TYPE_URL.cluster, { name: 'c', type: 'STATIC', lb_policy: 0, respect_dns_ttl: false, circuit_breakers: { thresholds: [] } })), []);
});

test('problems read as Gloo-style status messages', () => {
  const [p] = listenerWith((l) => (l.filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.foo = 1));
  assert.equal(
    formatProtoProblem(p!),
    `xDS resource listener listener-::-8080 failed the Envoy proto check: ${HCM}.http_filters[1].typed_config.foo: unknown field of xds.type.v3.TypedStruct`,
  );
});

test('a ProtoChecker re-walks only objects it has not found clean', () => {
  const checker = new ProtoChecker();
  const rc = routeConfiguration() as Record<string, any>;
  assert.deepEqual(checker.checkResource(TYPE_URL.routeConfiguration, rc), []);
  // A new resource object reusing the clean virtual host: the host is not walked again (so a mutation
  // of it, which the data plane's contract forbids, goes unseen), a new host is.
  const bad = structuredClone(rc.virtual_hosts[0]);
  bad.routes[0].route.foo = 1;
  rc.virtual_hosts[0].routes[0].route.foo = 1;
  assert.deepEqual(checker.checkResource(TYPE_URL.routeConfiguration, { ...rc }), []);
  assert.deepEqual(brief(checker.checkResource(TYPE_URL.routeConfiguration, { ...rc, virtual_hosts: [rc.virtual_hosts[0], bad] })), [
    ['UNKNOWN_FIELD', 'virtual_hosts[1].routes[0].route.foo'],
  ]);
  // A problem is reported again every time (nothing unclean is remembered).
  const l = listener() as Record<string, any>;
  l.name = 7;
  assert.equal(checker.checkResource(TYPE_URL.listener, l).length, 1);
  assert.equal(checker.checkResource(TYPE_URL.listener, l).length, 1);
});

const CONFIG = (prefix: string) => `
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: petstore, namespace: gloo-system}
spec: {static: {hosts: [{addr: 127.0.0.1, port: 8081}]}}
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: petstore, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
      - matchers: [{prefix: ${prefix}}]
        routeAction: {single: {upstream: {name: petstore, namespace: gloo-system}}}
`;

test('the control plane serves nothing that fails the check: the previous snapshot keeps serving, the Proxy says why', async (t) => {
  let publish: (s: ApiSnapshot) => void = () => {};
  const cache = new SnapshotCache();
  const lines: string[] = [];
  const cp = new ControlPlane({
    source: { start: async (cb) => void (publish = cb), stop: async () => {} },
    cache,
    logger: createLogger({ level: 'error', write: (l) => lines.push(l) }),
  });
  await cp.start();
  const key = 'gloo-system~gateway-proxy';
  publish(snapshotFromYaml(CONFIG('/a'), 'a.yaml'));
  const served = cache.get(key);
  assert.ok(served, 'a valid snapshot is served');
  assert.equal(lines.length, 0);

  // The translator never emits an invalid resource; pretend it did once.
  const real = ProtoChecker.prototype.checkSnapshot;
  const fake: ProtoProblem = { typeUrl: TYPE_URL.listener, resource: 'listener-::-8080', path: 'filter_chains[0].foo', code: 'UNKNOWN_FIELD', message: 'unknown field of envoy.config.listener.v3.FilterChain' };
  ProtoChecker.prototype.checkSnapshot = () => [fake];
  t.after(() => (ProtoChecker.prototype.checkSnapshot = real));
  publish(snapshotFromYaml(CONFIG('/b'), 'b.yaml'));
  assert.equal(cache.get(key), served, 'the previous snapshot keeps serving');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /failed the Envoy proto check/);
  assert.match(lines[0]!, /xDS resource listener listener-::-8080 failed the Envoy proto check: filter_chains\[0\]\.foo: unknown field/);
  const proxy = cp.list('Proxy').find((r) => r.resource.metadata.name === 'gateway-proxy');
  assert.equal(proxy?.own.state, 'Rejected');
  assert.match(proxy?.own.reason ?? '', /xDS resource listener listener-::-8080 failed the Envoy proto check: filter_chains\[0\]\.foo/);

  ProtoChecker.prototype.checkSnapshot = real;
  publish(snapshotFromYaml(CONFIG('/b'), 'b.yaml'));
  assert.notEqual(cache.get(key), served, 'the fixed snapshot is served');
  assert.equal(cp.list('Proxy').find((r) => r.resource.metadata.name === 'gateway-proxy')?.own.state, 'Accepted');
  await cp.stop();
});
