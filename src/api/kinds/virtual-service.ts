/**
 * VirtualService (gateway.solo.io/v1): a set of domains (one Envoy virtual host) and ordered routes.
 */
import { obj, str, arr, type Infer } from '../schema.js';
import { DelegateOptionsRefs, GatewayRoute } from '../types/route.js';
import { VirtualHostOptions } from '../types/options.js';
import { ServedSslConfig } from '../types/listener.js';

/** `{domains[], routes[], options?, optionsConfigRefs?}` — one Envoy virtual host. */
export const VirtualHost = obj({
  domains: arr(str()).supported(),
  routes: arr(GatewayRoute).supported(),
  options: VirtualHostOptions.supported(),
  optionsConfigRefs: DelegateOptionsRefs.supported(),
});
export type VirtualHost = Infer<typeof VirtualHost>;

/** `{virtualHost, sslConfig?, displayName?}`; an `sslConfig` makes the VS bind to `ssl: true` gateways. */
export const VirtualServiceSpec = obj({
  virtualHost: VirtualHost.supported(),
  sslConfig: ServedSslConfig.supported().describe('binds the VirtualService to ssl Gateways; one TLS filter chain per distinct sslConfig, chosen by SNI'),
  displayName: str().supported(),
});
export type VirtualServiceSpec = Infer<typeof VirtualServiceSpec>;
