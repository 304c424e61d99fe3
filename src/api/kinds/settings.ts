/**
 * Settings (gloo.solo.io/v1, canonical instance gloo-system/default): global controller config.
 */
import { obj, str, arr, duration, any, type Infer } from '../schema.js';

const later = (what: string) => any().notYet(`${what} is ignored`);

export const SettingsSpec = obj({
  discoveryNamespace: str().supported(),
  watchNamespaces: arr(str()).notYet('all namespaces are watched'),
  watchNamespaceSelectors: later('watchNamespaceSelectors'),
  kubernetesConfigSource: later('kubernetesConfigSource'),
  directoryConfigSource: later('directoryConfigSource (use gloo run --config-dir)'),
  consulKvSource: later('consulKvSource'),
  kubernetesSecretSource: later('kubernetesSecretSource'),
  vaultSecretSource: later('vaultSecretSource'),
  directorySecretSource: later('directorySecretSource'),
  secretOptions: later('secretOptions'),
  kubernetesArtifactSource: later('kubernetesArtifactSource'),
  directoryArtifactSource: later('directoryArtifactSource'),
  consulKvArtifactSource: later('consulKvArtifactSource'),
  refreshRate: duration().notYet('files are watched; there is no periodic resync'),
  devMode: later('devMode'),
  linkerd: later('linkerd'),
  knative: later('knative'),
  discovery: later('discovery'),
  gloo: later('gloo'),
  gateway: later('gateway'),
  consul: later('consul'),
  consulDiscovery: later('consulDiscovery'),
  kubernetes: later('kubernetes'),
  extauth: later('extauth'),
  namedExtauth: later('namedExtauth'),
  cachingServer: later('cachingServer'),
  observabilityOptions: later('observabilityOptions'),
  upstreamOptions: later('upstreamOptions'),
  consoleOptions: later('consoleOptions'),
  graphqlOptions: later('graphqlOptions'),
  extProc: later('extProc'),
  watchNamespacesExclude: later('watchNamespacesExclude'),
  ratelimit: later('ratelimit'),
  ratelimitServer: later('ratelimitServer'),
  rbac: later('rbac'),
});
export type SettingsSpec = Infer<typeof SettingsSpec>;
