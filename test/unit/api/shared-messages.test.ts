/**
 * A protobuf message that several kinds use is defined once: wherever it appears, its fields are the
 * same schema objects (a use site may re-mark the message itself, e.g. `X.notYet(note)`, which clones
 * the message but keeps its field definitions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArraySchema, MapSchema, ObjectSchema, type Schema, type Shape } from '../../../src/api/schema.js';
import { SettingsSpec } from '../../../src/api/kinds/settings.js';
import { RateLimitConfigSpec } from '../../../src/api/kinds/rate-limit-config.js';
import { ProxySpec } from '../../../src/api/kinds/proxy.js';
import { UpstreamSpec } from '../../../src/api/kinds/upstream.js';
import { VirtualHost } from '../../../src/api/kinds/virtual-service.js';
import { HttpListenerOptions } from '../../../src/api/types/listener.js';
import { HeaderManipulation, RouteOptions } from '../../../src/api/types/options.js';
import { GatewayRoute, ProxyRoute } from '../../../src/api/types/route.js';

/** The schema at `path` below `root`: object fields by name, `[]` for a list item, `{}` for a map value. */
function at(root: Schema<unknown>, ...path: string[]): Schema<unknown> {
  let s = root;
  for (const step of path) {
    if (step === '[]') {
      assert.ok(s instanceof ArraySchema, `${step}: not a list`);
      s = s.item as Schema<unknown>;
    } else if (step === '{}') {
      assert.ok(s instanceof MapSchema, `${step}: not a map`);
      s = s.value as Schema<unknown>;
    } else {
      assert.ok(s instanceof ObjectSchema, `${step}: not an object`);
      const next = (s.shape as Shape)[step];
      assert.ok(next, `no field ${step}`);
      s = next as Schema<unknown>;
    }
  }
  return s;
}

/** The field definitions of the message at `path`. */
function fieldsAt(root: Schema<unknown>, ...path: string[]): Shape {
  const s = at(root, ...path);
  assert.ok(s instanceof ObjectSchema, `${path.join('.')}: not an object`);
  return s.shape as Shape;
}

test('Settings and HttpListenerOptions share the ext-auth, rate-limit server and ext_proc settings', () => {
  assert.equal(fieldsAt(SettingsSpec, 'extauth'), fieldsAt(HttpListenerOptions, 'extauth'));
  assert.equal(fieldsAt(SettingsSpec, 'namedExtauth', '{}'), fieldsAt(HttpListenerOptions, 'extauth'));
  assert.equal(fieldsAt(SettingsSpec, 'ratelimitServer'), fieldsAt(HttpListenerOptions, 'ratelimitServer'));
  assert.equal(fieldsAt(SettingsSpec, 'extProc'), fieldsAt(HttpListenerOptions, 'extProc'));
  assert.equal(
    fieldsAt(SettingsSpec, 'extProc', 'filterStage'),
    fieldsAt(ProxySpec, 'listeners', '[]', 'httpListener', 'customHttpFilters', '[]', 'filterStage'),
  );
});

test('RateLimitConfig and route options share the rate-limit actions and limits', () => {
  assert.equal(
    fieldsAt(RateLimitConfigSpec, 'raw', 'rateLimits', '[]'),
    fieldsAt(RouteOptions, 'ratelimit', 'rateLimits', '[]'),
  );
  assert.equal(
    fieldsAt(RateLimitConfigSpec, 'raw', 'setDescriptors', '[]', 'rateLimit'),
    fieldsAt(RouteOptions, 'ratelimitBasic', 'authorizedLimits'),
  );
});

test('health checks and route header manipulation share HeaderValueOption', () => {
  // Both are translated copies (translatedCopy) of the one definition: same fields, in the same order.
  const hc = fieldsAt(UpstreamSpec, 'healthChecks', '[]', 'httpHealthCheck', 'requestHeadersToAdd', '[]');
  const hm = fieldsAt(HeaderManipulation, 'requestHeadersToAdd', '[]');
  assert.deepEqual(Object.keys(hc), Object.keys(hm));
  assert.deepEqual(Object.keys(fieldsAt(UpstreamSpec, 'healthChecks', '[]', 'httpHealthCheck', 'requestHeadersToAdd', '[]', 'header')), Object.keys(fieldsAt(HeaderManipulation, 'requestHeadersToAdd', '[]', 'header')));
});

test('Settings and consul upstreams share the consul QueryOptions', () => {
  assert.equal(fieldsAt(SettingsSpec, 'consulDiscovery', 'queryOptions'), fieldsAt(UpstreamSpec, 'consul', 'queryOptions'));
});

test('Proxy routes carry the SourceMetadata of listeners; a route\'s sources stay "not yet"', () => {
  const listenerSources = at(ProxySpec, 'listeners', '[]', 'metadataStatic', 'sources');
  const routeSources = at(ProxyRoute, 'metadataStatic', 'sources');
  assert.equal(at(routeSources, '[]'), at(listenerSources, '[]'));
  assert.equal(listenerSources.support, 'supported');
  assert.equal(routeSources.support, 'no');
});

test('routes and virtual hosts share DelegateOptionsRefs', () => {
  assert.equal(fieldsAt(VirtualHost, 'optionsConfigRefs'), fieldsAt(GatewayRoute, 'optionsConfigRefs'));
});
