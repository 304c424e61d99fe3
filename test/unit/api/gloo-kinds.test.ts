/**
 * The gloo.solo.io / enterprise / ratelimit kinds load realistic YAML (Gloo's own doc examples) with
 * every field typed: Upstream (all types and sub-trees), UpstreamGroup, Settings, AuthConfig and
 * RateLimitConfig; bad input is reported at `file:line:column` with the field path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadResources, formatLoadError } from '../../../src/api/load.js';
import { kindInfo } from '../../../src/api/kinds.js';
import type { Resource } from '../../../src/api/resource.js';
import { loadOk, errorsOf, unsupportedPaths } from './load-helpers.js';


// §7.1: the petstore upstream as discovery (UDS + FDS) writes it.
const PETSTORE = `apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  labels:
    discovered_by: kubernetesplugin
  name: default-petstore-8080
  namespace: gloo-system
spec:
  discoveryMetadata:
    labels:
      service: petstore
  kube:
    selector:
      app: petstore
    serviceName: petstore
    serviceNamespace: default
    servicePort: 8080
    serviceSpec:
      rest:
        swaggerInfo:
          url: http://petstore.default.svc.cluster.local:8080/swagger.json
        transformations:
          addPet:
            body:
              text: '{"id": {{ default(id, "") }},"name": "{{ default(name, "")}}","tag": "{{ default(tag, "")}}"}'
            headers:
              :method:
                text: POST
              :path:
                text: /api/pets
              content-type:
                text: application/json
          deletePet:
            headers:
              :method:
                text: DELETE
              :path:
                text: /api/pets/{{ default(id, "") }}
          findPetById:
            body: {}
            headers:
              :method:
                text: GET
              :path:
                text: /api/pets/{{ default(id, "") }}
              content-length:
                text: "0"
              content-type: {}
              transfer-encoding: {}
          findPets:
            body: {}
            headers:
              :method:
                text: GET
              :path:
                text: /api/pets?tags={{default(tags, "")}}&limit={{default(limit, "")}}
              content-length:
                text: "0"
              content-type: {}
              transfer-encoding: {}
status:
  statuses:
    gloo-system:
      reportedBy: gloo
      state: 1
`;

test('§7.1 discovered petstore upstream with REST functions loads', () => {
  const [us] = loadOk(PETSTORE) as Resource<'Upstream'>[];
  assert.ok(us);
  assert.equal(us.kind, 'Upstream');
  assert.equal(us.metadata.name, 'default-petstore-8080');
  const kube = us.spec.kube!;
  assert.equal(kube.serviceName, 'petstore');
  assert.equal(kube.servicePort, 8080);
  assert.deepEqual(kube.selector, { app: 'petstore' });
  const rest = kube.serviceSpec!.rest!;
  assert.equal(rest.swaggerInfo!.url, 'http://petstore.default.svc.cluster.local:8080/swagger.json');
  assert.deepEqual(Object.keys(rest.transformations!).sort(), ['addPet', 'deletePet', 'findPetById', 'findPets']);
  const findPets = rest.transformations!.findPets!;
  assert.equal(findPets.headers![':path']!.text, '/api/pets?tags={{default(tags, "")}}&limit={{default(limit, "")}}');
  assert.deepEqual(findPets.headers!['content-type'], {});
  assert.equal(rest.transformations!.addPet!.headers![':method']!.text, 'POST');
  // kube upstreams are typed but not implemented: reported once, at the top of the sub-tree.
  assert.deepEqual(unsupportedPaths(us), ['spec.kube']);
});

// §2.2.6 doc example, on a static upstream; plus outlier detection in both spellings.
test('§2.2.6 healthChecks doc example and outlierDetection load; snake_case proto names work', () => {
  const [us] = loadOk(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: json-upstream, namespace: gloo-system}
spec:
  static:
    hosts:
    - addr: jsonplaceholder.typicode.com
      port: 80
  healthChecks:
  - healthyThreshold: 1
    unhealthyThreshold: 1
    interval: 30s
    timeout: 10s
    httpHealthCheck:
      path: /check/healthz
      expectedStatuses: [{start: 200, end: 300}]
      method: GET
  - timeout: 1s
    interval: 5s
    tcp_health_check:
      send: {text: "50494e47"}
      receive: [{text: "504f4e47"}]
  outlier_detection:
    consecutive_5xx: 3
    enforcing_consecutive_5xx: 100
    interval: 10s
    base_ejection_time: 30s
    maxEjectionPercent: 10
  load_balancer_config:
    healthyPanicThreshold: 50
    ringHash:
      ringHashConfig: {minimumRingSize: 1024, maximum_ring_size: "8388608"}
  circuit_breakers: {maxConnections: 100, max_pending_requests: 10, trackRemaining: true}
  connectionConfig:
    connectTimeout: 5s
    maxRequestsPerConnection: 1
    tcpKeepalive: {keepaliveProbes: 3, keepaliveTime: 60s, keepaliveInterval: 10s}
    perConnectionBufferLimitBytes: 1048576
    commonHttpProtocolOptions: {idleTimeout: 1h, headersWithUnderscoresAction: DROP_HEADER}
    http1ProtocolOptions: {enableTrailers: true, properCaseHeaderKeyFormat: true}
  protocolSelection: USE_DOWNSTREAM_PROTOCOL
  useHttp2: true
  proxyProtocolVersion: V2
  preconnectPolicy: {perUpstreamPreconnectRatio: 1.5}
  httpConnectHeaders: [{key: x-tunnel, value: "1"}]
`) as Resource<'Upstream'>[];
  assert.ok(us);
  const [http, tcp] = us.spec.healthChecks!;
  assert.equal(http!.interval, '30s');
  assert.equal(http!.timeout, '10s');
  assert.equal(http!.healthyThreshold, 1);
  assert.equal(http!.httpHealthCheck!.path, '/check/healthz');
  assert.equal(http!.httpHealthCheck!.method, 'GET');
  assert.equal(tcp!.tcpHealthCheck!.send!.text, '50494e47');
  const od = us.spec.outlierDetection!;
  assert.equal(od.consecutive5xx, 3);
  assert.equal(od.enforcingConsecutive5xx, 100);
  assert.equal(od.baseEjectionTime, '30s');
  assert.equal(us.spec.loadBalancerConfig!.ringHash!.ringHashConfig!.maximumRingSize, 8388608);
  assert.equal(us.spec.circuitBreakers!.maxPendingRequests, 10);
  assert.equal(us.spec.connectionConfig!.commonHttpProtocolOptions!.idleTimeout, '3600s');
  assert.equal(us.spec.protocolSelection, 'USE_DOWNSTREAM_PROTOCOL');
  assert.deepEqual(unsupportedPaths(us).sort(), [
    'spec.circuitBreakers.trackRemaining',
    'spec.connectionConfig.commonHttpProtocolOptions.headersWithUnderscoresAction',
    'spec.connectionConfig.http1ProtocolOptions.enableTrailers',
    'spec.connectionConfig.http1ProtocolOptions.properCaseHeaderKeyFormat',
    'spec.connectionConfig.tcpKeepalive.keepaliveInterval',
    'spec.connectionConfig.tcpKeepalive.keepaliveProbes',
    'spec.httpConnectHeaders',
    'spec.preconnectPolicy',
    'spec.protocolSelection',
    'spec.proxyProtocolVersion',
  ]);
  assert.match(us.unsupported.find((u) => u.path === 'spec.httpConnectHeaders')!.note!, /httpConnectHeaders is not implemented yet; the field is ignored/);
});

test('both spellings of one field in one object is an error', () => {
  const errs = errorsOf(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: u}
spec:
  static: {hosts: [{addr: 1.2.3.4, port: 80}]}
  outlierDetection:
    consecutive5xx: 3
    consecutive_5xx: 4
`);
  assert.equal(errs.length, 1);
  assert.match(errs[0]!, /^bad\.yaml:8:5: spec\.outlierDetection\.consecutive_5xx: field "consecutive5xx" is set twice/);
});

test('an AWS Lambda upstream loads, with destinationOverrides and enums by number', () => {
  const [us] = loadOk(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: lambda
  namespace: gloo-system
spec:
  aws:
    region: us-east-1
    secretRef: {name: aws-creds, namespace: gloo-system}
    roleArn: arn:aws:iam::123456789012:role/lambda-invoker
    awsAccountId: "123456789012"
    lambdaFunctions:
    - logicalName: echo
      lambdaFunctionName: echo
      qualifier: $LATEST
    - lambda_function_name: uppercase
      logical_name: uppercase:2
      qualifier: "2"
    destinationOverrides:
      invocationStyle: 1
      unwrapAsApiGateway: true
`) as Resource<'Upstream'>[];
  const aws = us!.spec.aws!;
  assert.equal(aws.region, 'us-east-1');
  assert.equal(aws.lambdaFunctions!.length, 2);
  assert.equal(aws.lambdaFunctions![1]!.logicalName, 'uppercase:2');
  assert.equal(aws.destinationOverrides!.invocationStyle, 'ASYNC');
  assert.deepEqual(unsupportedPaths(us!), ['spec.aws']);
});

test('a kube upstream with subsetSpec, sslConfig and failover loads', () => {
  const [us] = loadOk(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: reviews, namespace: gloo-system}
spec:
  kube:
    serviceName: reviews
    serviceNamespace: default
    servicePort: 9080
    subsetSpec:
      selectors:
      - keys: [version]
      - keys: [version, zone]
        singleHostPerSubset: false
      fallbackPolicy: DEFAULT_SUBSET
      defaultSubset:
        values: {version: v1}
  sslConfig:
    secretRef: {name: reviews-tls, namespace: gloo-system}
    sni: reviews.default.svc
    alpnProtocols: [h2, http/1.1]
    parameters: {minimumProtocolVersion: TLSv1_2, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]}
  failover:
    prioritizedLocalities:
    - localityEndpoints:
      - locality: {region: us-east-1, zone: us-east-1a}
        lbEndpoints:
        - address: 10.0.0.12
          port: 9080
          upstreamSslConfig: {sslFiles: {rootCa: /etc/ssl/ca.crt}}
    policy: {overprovisioningFactor: 140}
`) as Resource<'Upstream'>[];
  const kube = us!.spec.kube!;
  assert.equal(kube.subsetSpec!.fallbackPolicy, 'DEFAULT_SUBSET');
  assert.deepEqual(kube.subsetSpec!.selectors![1]!.keys, ['version', 'zone']);
  assert.equal(us!.spec.sslConfig!.parameters!.minimumProtocolVersion, 'TLSv1_2');
  assert.equal(us!.spec.failover!.prioritizedLocalities![0]!.localityEndpoints![0]!.lbEndpoints![0]!.port, 9080);
  assert.deepEqual(unsupportedPaths(us!).sort(), ['spec.failover', 'spec.kube']);
});

test('consul, awsEc2, azure, pipe, gcp and grpc service specs load', () => {
  const docs = loadOk(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: consul-payments}
spec:
  consul:
    serviceName: payments
    subsetTags: [v1, v2]
    consistencyMode: StaleMode
    queryOptions: {useCache: true}
    dataCenters: [dc1]
    serviceSpec:
      grpcJsonTranscoder:
        protoDescriptorBin: Q2dWb1pXeHNidz09
        services: [payments.Payments]
        printOptions: {addWhitespace: true}
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: ec2}
spec:
  awsEc2:
    region: us-east-1
    filters:
    - key: gloo
    - kvPair: {key: app, value: api}
    publicIp: true
    port: 8080
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: azure}
spec:
  azure:
    functionAppName: my-app
    secretRef: {name: azure-secret, namespace: gloo-system}
    functions:
    - {functionName: hello, authLevel: Function}
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: pipe}
spec:
  pipe:
    path: /var/run/app.sock
    service_spec:
      grpc:
        descriptors: Q2dWb1pXeHNidz09
        grpcServices: [{packageName: foo, serviceName: Bar, functionNames: [Baz]}]
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: cloudrun}
spec:
  gcp: {host: hello-abc.a.run.app, audience: https://hello-abc.a.run.app}
`) as Resource<'Upstream'>[];
  assert.equal(docs.length, 5);
  assert.equal(docs[0]!.spec.consul!.consistencyMode, 'StaleMode');
  assert.deepEqual(docs[0]!.spec.consul!.serviceSpec!.grpcJsonTranscoder!.services, ['payments.Payments']);
  assert.equal(docs[1]!.spec.awsEc2!.filters![1]!.kvPair!.value, 'api');
  assert.equal(docs[2]!.spec.azure!.functions![0]!.authLevel, 'Function');
  assert.equal(docs[3]!.spec.pipe!.serviceSpec!.grpc!.grpcServices![0]!.serviceName, 'Bar');
  assert.equal(docs[4]!.spec.gcp!.host, 'hello-abc.a.run.app');
});

test('static upstream keeps its supported fields quiet and reports the rest', () => {
  const [us] = loadOk(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: s}
spec:
  static:
    hosts:
    - addr: 10.0.0.1
      port: 8080
      healthCheckConfig: {path: /healthz, method: GET}
      metadata: {envoy.lb: {version: v1}}
    useTls: true
    serviceSpec:
      rest:
        swaggerInfo: {inline: "swagger: '2.0'"}
`) as Resource<'Upstream'>[];
  assert.deepEqual(us!.spec.static!.hosts![0]!.healthCheckConfig, { path: '/healthz', method: 'GET' });
  assert.deepEqual(unsupportedPaths(us!), [
    'spec.static.hosts[0].healthCheckConfig',
    'spec.static.serviceSpec',
  ]);
});

test('Upstream errors: wrong type, unknown field, bad enum, two oneof members, missing required', () => {
  const errs = errorsOf(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: bad}
spec:
  kube:
    serviceName: petstore
    servicePort: eighty
    subsetSpec:
      fallbackPolicy: SOMETIMES
  static:
    hosts: [{addr: 1.2.3.4, port: 80}]
  healthChecks:
  - interval: 5s
    httpHealthCheck: {path: /}
    tcpHealthCheck: {send: {text: aa}}
  loadBalancerConfig:
    roundRobin: {}
    leastRequest: {choiceCount: 2}
  outlierDetection:
    consecutive5xxx: 1
`);
  assert.deepEqual(errs, [
    'bad.yaml:7:5: spec.kube.servicePort: expected an integer (uint32), got string',
    'bad.yaml:9:7: spec.kube.subsetSpec.fallbackPolicy: expected one of ANY_ENDPOINT, DEFAULT_SUBSET, NO_FALLBACK, got "SOMETIMES"',
    'bad.yaml:15:5: spec.healthChecks[0].tcpHealthCheck: only one of httpHealthCheck, tcpHealthCheck, grpcHealthCheck, customHealthCheck may be set (found httpHealthCheck, tcpHealthCheck)',
    'bad.yaml:13:5: spec.healthChecks[0]: missing required field "timeout"',
    'bad.yaml:18:5: spec.loadBalancerConfig.leastRequest: only one of roundRobin, leastRequest, random, ringHash, maglev may be set (found roundRobin, leastRequest)',
    'bad.yaml:20:5: spec.outlierDetection.consecutive5xxx: unknown field "consecutive5xxx"',
  ]);
});

test('two upstream types in one Upstream is an error at the second one', () => {
  const errs = errorsOf(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: bad}
spec:
  kube: {serviceName: petstore, serviceNamespace: default, servicePort: 8080}
  static:
    hosts: [{addr: 1.2.3.4, port: 80}]
`);
  assert.deepEqual(errs, [
    'bad.yaml:6:3: spec.static: only one of kube, static, pipe, aws, azure, consul, awsEc2, gcp, ai may be set (found kube, static)',
  ]);
});

test('Upstream errors deep in serviceSpec carry the full path', () => {
  const errs = errorsOf(`apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: bad}
spec:
  kube:
    serviceName: petstore
    serviceSpec:
      rest:
        transformations:
          findPets:
            headers:
              :path: /api/pets
            parseBodyBehavior: ParseAsXml
`);
  assert.deepEqual(errs, [
    'bad.yaml:12:15: spec.kube.serviceSpec.rest.transformations.findPets.headers.:path: expected an object, got string',
    'bad.yaml:13:13: spec.kube.serviceSpec.rest.transformations.findPets.parseBodyBehavior: expected one of ParseAsJson, DontParse, got "ParseAsXml"',
  ]);
});

// §7.4 traffic shifting; plus a function destination on one entry.
test('§7.4 UpstreamGroup loads, with typed destinationSpec', () => {
  const [ug] = loadOk(`apiVersion: gloo.solo.io/v1
kind: UpstreamGroup
metadata:
  name: my-service-group
  namespace: gloo-system
spec:
  destinations:
  - destination:
      upstream:
        name: default-my-service-v1-8080
        namespace: gloo-system
    weight: 9
  - destination:
      upstream:
        name: default-my-service-v2-8080
        namespace: gloo-system
      destinationSpec:
        rest:
          functionName: findPetById
          parameters:
            headers: {':path': '/petstore/findWithId/{id}'}
    weight: 1
`) as Resource<'UpstreamGroup'>[];
  const dests = ug!.spec.destinations!;
  assert.equal(dests.length, 2);
  assert.equal(dests[0]!.weight, 9);
  assert.equal(dests[1]!.destination!.destinationSpec!.rest!.functionName, 'findPetById');
  assert.deepEqual(dests[1]!.destination!.destinationSpec!.rest!.parameters!.headers, { ':path': '/petstore/findWithId/{id}' });
  assert.deepEqual(unsupportedPaths(ug!), ['spec.destinations[1].destination.destinationSpec']);
});

test('destinationSpec is a oneof with typed members', () => {
  const doc = (spec: string) => `apiVersion: gloo.solo.io/v1
kind: UpstreamGroup
metadata: {name: g}
spec:
  destinations:
  - weight: 1
    destination:
      upstream: {name: lambda}
      destinationSpec:
${spec}`;
  assert.deepEqual(errorsOf(doc('        aws: {logicalName: echo, invocationStyle: SOMETIMES}\n')), [
    'bad.yaml:10:34: spec.destinations[0].destination.destinationSpec.aws.invocationStyle: expected one of SYNC, ASYNC, got "SOMETIMES"',
  ]);
  assert.deepEqual(errorsOf(doc('        aws: {logicalName: echo}\n        azure: {functionName: hello}\n')), [
    'bad.yaml:11:9: spec.destinations[0].destination.destinationSpec.azure: only one of aws, azure, rest, grpc may be set (found aws, azure)',
  ]);
  assert.deepEqual(errorsOf(doc('        rest: {functionName: findPets, parameters: {headers: [x-id]}}\n')), [
    'bad.yaml:10:53: spec.destinations[0].destination.destinationSpec.rest.parameters.headers: expected a map, got list',
  ]);
});

// A Settings as Gloo's Helm chart renders it (defaults), plus the EE blocks from the docs.
const SETTINGS = `apiVersion: gloo.solo.io/v1
kind: Settings
metadata:
  labels:
    app: gloo
    gloo: settings
  name: default
  namespace: gloo-system
spec:
  gloo:
    xdsBindAddr: "0.0.0.0:9977"
    restXdsBindAddr: "0.0.0.0:9976"
    proxyDebugBindAddr: "0.0.0.0:9966"
    enableRestEds: false
    invalidConfigPolicy:
      invalidRouteResponseBody: Gloo Gateway has invalid configuration. Administrators should run \`glooctl check\` to find and fix config errors.
      invalidRouteResponseCode: 404
      replaceInvalidRoutes: false
    disableKubernetesDestinations: false
    disableProxyGarbageCollection: false
    enableAutoWebsocketTransformationPassthrough: false
    regexMaxProgramSize: 1024
    awsOptions:
      serviceAccountCredentials: {cluster: aws_sts_cluster, uri: sts.amazonaws.com, region: us-east-1}
    circuitBreakers: {maxConnections: 2048}
  discoveryNamespace: gloo-system
  kubernetesArtifactSource: {}
  kubernetesConfigSource: {}
  kubernetesSecretSource: {}
  refreshRate: 60s
  gateway:
    isolateVirtualHostsBySslConfig: false
    readGatewaysFromAllNamespaces: false
    enableGatewayController: true
    validation:
      proxyValidationServerAddr: gloo:9988
      alwaysAccept: true
      allowWarnings: true
      warnMissingTlsSecret: true
      serverEnabled: true
      disableTransformationValidation: false
      warnRouteShortCircuiting: false
      validationServerGrpcMaxSizeBytes: 104857600
      fullEnvoyValidation: false
  discovery:
    fdsMode: WHITELIST
    udsOptions: {enabled: true, watchLabels: {discover: "yes"}}
  consul:
    httpAddress: 127.0.0.1:8500
    serviceDiscovery: {}
    dnsPollingInterval: 5s
  consulDiscovery: {useTlsTagging: true, tlsTagName: glooUseTls, consistencyMode: ConsistentMode}
  kubernetes: {rateLimits: {QPS: 50, burst: 100}}
  upstreamOptions:
    sslParameters: {minimumProtocolVersion: TLSv1_2}
    globalAnnotations: {gloo.solo.io/h2_service: "true"}
  ratelimit:
    descriptors:
    - key: type
      rateLimit: {requestsPerUnit: 2, unit: MINUTE}
  ratelimitServer:
    ratelimitServerRef: {name: rate-limit, namespace: gloo-system}
    requestTimeout: 100ms
    denyOnFail: true
    rateLimitBeforeAuth: false
  extauth:
    extauthzServerRef: {name: extauth, namespace: gloo-system}
    requestTimeout: 0.5s
    userIdHeader: x-user-id
    requestBody: {maxRequestBytes: 10240}
    transportApiVersion: V3
  rbac: {requireRbac: false}
  watchNamespaceSelectors:
  - matchLabels: {gloo: enabled}
    matchExpressions: [{key: env, operator: In, values: [prod]}]
`;

test('Settings like the Helm default loads with every block typed', () => {
  const [st] = loadOk(SETTINGS) as Resource<'Settings'>[];
  const spec = st!.spec;
  assert.equal(spec.discoveryNamespace, 'gloo-system');
  assert.equal(spec.discovery!.fdsMode, 'WHITELIST');
  assert.equal(spec.gloo!.invalidConfigPolicy!.invalidRouteResponseCode, 404);
  assert.equal(spec.gloo!.regexMaxProgramSize, 1024);
  assert.equal(spec.gloo!.awsOptions!.serviceAccountCredentials!.uri, 'sts.amazonaws.com');
  assert.equal(spec.gateway!.validation!.alwaysAccept, true);
  assert.equal(spec.gateway!.readGatewaysFromAllNamespaces, false);
  assert.equal(spec.kubernetes!.rateLimits!.QPS, 50);
  assert.equal(spec.ratelimit!.descriptors![0]!.rateLimit!.unit, 'MINUTE');
  assert.equal(spec.extauth!.requestTimeout, '0.5s');
  assert.equal(spec.ratelimitServer!.requestTimeout, '0.1s');
  assert.equal(spec.refreshRate, '60s');
  const paths = unsupportedPaths(st!);
  assert.ok(!paths.includes('spec.discoveryNamespace'));
  for (const p of ['spec.discovery', 'spec.kubernetesConfigSource', 'spec.refreshRate', 'spec.extauth', 'spec.gloo.awsOptions'])
    assert.ok(paths.includes(p), `${p} is listed as not implemented`);
  // gloo and gateway are partly implemented: the implemented knobs are not listed, the others are, by name.
  for (const p of ['spec.gloo', 'spec.gateway', 'spec.gloo.invalidConfigPolicy', 'spec.gateway.readGatewaysFromAllNamespaces'])
    assert.ok(!paths.includes(p), `${p} is not listed`);
});

test('Settings errors: bad fdsMode, two config sources, unknown gloo field; fdsMode by number', () => {
  const errs = errorsOf(`apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default, namespace: gloo-system}
spec:
  kubernetesConfigSource: {}
  directoryConfigSource: {directory: /data/config}
  discovery:
    fdsMode: GREYLIST
  gloo:
    xdsBindAddr: 0.0.0.0:9977
    regexMaxProgramSize: -1
    invalidConfigPolicy: {replaceInvalidRoute: true}
`);
  assert.deepEqual(errs, [
    'bad.yaml:8:5: spec.discovery.fdsMode: expected one of BLACKLIST, WHITELIST, DISABLED, got "GREYLIST"',
    'bad.yaml:11:5: spec.gloo.regexMaxProgramSize: -1 is out of range for uint32 (0..4294967295)',
    'bad.yaml:12:27: spec.gloo.invalidConfigPolicy.replaceInvalidRoute: unknown field "replaceInvalidRoute"',
    'bad.yaml:6:3: spec.directoryConfigSource: only one of kubernetesConfigSource, directoryConfigSource, consulKvSource may be set (found kubernetesConfigSource, directoryConfigSource)',
  ]);
  const [st] = loadOk(`apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {name: default, namespace: gloo-system}
spec:
  discovery: {fds_mode: 2}
  gateway: {read_gateways_from_all_namespaces: true}
`) as Resource<'Settings'>[];
  assert.equal(st!.spec.discovery!.fdsMode, 'DISABLED');
  assert.equal(st!.spec.gateway!.readGatewaysFromAllNamespaces, true);
});

test('Settings in the flat (solo-kit directory) form loads', () => {
  const r = loadResources(
    `metadata: {name: default, namespace: gloo-system}
directoryConfigSource: {directory: /data/config}
directorySecretSource: {directory: /data/secret}
directoryArtifactSource: {directory: /data/artifact}
refreshRate: 5s
watchNamespaces: [gloo-system]
gateway: {persistProxySpec: true}
`,
    'data/gloo-system/default.yaml',
    { kind: kindInfo('Settings') },
  );
  assert.deepEqual(r.errors.map(formatLoadError), []);
  const st = r.resources[0] as Resource<'Settings'>;
  assert.equal(st.spec.directoryConfigSource!.directory, '/data/config');
  assert.equal(st.spec.gateway!.persistProxySpec, true);
});

// §7.6 basic auth, and the other auth config types.
test('§7.6 AuthConfig basic-auth and the other config types load', () => {
  const docs = loadOk(`apiVersion: enterprise.gloo.solo.io/v1
kind: AuthConfig
metadata:
  name: basic-auth
  namespace: gloo-system
spec:
  configs:
  - basicAuth:
      apr:
        users:
          user:
            salt: TYiryv0/
            hashedPassword: 8BvzLUO9IfGPGGsPnAgSu1
---
apiVersion: enterprise.gloo.solo.io/v1
kind: AuthConfig
metadata: {name: everything, namespace: gloo-system}
spec:
  booleanExpr: "basic || (apikey && !opa)"
  failOnRedirect: true
  configs:
  - name: basic
    basicAuth:
      realm: gloo
      encryption: {sha1: {}}
      userList: {users: {user: {salt: abc, hashedPassword: def}}}
  - name: apikey
    apiKeyAuth:
      headerName: api-key
      headersFromMetadataEntry: {x-user-id: {name: user-id, required: true}}
      k8sSecretApikeyStorage: {labelSelector: {team: infra}}
  - name: opa
    opaAuth:
      modules: [{name: allow-jwt, namespace: gloo-system}]
      query: data.test.allow == true
  - oauth2:
      oidcAuthorizationCode:
        appUrl: https://gateway.example.com
        callbackPath: /callback
        clientId: gloo
        clientSecretRef: {name: oauth, namespace: gloo-system}
        issuerUrl: https://dex.example.com/
        scopes: [email]
        session:
          failOnFetchFailure: true
          redis:
            cookieName: session
            options: {host: redis.gloo-system.svc.cluster.local:6379}
          cookieOptions: {sameSite: LaxMode, maxAge: 3600}
        headers: {idTokenHeader: x-id-token}
  - oauth2:
      accessTokenValidation:
        jwt:
          remoteJwks: {url: https://dex.example.com/keys, refreshInterval: 5m}
          issuer: https://dex.example.com/
        requiredScopes: {scope: [read]}
        cacheTimeout: 30s
  - ldap:
      address: ldap://ldap.default.svc.cluster.local:389
      userDnTemplate: uid=%s,ou=people,dc=solo,dc=io
      allowedGroups: [cn=managers,ou=groups,dc=solo,dc=io]
      pool: {maxSize: 10, initialSize: 2}
  - passThroughAuth:
      http:
        url: http://auth.example.com/check
        request: {allowedHeaders: [x-token], passThroughBody: true}
        response: {allowedUpstreamHeaders: [x-user]}
        connectionTimeout: 3s
      config: {customKey: value}
      failureModeAllow: false
  - hmacAuth:
      secretRefs: {secretRefs: [{name: hmac, namespace: gloo-system}]}
      parametersInHeaders: {}
  - jwt: {}
  - opaServerAuth: {package: httpapi.authz, ruleName: allow, serverAddr: http://opa:8181}
`) as Resource<'AuthConfig'>[];
  assert.equal(docs.length, 2);
  const basic = docs[0]!.spec.configs![0]!.basicAuth!;
  assert.deepEqual(basic.apr!.users!.user, { salt: 'TYiryv0/', hashedPassword: '8BvzLUO9IfGPGGsPnAgSu1' });
  assert.deepEqual(unsupportedPaths(docs[0]!), ['spec.configs']);
  const all = docs[1]!.spec.configs!;
  assert.equal(all.length, 10);
  assert.equal(all[3]!.oauth2!.oidcAuthorizationCode!.session!.cookieOptions!.sameSite, 'LaxMode');
  assert.equal(all[4]!.oauth2!.accessTokenValidation!.cacheTimeout, '30s');
  assert.equal(all[5]!.ldap!.pool!.maxSize, 10);
  assert.deepEqual(all[8]!.jwt, {});
  assert.deepEqual(unsupportedPaths(docs[1]!).sort(), ['spec.booleanExpr', 'spec.configs', 'spec.failOnRedirect']);
});

test('AuthConfig errors: two auth types in one step, unknown field, wrong type', () => {
  const errs = errorsOf(`apiVersion: enterprise.gloo.solo.io/v1
kind: AuthConfig
metadata: {name: bad, namespace: gloo-system}
spec:
  configs:
  - basicAuth: {realm: gloo}
    apiKeyAuth: {headerName: api-key}
  - basicAuth:
      apr: {users: {user: {salt: a, hashed_password: b, password: c}}}
  - ldap: {address: ldap://x, allowedGroups: admins}
`);
  assert.deepEqual(errs, [
    'bad.yaml:7:5: spec.configs[0].apiKeyAuth: only one of basicAuth, oauth, oauth2, apiKeyAuth, pluginAuth, opaAuth, ldap, jwt, passThroughAuth, hmacAuth, opaServerAuth, portalAuth may be set (found basicAuth, apiKeyAuth)',
    'bad.yaml:9:57: spec.configs[1].basicAuth.apr.users.user.password: unknown field "password"',
    'bad.yaml:10:31: spec.configs[2].ldap.allowedGroups: expected a list, got string',
  ]);
});

// §7.6 / §2.12 doc example, plus nested descriptors and every action type.
test('RateLimitConfig loads: recursive descriptors, setDescriptors, all action types', () => {
  const [rlc] = loadOk(`apiVersion: ratelimit.solo.io/v1alpha1
kind: RateLimitConfig
metadata:
  name: my-rate-limit-policy
  namespace: gloo-system
spec:
  raw:
    descriptors:
    - key: generic_key
      value: counter
      rateLimit:
        requestsPerUnit: 10
        unit: MINUTE
    - key: account_id
      descriptors:
      - key: plan
        value: BASIC
        rateLimit: {requestsPerUnit: 1, unit: MINUTE}
        descriptors:
        - key: path
          rate_limit: {requests_per_unit: 5, unit: 3}
          weight: 1
          alwaysApply: true
    setDescriptors:
    - simpleDescriptors:
      - key: plan
        value: BASIC
      - key: account_id
      rateLimit: {requestsPerUnit: 20, unit: MINUTE}
      alwaysApply: true
    rateLimits:
    - actions:
      - genericKey:
          descriptorValue: counter
    - actions:
      - requestHeaders: {descriptorKey: account_id, headerName: x-account-id}
      - headerValueMatch:
          descriptorValue: post
          expectMatch: true
          headers:
          - {name: ":method", exactMatch: POST}
          - {name: x-range, rangeMatch: {start: 0, end: "100"}, invertMatch: true}
      - metadata:
          descriptorKey: user
          metadataKey: {key: envoy.filters.http.ext_authz, path: [{key: user}]}
          defaultValue: anonymous
          source: DYNAMIC
      - cel: {expression: "request.headers['x-plan']", key: plan}
      - remoteAddress: {}
      setActions:
      - sourceCluster: {}
      - destinationCluster: {}
      limit:
        dynamicMetadata:
          metadataKey: {key: limits, path: [{key: override}]}
      type: REQUEST
status:
  state: ACCEPTED
`) as Resource<'RateLimitConfig'>[];
  const raw = rlc!.spec.raw!;
  assert.equal(raw.descriptors![0]!.rateLimit!.requestsPerUnit, 10);
  const deepest = raw.descriptors![1]!.descriptors![0]!.descriptors![0]!;
  assert.deepEqual(deepest, { key: 'path', rateLimit: { requestsPerUnit: 5, unit: 'HOUR' }, weight: 1, alwaysApply: true });
  assert.equal(raw.setDescriptors![0]!.simpleDescriptors!.length, 2);
  const actions = raw.rateLimits![1]!.actions!;
  assert.equal(actions[1]!.headerValueMatch!.headers![1]!.rangeMatch!.end, 100);
  assert.equal(actions[2]!.metadata!.metadataKey!.path![0]!.key, 'user');
  assert.equal(actions[3]!.cel!.key, 'plan');
  assert.deepEqual(unsupportedPaths(rlc!), ['spec.raw']);
});

test('RateLimitConfig errors inside recursive descriptors and actions', () => {
  const errs = errorsOf(`apiVersion: ratelimit.solo.io/v1alpha1
kind: RateLimitConfig
metadata: {name: bad, namespace: gloo-system}
spec:
  raw:
    descriptors:
    - key: a
      descriptors:
      - key: b
        rateLimit: {requestsPerUnit: 1, unit: FORTNIGHT}
        limit: 3
    rateLimits:
    - actions:
      - genericKey: {descriptorValue: x}
        remoteAddress: {}
`);
  assert.deepEqual(errs, [
    'bad.yaml:10:41: spec.raw.descriptors[0].descriptors[0].rateLimit.unit: expected one of UNKNOWN, SECOND, MINUTE, HOUR, DAY, MONTH, YEAR, WEEK, got "FORTNIGHT"',
    'bad.yaml:11:9: spec.raw.descriptors[0].descriptors[0].limit: unknown field "limit"',
    // Reported at the later member in proto order (remoteAddress is field 4, genericKey field 5).
    'bad.yaml:14:9: spec.raw.rateLimits[0].actions[0].genericKey: only one of sourceCluster, destinationCluster, requestHeaders, remoteAddress, genericKey, headerValueMatch, metadata, cel may be set (found remoteAddress, genericKey)',
  ]);
});
