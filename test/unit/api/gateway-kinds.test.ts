/**
 * The gateway.solo.io side of the model loads realistic YAML (the spec's canonical flows and Gloo's
 * doc recipes) with every field typed: VirtualService (routes, options, transformations, TLS),
 * RouteTable, Gateway (HTTP with connection-manager settings and access logs, TCP, hybrid), Proxy and
 * the option/matchable kinds. Bad input is reported at `file:line:column` with the field path;
 * snake_case spellings and enum numbers load; fields gloo-ts does not implement are listed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadResources } from '../../../src/api/load.js';
import { findKind, kindInfo } from '../../../src/api/kinds.js';
import type { Resource } from '../../../src/api/resource.js';
import { loadOk, errorsOf, unsupportedPaths, loadOne } from './load-helpers.js';
import { Transformation } from '../../../src/api/types/transformation.js';


// ---- §7.1 petstore ----------------------------------------------------------------------------------

const PETSTORE_VS = `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata:
  name: default
  namespace: gloo-system
spec:
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{exact: /all-pets}]
      options: {prefixRewrite: /api/pets}
      routeAction: {single: {upstream: {name: default-petstore-8080, namespace: gloo-system}}}
`;

test('§7.1 petstore VirtualService loads with nothing unsupported', () => {
  const vs = loadOne('VirtualService', PETSTORE_VS);
  const route = vs.spec.virtualHost!.routes![0]!;
  assert.deepEqual(route.matchers, [{ exact: '/all-pets' }]);
  assert.equal(route.options?.prefixRewrite, '/api/pets');
  assert.deepEqual(route.routeAction?.single?.upstream, { name: 'default-petstore-8080', namespace: 'gloo-system' });
  assert.deepEqual(vs.unsupported, []);
});

test('§7.7 recipes: timeouts, retries, auto host rewrite, direct response, https redirect', () => {
  const vs = loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: recipes, namespace: gloo-system}
spec:
  virtualHost:
    domains: [example.com, 'example.com:8080', '*.example.org']
    routes:
    - matchers: [{prefix: /posts, headers: [{name: x-env, value: 'prod|stage', regex: true}], queryParameters: [{name: debug}], methods: [GET, POST]}]
      options:
        autoHostRewrite: true
        timeout: 20s
        retries: {retryOn: connect-failure, numRetries: 3, perTryTimeout: 5s, retriable_status_codes: [503, 504], retryBackOff: {baseInterval: 0.025s, maxInterval: 250ms}}
      routeAction: {single: {upstream: {name: json-upstream, namespace: gloo-system}}}
    - matchers: [{exact: /hello}]
      directResponseAction: {status: 200, body: hello}
    - matchers: [{prefix: /old}]
      redirectAction: {httpsRedirect: true, responseCode: PERMANENT_REDIRECT, portRedirect: 8443}
`,
  );
  const [r0, r1, r2] = vs.spec.virtualHost!.routes!;
  assert.deepEqual(r0!.options?.retries, {
    retryOn: 'connect-failure',
    numRetries: 3,
    perTryTimeout: '5s',
    retriableStatusCodes: [503, 504],
    retryBackOff: { baseInterval: '0.025s', maxInterval: '0.25s' },
  });
  assert.equal(r1!.directResponseAction?.status, 200);
  assert.equal(r2!.redirectAction?.responseCode, 'PERMANENT_REDIRECT');
  // Retries are enforced by the gloo-ts data plane: nothing in this recipe is flagged.
  assert.deepEqual(unsupportedPaths(vs), []);
});

// ---- §7.3 transformations -------------------------------------------------------------------------------

const TRANSFORMATIONS_VS = `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: transforms, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    options:
      transformations:
        requestTransformation:
          transformationTemplate:
            extractors:
              foo:
                header: ':path'
                regex: '(.*foo=([^&]*).*)'
                subgroup: 2
              bar:
                header: ':path'
                regex: '(.*bar=([^&]*).*)'
                subgroup: 2
            headers:
              foo: {text: '{{ foo }}'}
              bar:
                text: '{{ bar }}'
        responseTransformation:
          transformationTemplate:
            parseBodyBehavior: ParseAsJson
            headers:
              ':status':
                text: '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}'
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: postman-echo, namespace: gloo-system}}}
      options:
        stagedTransformations:
          inheritTransformation: true
          early:
            requestTransforms:
            - matcher: {prefix: /json, headers: [{name: content-type, value: application/json}]}
              clearRouteCache: true
              requestTransformation:
                transformationTemplate:
                  parseBodyBehavior: DontParse
                  passthrough: {}
                  headersToRemove: [x-internal]
                  headersToAppend: [{key: x-seen, value: {text: 'yes'}}]
                  dynamicMetadataValues: [{key: user, value: {text: '{{ header("x-user") }}'}}]
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  headers: {foo: {text: bar}, content-type: {}, x-empty: }
                  extractors:
                    body: {body: {}, regex: '[\\s\\S]*', mode: REPLACE_ALL, replacementText: 'masked'}
                  mergeJsonKeys:
                    jsonKeys:
                      greeting: {tmpl: {text: '"hi"'}, overrideEmpty: true}
                  escapeCharacters: true
                  spanTransformer: {name: {text: '{{ header(":path") }}'}}
            responseTransforms:
            - matchers: [{name: ':status', value: '404'}]
              responseTransformation:
                headerBodyTransform: {addRequestMetadata: true}
                logRequestResponseInfo: true
`;

test('§7.3 transformation examples load, typed; only the span transformer is not implemented', () => {
  const vs = loadOne('VirtualService', TRANSFORMATIONS_VS);
  const vhOpts = vs.spec.virtualHost!.options!;
  const tmpl = vhOpts.transformations!.requestTransformation!.transformationTemplate!;
  assert.deepEqual(tmpl.extractors!.foo, { header: ':path', regex: '(.*foo=([^&]*).*)', subgroup: 2 });
  assert.deepEqual(tmpl.headers!.bar, { text: '{{ bar }}' });
  const staged = vs.spec.virtualHost!.routes![0]!.options!.stagedTransformations!;
  const early = staged.early!.requestTransforms![0]!;
  assert.equal(early.matcher?.prefix, '/json');
  assert.equal(early.requestTransformation?.transformationTemplate?.parseBodyBehavior, 'DontParse');
  assert.deepEqual(early.requestTransformation?.transformationTemplate?.passthrough, {});
  const regular = staged.regular!.requestTransforms![0]!.requestTransformation!.transformationTemplate!;
  // `content-type: {}` and a bare `x-empty:` both mean "render empty ⇒ remove the header".
  assert.deepEqual(regular.headers, { foo: { text: 'bar' }, 'content-type': {}, 'x-empty': {} });
  assert.equal(regular.extractors!.body!.mode, 'REPLACE_ALL');
  assert.deepEqual(regular.extractors!.body!.body, {});
  assert.equal(regular.mergeJsonKeys!.jsonKeys!.greeting!.overrideEmpty, true);
  assert.deepEqual(unsupportedPaths(vs), [
    'spec.virtualHost.routes[0].options.stagedTransformations.regular.requestTransforms[0].requestTransformation.transformationTemplate.spanTransformer',
  ]);
});

test('an XSLT transformation loads with a note that Gloo removed it in 1.22', () => {
  const vs = loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: xslt}
spec:
  virtualHost:
    options:
      stagedTransformations:
        regular:
          requestTransforms:
          - requestTransformation: {xsltTransformation: {xslt: '<xsl:stylesheet/>', setContentType: text/xml}}
`,
  );
  assert.deepEqual(unsupportedPaths(vs), ['spec.virtualHost.options.stagedTransformations.regular.requestTransforms[0].requestTransformation.xsltTransformation']);
  const t = vs.spec.virtualHost!.options!.stagedTransformations!.regular!.requestTransforms![0]!.requestTransformation!;
  assert.deepEqual(t.xsltTransformation, { xslt: '<xsl:stylesheet/>', setContentType: 'text/xml' });
  assert.match(Transformation.shape.xsltTransformation.supportNote!, /removed from Gloo in 1\.22/);
});

// ---- §7.4 traffic shifting -----------------------------------------------------------------------------

test('§7.4 traffic shifting: weighted destinations with options', () => {
  const vs = loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: canary, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{prefix: /}]
      routeAction:
        multi:
          destinations:
          - destination: {upstream: {name: v1, namespace: gloo-system}}
            weight: 9
          - destination: {upstream: {name: v2, namespace: gloo-system}}
            weight: 1
            options:
              headerManipulation:
                requestHeadersToAdd:
                - header: {key: x-canary, value: 'true'}
                  append: false
                - headerSecretRef: {name: canary-headers, namespace: gloo-system}
                responseHeadersToRemove: [server]
              bufferPerRoute: {buffer: {maxRequestBytes: 1024}}
    - matchers: [{prefix: /group}]
      routeAction: {upstreamGroup: {name: my-service-group, namespace: gloo-system}}
`,
  );
  const dests = vs.spec.virtualHost!.routes![0]!.routeAction!.multi!.destinations!;
  assert.deepEqual(
    dests.map((d) => d.weight),
    [9, 1],
  );
  const hm = dests[1]!.options!.headerManipulation!;
  assert.deepEqual(hm.requestHeadersToAdd![0], { header: { key: 'x-canary', value: 'true' }, append: false });
  assert.deepEqual(hm.requestHeadersToAdd![1], { headerSecretRef: { name: 'canary-headers', namespace: 'gloo-system' } });
  assert.deepEqual(
    unsupportedPaths(vs).filter((p) => p.startsWith('spec.virtualHost.routes[0]')),
    // headerManipulation on weighted destinations is translated to Envoy config (partial: not enforced by
    // the data plane); their filter configs (bufferPerRoute, transformations) are read by the filter chain.
    ['spec.virtualHost.routes[0].routeAction.multi.destinations[1].options.headerManipulation'],
  );
  assert.equal(vs.spec.virtualHost!.routes![1]!.routeAction!.upstreamGroup!.name, 'my-service-group');
});

// ---- §7.5 delegation -----------------------------------------------------------------------------------

const DELEGATION = `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: example, namespace: gloo-system}
spec:
  virtualHost:
    domains: [example.com]
    routes:
    - matchers: [{prefix: /a}]
      delegateAction: {ref: {name: a-routes, namespace: a}}
    - matchers: [{prefix: /b}]
      delegateAction: {ref: {name: b-routes, namespace: b}}
    - matchers: [{prefix: /team}]
      delegateAction:
        selector:
          labels: {team: a}
          namespaces: ['*']
          expressions: [{key: tier, operator: In, values: [gold, silver]}]
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
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: b-routes, namespace: b}
spec:
  weight: 10
  routes:
  - matchers: [{regex: /b/3}]
    routeAction: {single: {upstream: {name: baz-upstream}}}
  - matchers: [{prefix: /b/c/}]
    inheritableMatchers: true
    inheritablePathMatchers: false
    delegateAction: {ref: {name: c-routes, namespace: c}}
---
apiVersion: gateway.solo.io/v1
kind: RouteTable
metadata: {name: c-routes, namespace: c}
spec:
  routes:
  - matchers: [{exact: /b/c/4}]
    routeAction: {single: {upstream: {name: qux-upstream}}}
    optionsConfigRefs: {delegateOptions: [{name: retries, namespace: c}]}
`;

test('§7.5 delegation: VS and RouteTables (ref and selector forms) load', () => {
  const rs = loadOk(DELEGATION);
  assert.deepEqual(
    rs.map((r) => `${r.kind} ${r.metadata.namespace}.${r.metadata.name}`),
    ['VirtualService gloo-system.example', 'RouteTable a.a-routes', 'RouteTable b.b-routes', 'RouteTable c.c-routes'],
  );
  const vs = rs[0] as Resource<'VirtualService'>;
  const sel = vs.spec.virtualHost!.routes![2]!.delegateAction!.selector!;
  assert.deepEqual(sel.expressions, [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }]);
  const b = rs[2] as Resource<'RouteTable'>;
  assert.equal(b.spec.weight, 10);
  assert.equal(b.spec.routes![1]!.inheritableMatchers, true);
  assert.equal(unsupportedPaths(vs).includes('spec.virtualHost.routes[0].delegateAction'), false, 'delegation is implemented');
});

test('a delegateAction with both ref and selector is an error', () => {
  const errs = errorsOf(`apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: both}
spec:
  virtualHost:
    routes:
    - matchers: [{prefix: /a}]
      delegateAction:
        ref: {name: a}
        selector: {labels: {team: a}}
`);
  assert.deepEqual(errs, [
    'bad.yaml:10:9: spec.virtualHost.routes[0].delegateAction.selector: only one of ref, selector may be set (found ref, selector)',
  ]);
});

// ---- TLS --------------------------------------------------------------------------------------------------

const SSL_VS = `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: secure, namespace: gloo-system}
spec:
  sslConfig:
    secretRef: {name: gateway-tls, namespace: gloo-system}
    sniDomains: [secure.example.com]
    alpnProtocols: [h2, http/1.1]
    oneWayTls: true
    parameters:
      minimumProtocolVersion: TLSv1_2
      maximumProtocolVersion: 4
      cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]
      ecdhCurves: [X25519]
    verifySubjectAltName: [client.example.com]
    transportSocketConnectTimeout: 10s
    ocspStaplePolicy: STRICT_STAPLING
  virtualHost:
    domains: [secure.example.com]
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: app, namespace: gloo-system}}}
`;

test('an SSL VirtualService loads; its sslConfig is typed, and only the TLS fields the data plane does not do are reported', () => {
  const vs = loadOne('VirtualService', SSL_VS);
  const ssl = vs.spec.sslConfig!;
  assert.deepEqual(ssl.secretRef, { name: 'gateway-tls', namespace: 'gloo-system' });
  assert.equal(ssl.parameters?.minimumProtocolVersion, 'TLSv1_2');
  assert.equal(ssl.parameters?.maximumProtocolVersion, 'TLSv1_3', 'enum number 4 is TLSv1_3');
  assert.equal(ssl.ocspStaplePolicy, 'STRICT_STAPLING');
  assert.equal(ssl.transportSocketConnectTimeout, '10s');
  assert.deepEqual(unsupportedPaths(vs), ['spec.sslConfig.transportSocketConnectTimeout', 'spec.sslConfig.ocspStaplePolicy']);
  assert.match(vs.unsupported[1]!.note!, /STRICT_STAPLING behaves as LENIENT_STAPLING/);
});

test('sslFiles and sds are alternatives to secretRef', () => {
  loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: files}
spec:
  sslConfig: {sslFiles: {tlsCert: /etc/tls/tls.crt, tlsKey: /etc/tls/tls.key, rootCa: /etc/tls/ca.crt}}
  virtualHost: {domains: ['*']}
`,
  );
  loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: sds}
spec:
  sslConfig:
    sds: {targetUri: '127.0.0.1:8234', clusterName: gateway_proxy_sds, certificatesSecretName: server_cert, validationContextName: validation_context}
  virtualHost: {domains: ['*']}
`,
  );
  const errs = errorsOf(`apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: two}
spec:
  sslConfig:
    secretRef: {name: tls}
    sslFiles: {tlsCert: /a}
`);
  assert.deepEqual(errs, ['bad.yaml:7:5: spec.sslConfig.sslFiles: only one of secretRef, sslFiles, sds may be set (found secretRef, sslFiles)']);
});

// ---- Gateways ------------------------------------------------------------------------------------------

const HTTP_GATEWAY = `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gateway-proxy, namespace: gloo-system}
spec:
  bindAddress: '::'
  bindPort: 8080
  proxyNames: [gateway-proxy]
  useProxyProto: false
  httpGateway:
    virtualServiceNamespaces: ['*']
    options:
      healthCheck: {path: /any-path-you-want}
      grpcWeb: {disable: true}
      gzip: {compressionLevel: BEST, contentLength: 100, contentType: [application/json]}
      buffer: {maxRequestBytes: 65536}
      sanitizeClusterHeader: true
      leftmostXffAddress: true
      router: {suppressEnvoyHeaders: true}
      httpLocalRatelimit: {defaultLimit: {maxTokens: 10, tokensPerFill: 10, fillInterval: 1s}, enableXRatelimitHeaders: true}
      headerValidationSettings: {disableHttp1MethodValidation: {}}
      httpConnectionManagerSettings:
        useRemoteAddress: true
        xffNumTrustedHops: 1
        skipXffAppend: false
        via: gloo
        generateRequestId: true
        proxy_100_continue: true
        accept_http_10: true
        default_host_for_http_10: example.com
        streamIdleTimeout: 30s
        idleTimeout: 1m30s
        requestTimeout: 0s
        requestHeadersTimeout: 500ms
        drainTimeout: 5s
        maxRequestHeadersKb: 96
        serverName: gloo
        stripAnyHostPort: true
        preserveCaseHeaderKeyFormat: true
        forwardClientCertDetails: SANITIZE_SET
        setCurrentClientCertDetails: {subject: true, dns: true}
        headersWithUnderscoresAction: 2
        serverHeaderTransformation: PASS_THROUGH
        pathWithEscapedSlashesAction: UNESCAPE_AND_REDIRECT
        codecType: '2'
        mergeSlashes: true
        normalizePath: true
        maxConnectionDuration: 300s
        maxHeadersCount: 100
        upgrades: [{websocket: {enabled: true}}, {connect: {enabled: false}}]
        uuidRequestIdConfig: {packTraceReason: false}
        http2ProtocolOptions: {maxConcurrentStreams: 100, initialStreamWindowSize: 65536}
        internalAddressConfig: {unixSockets: true, cidrRanges: [{addressPrefix: 10.0.0.0, prefixLen: 8}]}
        appendXForwardedPort: true
        earlyHeaderManipulation:
          headersToAdd: [{header: {key: x-early, value: '%DOWNSTREAM_REMOTE_ADDRESS%'}}]
          headersToRemove: [x-untrusted]
        tracing:
          verbose: true
          requestHeadersForTags: [x-request-id]
          tracePercentages: {clientSamplePercentage: 100, randomSamplePercentage: 10.5}
          zipkinConfig:
            collectorUpstreamRef: {name: zipkin, namespace: gloo-system}
            collectorEndpoint: /api/v2/spans
            trace_id_128bit: true
            collectorEndpointVersion: HTTP_JSON
  options:
    perConnectionBufferLimitBytes: 32768
    socketOptions: [{description: keepalive, level: 1, name: 9, intValue: 1, state: STATE_PREBIND}]
    proxyProtocol: {allowRequestsWithoutProxyProtocol: true}
    accessLoggingService:
      accessLog:
      - fileSink:
          path: /dev/stdout
          stringFormat: ''
      - fileSink:
          path: /dev/stdout
          jsonFormat:
            protocol: '%PROTOCOL%'
            duration: '%DURATION%'
            upstreamCluster: '%UPSTREAM_CLUSTER%'
        filter:
          orFilter:
            filters:
            - statusCodeFilter: {comparison: {op: GE, value: {defaultValue: 400, runtimeKey: access_log.min_status}}}
            - andFilter:
                filters:
                - durationFilter: {comparison: {op: GE, value: {defaultValue: 1000}}}
                - notHealthCheckFilter: {}
            - headerFilter: {header: {name: x-debug, presentMatch: true}}
            - responseFlagFilter: {flags: [UH, UF]}
            - grpcStatusFilter: {statuses: [UNAVAILABLE, 4]}
      - grpcService:
          logName: example
          staticClusterName: access_log_cluster
          additionalRequestHeadersToLog: [x-user]
  routeOptions: {maxDirectResponseBodySizeBytes: 8192, mostSpecificHeaderMutationsWins: true}
`;

test('a Gateway with httpConnectionManagerSettings, listener options and access logs loads', () => {
  const gw = loadOne('Gateway', HTTP_GATEWAY);
  const hcm = gw.spec.httpGateway!.options!.httpConnectionManagerSettings!;
  // proto JSON names with digits, written the snake_case way.
  assert.equal(hcm.proxy100Continue, true);
  assert.equal(hcm.acceptHttp10, true);
  assert.equal(hcm.defaultHostForHttp10, 'example.com');
  assert.equal(hcm.tracing?.zipkinConfig?.traceId128bit, true);
  // durations normalised to proto-JSON text.
  assert.equal(hcm.idleTimeout, '90s');
  assert.equal(hcm.requestTimeout, '0s');
  assert.equal(hcm.requestHeadersTimeout, '0.5s');
  // enums by name, by number and by numeric string.
  assert.equal(hcm.headersWithUnderscoresAction, 'DROP_HEADER');
  assert.equal(hcm.codecType, 'HTTP2');
  assert.equal(hcm.forwardClientCertDetails, 'SANITIZE_SET');
  assert.equal(hcm.earlyHeaderManipulation?.headersToAdd?.[0]?.header?.value, '%DOWNSTREAM_REMOTE_ADDRESS%');
  const logs = gw.spec.options!.accessLoggingService!.accessLog!;
  assert.equal(logs[0]!.fileSink?.stringFormat, '');
  assert.deepEqual(logs[1]!.fileSink?.jsonFormat, { protocol: '%PROTOCOL%', duration: '%DURATION%', upstreamCluster: '%UPSTREAM_CLUSTER%' });
  const or = logs[1]!.filter!.orFilter!.filters!;
  assert.equal(or[0]!.statusCodeFilter?.comparison?.op, 'GE');
  assert.equal(or[1]!.andFilter?.filters?.[0]?.durationFilter?.comparison?.value?.defaultValue, 1000);
  assert.deepEqual(or[4]!.grpcStatusFilter?.statuses, ['UNAVAILABLE', 'DEADLINE_EXCEEDED']);
  assert.deepEqual(unsupportedPaths(gw), [
    'spec.useProxyProto',
    'spec.httpGateway.options.gzip',
    'spec.httpGateway.options.sanitizeClusterHeader',
    'spec.httpGateway.options.leftmostXffAddress',
    'spec.httpGateway.options.router',
    'spec.httpGateway.options.httpLocalRatelimit',
    'spec.httpGateway.options.headerValidationSettings',
    // the settings the data plane honours are not listed; the ones only translated are, one by one.
    'spec.httpGateway.options.httpConnectionManagerSettings.proxy100Continue',
    'spec.httpGateway.options.httpConnectionManagerSettings.acceptHttp10',
    'spec.httpGateway.options.httpConnectionManagerSettings.defaultHostForHttp10',
    'spec.httpGateway.options.httpConnectionManagerSettings.drainTimeout',
    'spec.httpGateway.options.httpConnectionManagerSettings.stripAnyHostPort',
    'spec.httpGateway.options.httpConnectionManagerSettings.preserveCaseHeaderKeyFormat',
    'spec.httpGateway.options.httpConnectionManagerSettings.pathWithEscapedSlashesAction',
    'spec.httpGateway.options.httpConnectionManagerSettings.codecType',
    'spec.httpGateway.options.httpConnectionManagerSettings.mergeSlashes',
    'spec.httpGateway.options.httpConnectionManagerSettings.normalizePath',
    'spec.httpGateway.options.httpConnectionManagerSettings.maxConnectionDuration',
    'spec.httpGateway.options.httpConnectionManagerSettings.maxHeadersCount',
    'spec.httpGateway.options.httpConnectionManagerSettings.upgrades',
    'spec.httpGateway.options.httpConnectionManagerSettings.uuidRequestIdConfig',
    'spec.httpGateway.options.httpConnectionManagerSettings.http2ProtocolOptions',
    'spec.httpGateway.options.httpConnectionManagerSettings.internalAddressConfig',
    'spec.httpGateway.options.httpConnectionManagerSettings.appendXForwardedPort',
    'spec.httpGateway.options.httpConnectionManagerSettings.earlyHeaderManipulation',
    'spec.httpGateway.options.httpConnectionManagerSettings.tracing',
    'spec.options.perConnectionBufferLimitBytes',
    'spec.options.socketOptions',
    'spec.options.proxyProtocol',
    'spec.options.accessLoggingService.accessLog[1].filter',
    'spec.options.accessLoggingService.accessLog[2].grpcService',
    'spec.routeOptions',
  ]);
});

test('access-log filters recurse, and each level checks its oneof', () => {
  const errs = errorsOf(`apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  bindPort: 8080
  httpGateway: {}
  options:
    accessLoggingService:
      accessLog:
      - fileSink: {path: /dev/stdout, stringFormat: x, jsonFormat: {a: b}}
        filter:
          andFilter:
            filters:
            - orFilter:
                filters:
                - statusCodeFilter: {comparison: {op: GREATER}}
                  traceableFilter: {}
`);
  assert.deepEqual(errs, [
    'bad.yaml:10:56: spec.options.accessLoggingService.accessLog[0].fileSink.jsonFormat: only one of stringFormat, jsonFormat may be set (found stringFormat, jsonFormat)',
    'bad.yaml:16:51: spec.options.accessLoggingService.accessLog[0].filter.andFilter.filters[0].orFilter.filters[0].statusCodeFilter.comparison.op: expected one of EQ, GE, LE, got "GREATER"',
  ]);
});

const HYBRID_GATEWAY = `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gateway-proxy-hybrid, namespace: gloo-system}
spec:
  bindAddress: '::'
  bindPort: 8087
  hybridGateway:
    matchedGateways:
    - matcher:
        sourcePrefixRanges: [{addressPrefix: 10.0.0.0, prefixLen: 16}]
      httpGateway:
        virtualServiceSelector: {team: internal}
        options: {healthCheck: {path: /healthz}}
    - matcher:
        sslConfig: {secretRef: {name: db-tls, namespace: gloo-system}, sniDomains: [db.example.com]}
        passthroughCipherSuites: [ECDHE-RSA-AES256-GCM-SHA384]
      tcpGateway:
        tcpHosts:
        - name: db
          destination: {single: {upstream: {name: db, namespace: gloo-system}}}
    - matcher: {}
      httpGateway: {}
`;

test('a hybrid Gateway (matched gateways) loads; TCP and TLS chains are served, only the EE cipher passthrough is reported', () => {
  const gw = loadOne('Gateway', HYBRID_GATEWAY);
  const mg = gw.spec.hybridGateway!.matchedGateways!;
  assert.equal(mg.length, 3);
  assert.deepEqual(mg[0]!.matcher!.sourcePrefixRanges, [{ addressPrefix: '10.0.0.0', prefixLen: 16 }]);
  assert.equal(mg[1]!.tcpGateway!.tcpHosts![0]!.destination!.single!.upstream!.name, 'db');
  assert.deepEqual(unsupportedPaths(gw), ['spec.hybridGateway.matchedGateways[1].matcher.passthroughCipherSuites']);
  assert.match(gw.unsupported[0]!.note!, /EE/);
});

test('a hybrid Gateway delegating to Matchable gateways, and a TCP Gateway, load', () => {
  loadOne(
    'Gateway',
    `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: delegating, namespace: gloo-system}
spec:
  bindPort: 8088
  hybridGateway:
    delegatedHttpGateways:
      selector: {labels: {gateway: shared}, namespaces: [gloo-system]}
      preventChildOverrides: true
      httpConnectionManagerSettings: {useRemoteAddress: true}
      sslConfig: {secretRef: {name: tls, namespace: gloo-system}}
    delegatedTcpGateways:
      ref: {name: tcp-chains, namespace: gloo-system}
`,
  );
  const tcp = loadOne(
    'Gateway',
    `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gateway-tcp, namespace: gloo-system}
spec:
  bindAddress: '::'
  bindPort: 8000
  tcpGateway:
    options:
      tcpProxySettings: {maxConnectAttempts: 3, idleTimeout: 1h, tunnelingConfig: {hostname: 'host.com:443', headersToAdd: [{header: {key: a, value: b}, append: false}]}}
      connectionLimit: {maxActiveConnections: 100, delayBeforeClose: 1s}
      localRatelimit: {maxTokens: 5, tokensPerFill: 1, fillInterval: 10s}
    tcpHosts:
    - name: one
      destination: {multi: {destinations: [{destination: {upstream: {name: a, namespace: gloo-system}}, weight: 1}]}}
    - name: sni
      sslConfig: {sniDomains: [sni.example.com]}
      destination: {forwardSniClusterName: {}}
    - name: group
      destination: {upstreamGroup: {name: g, namespace: gloo-system}}
`,
  );
  assert.equal(tcp.spec.tcpGateway!.options!.tcpProxySettings!.idleTimeout, '3600s');
  // TCP gateways are served: only what the data plane does not do is reported.
  assert.deepEqual(unsupportedPaths(tcp), [
    'spec.tcpGateway.options.tcpProxySettings.tunnelingConfig',
    'spec.tcpGateway.options.connectionLimit',
    'spec.tcpGateway.options.localRatelimit',
  ]);
});

// ---- the option and matchable kinds --------------------------------------------------------------------

test('MatchableHttpGateway, MatchableTcpGateway, VirtualHostOption and RouteOption load; option fields not implemented are listed', () => {
  const rs = loadOk(`apiVersion: gateway.solo.io/v1
kind: MatchableHttpGateway
metadata: {name: internal, namespace: gloo-system, labels: {gateway: shared}}
spec:
  matcher:
    sourcePrefixRanges: [{addressPrefix: 10.0.0.0, prefixLen: 8}]
  httpGateway:
    virtualServices: [{name: default, namespace: gloo-system}]
    options: {httpConnectionManagerSettings: {serverName: internal}}
---
apiVersion: gateway.solo.io/v1
kind: MatchableTcpGateway
metadata: {name: tcp-chains, namespace: gloo-system}
spec:
  matcher: {sslConfig: {sniDomains: [db.example.com]}, passthroughCipherSuites: [AES128-SHA]}
  tcpGateway: {tcpHosts: [{name: db, destination: {single: {upstream: {name: db, namespace: gloo-system}}}}]}
---
apiVersion: gateway.solo.io/v1
kind: VirtualHostOption
metadata: {name: cors, namespace: gloo-system}
spec:
  options:
    cors: {allowOrigin: ['https://example.com'], allowMethods: [GET, POST], maxAge: 1d, allowCredentials: true}
    corsPolicyMergeSettings: {exposeHeaders: UNION}
    stats: {virtualClusters: [{name: pets, pattern: /api/pets/.*, method: GET}]}
    extauth: {configRef: {name: basic-auth, namespace: gloo-system}}
    ratelimitBasic: {anonymousLimits: {requestsPerUnit: 1000, unit: HOUR}, authorizedLimits: {requestsPerUnit: 200, unit: MINUTE}}
    jwtStaged:
      afterExtAuth:
        providers:
          kube:
            issuer: kubernetes/serviceaccount
            jwks: {remote: {url: 'https://issuer/jwks', upstreamRef: {name: issuer, namespace: gloo-system}, cacheDuration: 5m}}
            tokenSource: {headers: [{header: authorization, prefix: 'Bearer '}], queryParams: [token]}
            claimsToHeaders: [{claim: sub, header: x-sub}]
        validationPolicy: ALLOW_MISSING
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: http}]
---
apiVersion: gateway.solo.io/v1
kind: RouteOption
metadata: {name: retries, namespace: c}
spec:
  options:
    timeout: 10s
    retries: {retryOn: 5xx, numRetries: 2}
    faults: {abort: {percentage: 2.5, httpStatus: 503}, delay: {percentage: 50, fixedDelay: 1s}}
    ratelimit:
      rateLimits:
      - actions: [{requestHeaders: {descriptorKey: type, headerName: x-type}}, {genericKey: {descriptorValue: counter}}]
    jwt: {disable: true}
    rbac: {policies: {viewer: {principals: [{jwtPrincipal: {claims: {role: viewer}, matcher: LIST_CONTAINS}}], permissions: {pathPrefix: /view, methods: [GET]}}}}
    dlp: {actions: [{actionType: SSN}, {customAction: {name: test, regex: [hello], maskChar: Y, percent: {value: 60}}}], enabledFor: ALL}
    waf: {customInterventionMessage: blocked, coreRuleSet: {customSettingsString: 'SecRuleEngine On'}, ruleSets: [{ruleStr: 'SecRuleEngine On'}], auditLogging: {action: RELEVANT_ONLY, location: DYNAMIC_METADATA}}
    csrf: {filterEnabled: {defaultValue: {numerator: 100, denominator: HUNDRED}}, additionalOrigins: [{exact: allowThisOne.solo.io}]}
    shadowing: {upstream: {name: shadow, namespace: gloo-system}, percentage: 10}
    lbHash: {hashPolicies: [{header: x-user, terminal: true}, {cookie: {name: session, ttl: 1h}}, {sourceIp: true}]}
    upgrades: [{websocket: {enabled: true}}]
    envoyMetadata: {envoy.lb: {canary: true}}
    tracing: {routeDescriptor: pets, propagate: true}
    maxStreamDuration: {maxStreamDuration: 60s, grpcTimeoutHeaderMax: 30s}
    idleTimeout: 5m
    regexRewrite: {pattern: {regex: '^/api/(.*)$'}, substitution: '/\\1'}
    extProc: {overrides: {processingMode: {requestHeaderMode: SKIP, responseBodyMode: BUFFERED}}}
    ai: {anything: goes}
`);
  assert.deepEqual(
    rs.map((r) => r.kind),
    ['MatchableHttpGateway', 'MatchableTcpGateway', 'VirtualHostOption', 'RouteOption'],
  );
  assert.deepEqual(unsupportedPaths(rs[0]!), ['spec.matcher', 'spec.httpGateway']);
  assert.deepEqual(unsupportedPaths(rs[2]!), [
    'spec.options.cors',
    'spec.options.corsPolicyMergeSettings',
    'spec.options.stats',
    'spec.options.extauth',
    'spec.options.ratelimitBasic',
    'spec.options.jwtStaged',
    'spec.targetRefs',
  ]);
  assert.deepEqual(
    unsupportedPaths(rs[3]!),
    // retries, shadowing, idleTimeout, maxStreamDuration and faults are enforced by the data plane: not flagged.
    ['ratelimit', 'jwt', 'rbac', 'dlp', 'waf', 'csrf', 'upgrades', 'envoyMetadata', 'tracing', 'extProc', 'ai'].map((f) => `spec.options.${f}`),
  );
  const ro = rs[3] as Resource<'RouteOption'>;
  assert.equal(ro.spec.options?.dlp?.actions?.[1]?.actionType, undefined);
  assert.equal(ro.spec.options?.csrf?.filterEnabled?.defaultValue?.denominator, 'HUNDRED');
  const vho = rs[2] as Resource<'VirtualHostOption'>;
  assert.equal(vho.spec.options?.ratelimitBasic?.anonymousLimits?.unit, 'HOUR');
  assert.equal(vho.spec.options?.jwtStaged?.afterExtAuth?.providers?.kube?.jwks?.remote?.cacheDuration, '300s');
});

test('the new kinds are registered with their plural and short names', () => {
  for (const [name, kind] of [
    ['httpgateways', 'MatchableHttpGateway'],
    ['hgw', 'MatchableHttpGateway'],
    ['tcpgateways', 'MatchableTcpGateway'],
    ['tgw', 'MatchableTcpGateway'],
    ['virtualhostoptions', 'VirtualHostOption'],
    ['vhopts', 'VirtualHostOption'],
    ['vho', 'VirtualHostOption'],
    ['routeoptions', 'RouteOption'],
    ['rtopts', 'RouteOption'],
    ['rto', 'RouteOption'],
  ] as const) {
    assert.equal(findKind(name)?.kind, kind, name);
  }
  assert.equal(kindInfo('RouteOption').apiVersion, 'gateway.solo.io/v1');
  assert.equal(kindInfo('MatchableTcpGateway').statusModel, 'namespaced');
});

test('flat form: a RouteOption in Gloo\'s directory layout', () => {
  const r = loadResources(
    `metadata: {name: timeouts}
options: {timeout: 3s}
`,
    'routeoptions/team-a/timeouts.yaml',
    { kind: kindInfo('RouteOption'), namespace: 'team-a' },
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.resources[0]!.metadata.namespace, 'team-a');
  assert.deepEqual(r.resources[0]!.unsupported.map((u) => u.path), [], 'RouteOption options are supported');
});

// ---- Proxy -----------------------------------------------------------------------------------------------

test('a Proxy with http, tcp, hybrid and aggregate listeners loads', () => {
  const px = loadOne(
    'Proxy',
    `apiVersion: gloo.solo.io/v1
kind: Proxy
metadata: {name: gateway-proxy, namespace: gloo-system}
spec:
  listeners:
  - name: listener-::-8080
    bindAddress: '::'
    bindPort: 8080
    httpListener:
      statPrefix: http
      options: {healthCheck: {path: /healthz}}
      virtualHosts:
      - name: gloo-system.default
        domains: ['*']
        routes:
        - matchers: [{prefix: /}]
          routeAction: {single: {upstream: {name: a, namespace: gloo-system}}}
    options: {perConnectionBufferLimitBytes: 1024}
    routeOptions: {maxDirectResponseBodySizeBytes: 4096}
  - name: listener-::-8443
    bindAddress: '::'
    bindPort: 8443
    sslConfigurations: [{secretRef: {name: tls, namespace: gloo-system}, sniDomains: [a.com]}]
    aggregateListener:
      httpResources:
        virtualHosts:
          vh1: {name: vh1, domains: [a.com]}
        httpOptions:
          opts1: {httpConnectionManagerSettings: {serverName: a}}
      httpFilterChains:
      - matcher: {sslConfig: {sniDomains: [a.com]}}
        httpOptionsRef: opts1
        virtualHostRefs: [vh1]
  - name: listener-::-8000
    bindAddress: '::'
    bindPort: 8000
    tcpListener:
      statPrefix: tcp
      tcpHosts: [{name: db, destination: {single: {upstream: {name: db, namespace: gloo-system}}}}]
  - name: listener-::-8087
    bindAddress: '::'
    bindPort: 8087
    hybridListener:
      matchedListeners:
      - matcher: {sourcePrefixRanges: [{addressPrefix: 10.0.0.0, prefixLen: 8}], destinationPort: 8087}
        httpListener: {virtualHosts: []}
`,
  );
  assert.equal(px.spec.listeners!.length, 4);
  assert.deepEqual(unsupportedPaths(px), [
    'spec.listeners[0].options.perConnectionBufferLimitBytes',
    'spec.listeners[0].routeOptions',
    'spec.listeners[1].aggregateListener',
    'spec.listeners[3].hybridListener.matchedListeners[0].matcher.destinationPort',
  ]);
});

// ---- bad input -----------------------------------------------------------------------------------------

test('wrong types, unknown fields, bad enums and two oneof members are errors at file:line:column', () => {
  const errs = errorsOf(
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: bad, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    options:
      corss: {allowOrigin: ['*']}
      retries: {numRetries: -1, perTryTimeout: soon}
    routes:
    - matchers: [{prefix: /a, exact: /a}]
      options:
        hostRewrite: a.com
        autoHostRewrite: true
        stagedTransformations:
          regular:
            requestTransforms:
            - requestTransformation:
                transformationTemplate:
                  parseBodyBehavior: ParseAsXml
                  body: {text: x}
                  passthrough: {}
                  extractors:
                    id: {header: ':path', regex: '.*', subgroup: one}
      redirectAction: {responseCode: MOVED}
`,
    'vs.yaml',
  );
  assert.deepEqual(errs, [
    'vs.yaml:8:7: spec.virtualHost.options.corss: unknown field "corss"',
    'vs.yaml:9:17: spec.virtualHost.options.retries.numRetries: -1 is out of range for uint32 (0..4294967295)',
    'vs.yaml:9:33: spec.virtualHost.options.retries.perTryTimeout: expected a duration such as "15s", "0.5s" or "500ms", got "soon"',
    'vs.yaml:11:31: spec.virtualHost.routes[0].matchers[0].exact: only one of prefix, exact, regex, connectMatcher may be set (found prefix, exact)',
    'vs.yaml:20:19: spec.virtualHost.routes[0].options.stagedTransformations.regular.requestTransforms[0].requestTransformation.transformationTemplate.parseBodyBehavior: expected one of ParseAsJson, DontParse, got "ParseAsXml"',
    'vs.yaml:24:56: spec.virtualHost.routes[0].options.stagedTransformations.regular.requestTransforms[0].requestTransformation.transformationTemplate.extractors.id.subgroup: expected an integer (uint32), got string',
    'vs.yaml:22:19: spec.virtualHost.routes[0].options.stagedTransformations.regular.requestTransforms[0].requestTransformation.transformationTemplate.passthrough: only one of body, passthrough, mergeExtractorsToBody, mergeJsonKeys may be set (found body, passthrough)',
    'vs.yaml:14:9: spec.virtualHost.routes[0].options.autoHostRewrite: only one of hostRewrite, autoHostRewrite, hostRewritePathRegex, hostRewriteHeader may be set (found hostRewrite, autoHostRewrite)',
    'vs.yaml:25:24: spec.virtualHost.routes[0].redirectAction.responseCode: expected one of MOVED_PERMANENTLY, FOUND, SEE_OTHER, TEMPORARY_REDIRECT, PERMANENT_REDIRECT, got "MOVED"',
  ]);
});

test('errors in Gateway listener options and HCM settings name the field', () => {
  const errs = errorsOf(`apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  bindPort: '8080x'
  httpGateway:
    options:
      httpConnectionManagerSettings:
        codecType: HTTP3
        properCaseHeaderKeyFormat: true
        preserveCaseHeaderKeyFormat: true
        xff_num_trusted_hops: two
      healthcheck: {path: /}
  routeOptions: {maxDirectResponseBodySizeBytes: 1.5}
`);
  assert.deepEqual(errs, [
    'bad.yaml:5:3: spec.bindPort: expected an integer (uint32), got string',
    'bad.yaml:9:9: spec.httpGateway.options.httpConnectionManagerSettings.codecType: expected one of AUTO, HTTP1, HTTP2, got "HTTP3"',
    'bad.yaml:12:9: spec.httpGateway.options.httpConnectionManagerSettings.xff_num_trusted_hops: expected an integer (uint32), got string',
    'bad.yaml:11:9: spec.httpGateway.options.httpConnectionManagerSettings.preserveCaseHeaderKeyFormat: only one of properCaseHeaderKeyFormat, preserveCaseHeaderKeyFormat may be set (found properCaseHeaderKeyFormat, preserveCaseHeaderKeyFormat)',
    'bad.yaml:13:7: spec.httpGateway.options.healthcheck: unknown field "healthcheck"',
    'bad.yaml:14:18: spec.routeOptions.maxDirectResponseBodySizeBytes: expected an integer (uint32), got 1.5',
  ]);
});

test('a gateway without a gateway type loads (the translator rejects it), two types do not', () => {
  const errs = errorsOf(`apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  bindPort: 8080
  httpGateway: {}
  tcpGateway: {}
`);
  assert.deepEqual(errs, ['bad.yaml:7:3: spec.tcpGateway: only one of httpGateway, tcpGateway, hybridGateway may be set (found httpGateway, tcpGateway)']);
});

// ---- spellings and enum numbers ----------------------------------------------------------------------

test('snake_case proto field names load everywhere, including digit names like proxy_100_continue', () => {
  const vs = loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: snake}
spec:
  display_name: Snake
  ssl_config:
    secret_ref: {name: tls, namespace: gloo-system}
    sni_domains: [a.com]
    one_way_tls: true
    parameters: {minimum_protocol_version: TLSv1_2, cipher_suites: [AES128-SHA]}
  virtual_host:
    options:
      header_manipulation:
        request_headers_to_add: [{header: {key: a, value: b}}]
        response_headers_to_remove: [server]
      cors_policy_merge_settings: {expose_headers: UNION}
      include_request_attempt_count: true
    routes:
    - matchers: [{prefix: /, case_sensitive: false, query_parameters: [{name: q}]}]
      inheritable_path_matchers: true
      route_action: {single: {upstream: {name: a}}}
      options:
        prefix_rewrite: /x
        auto_host_rewrite: true
        retries: {retry_on: 5xx, num_retries: 2, per_try_timeout: 1s, retriable_status_codes: [503], rate_limited_retry_back_off: {reset_headers: [{name: retry-after, format: UNIX_TIMESTAMP}]}}
        staged_transformations:
          regular:
            request_transforms:
            - request_transformation:
                transformation_template:
                  parse_body_behavior: DontParse
                  headers_to_append: [{key: a, value: {text: b}}]
                  dynamic_metadata_values: [{metadata_namespace: ns, key: k, value: {text: v}, json_to_proto: true}]
                  merge_extractors_to_body: {}
`,
  );
  const route = vs.spec.virtualHost!.routes![0]!;
  assert.equal(vs.spec.displayName, 'Snake');
  assert.deepEqual(vs.spec.sslConfig?.sniDomains, ['a.com']);
  assert.equal(vs.spec.sslConfig?.parameters?.minimumProtocolVersion, 'TLSv1_2');
  assert.equal(route.matchers![0]!.caseSensitive, false);
  assert.equal(route.options?.prefixRewrite, '/x');
  assert.equal(route.options?.retries?.rateLimitedRetryBackOff?.resetHeaders?.[0]?.format, 'UNIX_TIMESTAMP');
  const tmpl = route.options!.stagedTransformations!.regular!.requestTransforms![0]!.requestTransformation!.transformationTemplate!;
  assert.equal(tmpl.dynamicMetadataValues![0]!.jsonToProto, true);
  assert.deepEqual(tmpl.mergeExtractorsToBody, {});
  assert.equal(vs.spec.virtualHost!.options!.corsPolicyMergeSettings!.exposeHeaders, 'UNION');

  const gw = loadOne(
    'Gateway',
    `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: snake-gw}
spec:
  bind_address: '::'
  bind_port: 8080
  proxy_names: [gateway-proxy]
  http_gateway:
    virtual_service_namespaces: ['*']
    options:
      http_connection_manager_settings:
        proxy_100_continue: true
        accept_http_10: true
        default_host_for_http_10: a.com
        http2_protocol_options: {max_concurrent_streams: 10, override_stream_error_on_invalid_http_message: true}
        xff_num_trusted_hops: 2
        max_request_headers_kb: 60
        tracing: {zipkin_config: {cluster_name: zipkin, collector_endpoint: /api/v2/spans, trace_id_128bit: true}}
      header_validation_settings: {disable_http1_method_validation: {}}
      http_local_ratelimit: {default_limit: {max_tokens: 1, tokens_per_fill: 1, fill_interval: 1s}, local_rate_limit_per_downstream_connection: true}
  options:
    per_connection_buffer_limit_bytes: 1024
    access_logging_service: {access_log: [{file_sink: {path: /dev/stdout, json_format: {a: '%PROTOCOL%'}}}]}
`,
  );
  const hcm = gw.spec.httpGateway!.options!.httpConnectionManagerSettings!;
  assert.equal(gw.spec.bindPort, 8080);
  assert.equal(hcm.proxy100Continue, true);
  assert.equal(hcm.acceptHttp10, true);
  assert.equal(hcm.defaultHostForHttp10, 'a.com');
  assert.equal(hcm.http2ProtocolOptions?.maxConcurrentStreams, 10);
  assert.equal(hcm.tracing?.zipkinConfig?.traceId128bit, true);
  assert.deepEqual(gw.spec.httpGateway!.options!.headerValidationSettings, { disableHttp1MethodValidation: {} });
  assert.equal(gw.spec.options!.accessLoggingService!.accessLog![0]!.fileSink!.path, '/dev/stdout');
});

test('the camelCase spelling of digit names loads too, and one field spelled twice is an error', () => {
  const gw = loadOne(
    'Gateway',
    `apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: camel}
spec:
  httpGateway:
    options:
      httpConnectionManagerSettings: {proxy100Continue: true, acceptHttp10: true, defaultHostForHttp10: a.com}
`,
  );
  assert.equal(gw.spec.httpGateway!.options!.httpConnectionManagerSettings!.acceptHttp10, true);
  const errs = errorsOf(`apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: twice}
spec:
  httpGateway:
    options:
      httpConnectionManagerSettings:
        proxy100Continue: true
        proxy_100_continue: false
`);
  assert.deepEqual(errs, [
    'bad.yaml:9:9: spec.httpGateway.options.httpConnectionManagerSettings.proxy_100_continue: field "proxy100Continue" is set twice (as "proxy100Continue" and "proxy_100_continue")',
  ]);
});

test('enum numbers map to names in proto order', () => {
  const vs = loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: nums}
spec:
  sslConfig: {ocspStaplePolicy: 2, parameters: {minimumProtocolVersion: 0, maximumProtocolVersion: '3'}}
  virtualHost:
    options:
      corsPolicyMergeSettings: {exposeHeaders: 1}
      ratelimitBasic: {anonymousLimits: {unit: 3, requestsPerUnit: 10}}
      jwt: {validationPolicy: 2}
      dlp: {actions: [{actionType: 7}], enabledFor: 1}
    routes:
    - redirectAction: {responseCode: 1, hostRedirect: a.com}
      options:
        transformations:
          requestTransformation:
            transformationTemplate:
              parseBodyBehavior: 1
              extractors: {a: {header: x, regex: '.*', mode: 2}}
        retries: {rateLimitedRetryBackOff: {resetHeaders: [{name: r, format: 1}]}}
`,
  );
  const ssl = vs.spec.sslConfig!;
  assert.equal(ssl.ocspStaplePolicy, 'MUST_STAPLE');
  assert.equal(ssl.parameters?.minimumProtocolVersion, 'TLS_AUTO');
  assert.equal(ssl.parameters?.maximumProtocolVersion, 'TLSv1_2');
  const o = vs.spec.virtualHost!.options!;
  assert.equal(o.corsPolicyMergeSettings?.exposeHeaders, 'UNION');
  assert.equal(o.ratelimitBasic?.anonymousLimits?.unit, 'HOUR');
  assert.equal(o.jwt?.validationPolicy, 'ALLOW_MISSING_OR_FAILED');
  assert.equal(o.dlp?.actions?.[0]?.actionType, 'DINERS_CLUB');
  assert.equal(o.dlp?.enabledFor, 'ACCESS_LOGS');
  const r = vs.spec.virtualHost!.routes![0]!;
  assert.equal(r.redirectAction?.responseCode, 'FOUND');
  const t = r.options!.transformations!.requestTransformation!.transformationTemplate!;
  assert.equal(t.parseBodyBehavior, 'DontParse');
  assert.equal(t.extractors!.a!.mode, 'REPLACE_ALL');
  assert.equal(r.options!.retries!.rateLimitedRetryBackOff!.resetHeaders![0]!.format, 'UNIX_TIMESTAMP');
  const bad = errorsOf(`apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: nums}
spec:
  sslConfig: {ocspStaplePolicy: 3}
`);
  assert.deepEqual(bad, ['bad.yaml:5:15: spec.sslConfig.ocspStaplePolicy: expected one of LENIENT_STAPLING, STRICT_STAPLING, MUST_STAPLE, got 3']);
});

test('unsupported fields are listed once, at the outermost unsupported field, with notes', () => {
  const vs = loadOne(
    'VirtualService',
    `apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: listed}
spec:
  virtualHost:
    optionsConfigRefs: {delegateOptions: [{name: shared, namespace: gloo-system}]}
    options:
      cors: {allowOrigin: ['*']}
      headerManipulation: {requestHeadersToRemove: [x-a]}
    routes:
    - matchers: [{prefix: /, headers: [{name: x, invertMatch: true}]}]
      routeAction: {single: {upstream: {name: a}, subset: {values: {version: v1}}}}
      options:
        timeout: 1s
        cors: {disableForRoute: true}
        faults: {abort: {percentage: 1, httpStatus: 500}}
        envoyMetadata: {envoy.lb: {x: 1}}
        jwtStaged: {beforeExtAuth: {disable: true}}
`,
  );
  assert.deepEqual(
    vs.unsupported.map((u) => `${u.path} [${u.level}] ${u.note}`),
    [
      'spec.virtualHost.options.cors [partial] translated to Envoy config; not enforced by the gloo-ts data plane yet',
      // headerManipulation (with %VAR% formatters) is enforced by the data plane: not listed.
      // subset is translated to metadata_match and enforced by the data plane's subset balancer: not listed.
      'spec.virtualHost.routes[0].options.cors [partial] translated to Envoy config; not enforced by the gloo-ts data plane yet',
      // faults are enforced by the data plane's fault filter: not listed.
      'spec.virtualHost.routes[0].options.envoyMetadata [partial] translated to Envoy config; not enforced by the gloo-ts data plane yet',
      'spec.virtualHost.routes[0].options.jwtStaged [no] jwtStaged is not implemented yet; the field is ignored',
    ],
  );
});
