/**
 * The type-specific halves of an Upstream (the `upstream_type` oneof, §2.2.2–§2.2.5): kube, consul,
 * aws (Lambda), awsEc2, azure, pipe and gcp. `static` lives with the Upstream kind itself.
 */
import { str, bool, uint32, arr, map, enumOf, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { notYetObj } from './upstream-common.js';
import { ServiceSpec, SubsetSpec } from './upstream-service-spec.js';
import { AwsDestinationSpec } from './destination.js';

const KUBE_NOTE = 'ignored: kube upstreams are not implemented yet (the cluster gets no endpoints)';

/**
 * Example (written by discovery): `{serviceName: petstore, serviceNamespace: default, servicePort: 8080,
 * selector: {app: petstore}}`.
 */
export const KubeUpstreamSpec = notYetObj(KUBE_NOTE, {
  serviceName: str(),
  serviceNamespace: str(),
  servicePort: uint32(),
  selector: map(str()),
  serviceSpec: ServiceSpec,
  subsetSpec: SubsetSpec.supported(),
});
export type KubeUpstreamSpec = Infer<typeof KubeUpstreamSpec>;

const CONSUL_NOTE = 'ignored: consul upstreams are not implemented yet';

/** Consul read consistency, shared with `settings.consulDiscovery`. */
export const ConsulConsistencyMode = enumOf(['DefaultMode', 'StaleMode', 'ConsistentMode'] as const);
/** `{useCache}`. */
export const ConsulQueryOptions = notYetObj(CONSUL_NOTE, { useCache: bool() });

/** Example: `{serviceName: payments, subsetTags: [v1, v2], dataCenters: [dc1]}`. */
export const ConsulUpstreamSpec = notYetObj(CONSUL_NOTE, {
  serviceName: str(),
  serviceTags: arr(str()),
  subsetTags: arr(str()),
  instanceTags: arr(str()),
  instanceBlacklistTags: arr(str()),
  serviceSpec: ServiceSpec,
  consistencyMode: ConsulConsistencyMode,
  queryOptions: ConsulQueryOptions,
  connectEnabled: bool(),
  dataCenters: arr(str()),
});
export type ConsulUpstreamSpec = Infer<typeof ConsulUpstreamSpec>;

const AWS_NOTE = 'ignored: aws upstreams are not implemented yet';

/** `{logicalName, lambdaFunctionName, qualifier}`. */
export const LambdaFunctionSpec = notYetObj(AWS_NOTE, { logicalName: str(), lambdaFunctionName: str(), qualifier: str() });

/**
 * Example: `{region: us-east-1, secretRef: {name: aws-creds, namespace: gloo-system},
 * lambdaFunctions: [{logicalName: echo, lambdaFunctionName: echo, qualifier: $LATEST}]}`.
 */
export const AwsUpstreamSpec = notYetObj(AWS_NOTE, {
  region: str(),
  secretRef: ResourceRef,
  lambdaFunctions: arr(LambdaFunctionSpec),
  roleArn: str(),
  awsAccountId: str(),
  disableRoleChaining: bool(),
  destinationOverrides: AwsDestinationSpec,
});
export type AwsUpstreamSpec = Infer<typeof AwsUpstreamSpec>;

const EC2_NOTE = 'ignored: awsEc2 upstreams are not implemented yet';

/** A tag filter: oneof `key` (tag present) | `kvPair {key, value}`. */
export const Ec2TagFilter = notYetObj(
  EC2_NOTE,
  { key: str(), kvPair: notYetObj(EC2_NOTE, { key: str(), value: str() }) },
  { oneofs: [['key', 'kvPair']] },
);

/** Example: `{region: us-east-1, filters: [{kvPair: {key: app, value: api}}], port: 8080}`. */
export const AwsEc2UpstreamSpec = notYetObj(EC2_NOTE, {
  region: str(),
  secretRef: ResourceRef,
  roleArn: str(),
  filters: arr(Ec2TagFilter),
  publicIp: bool(),
  port: uint32(),
});
export type AwsEc2UpstreamSpec = Infer<typeof AwsEc2UpstreamSpec>;

const AZURE_NOTE = 'ignored: azure upstreams are not implemented yet';

/** Example: `{functionAppName: my-app, secretRef: {...}, functions: [{functionName: hello, authLevel: Function}]}`. */
export const AzureUpstreamSpec = notYetObj(AZURE_NOTE, {
  functionAppName: str(),
  secretRef: ResourceRef,
  functions: arr(
    notYetObj(AZURE_NOTE, {
      functionName: str(),
      authLevel: enumOf(['Anonymous', 'Function', 'Admin'] as const),
    }),
  ),
});
export type AzureUpstreamSpec = Infer<typeof AzureUpstreamSpec>;

/** A Unix domain socket: `{path: /var/run/app.sock, serviceSpec?}`. */
export const PipeUpstreamSpec = notYetObj('ignored: pipe upstreams are not implemented yet', {
  path: str(),
  serviceSpec: ServiceSpec,
});
export type PipeUpstreamSpec = Infer<typeof PipeUpstreamSpec>;

/** EE Cloud Run: `{host, audience}`. */
export const GcpUpstreamSpec = notYetObj('ignored: gcp upstreams are not implemented yet', {
  host: str(),
  audience: str(),
});
export type GcpUpstreamSpec = Infer<typeof GcpUpstreamSpec>;
