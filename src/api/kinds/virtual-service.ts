/**
 * VirtualService (gateway.solo.io/v1): a set of domains (one Envoy virtual host) and ordered routes.
 */
import { obj, str, arr, type Infer } from '../schema.js';
import { DelegateOptionsRefs, GatewayRoute } from '../types/route.js';
import { VirtualHostOptions } from '../types/options.js';
import { SslConfig } from '../types/ssl.js';

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
  sslConfig: SslConfig.notYet('the VirtualService binds to the ssl Gateway but TLS is not served yet'),
  displayName: str().supported(),
});
export type VirtualServiceSpec = Infer<typeof VirtualServiceSpec>;
