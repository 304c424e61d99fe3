/**
 * RouteOptions and VirtualHostOptions (gloo.solo.io): the per-route and per-virtual-host feature
 * settings. Each field's support level says what gloo-ts does with it today.
 */
import { obj, str, bool, duration, any, type Infer } from '../schema.js';

const later = (what: string) => any().notYet(`${what} is not implemented yet; the field is ignored`);

export const RouteOptions = obj(
  {
    prefixRewrite: str().supported(),
    timeout: duration().supported(),
    hostRewrite: str().supported(),
    autoHostRewrite: bool().supported(),
    regexRewrite: later('regexRewrite'),
    idleTimeout: later('idleTimeout'),
    maxStreamDuration: later('maxStreamDuration'),
    retries: later('retries'),
    headerManipulation: later('headerManipulation'),
    hostRewritePathRegex: later('hostRewritePathRegex'),
    hostRewriteHeader: later('hostRewriteHeader'),
    appendXForwardedHost: later('appendXForwardedHost'),
    cors: later('cors'),
    faults: later('faults'),
    shadowing: later('shadowing'),
    lbHash: later('lbHash'),
    upgrades: later('upgrades'),
    transformations: later('transformations'),
    stagedTransformations: later('stagedTransformations'),
    extauth: later('extauth'),
    ratelimitBasic: later('ratelimitBasic'),
    ratelimit: later('ratelimit'),
    rateLimitConfigs: later('rateLimitConfigs'),
    waf: later('waf'),
    jwt: later('jwt'),
    jwtStaged: later('jwtStaged'),
    jwtProvidersStaged: later('jwtProvidersStaged'),
    rbac: later('rbac'),
    dlp: later('dlp'),
    bufferPerRoute: later('bufferPerRoute'),
    csrf: later('csrf'),
    envoyMetadata: later('envoyMetadata'),
    tracing: later('tracing'),
    extensions: later('extensions'),
  },
  { oneofs: [['hostRewrite', 'autoHostRewrite', 'hostRewritePathRegex', 'hostRewriteHeader']] },
);
export type RouteOptions = Infer<typeof RouteOptions>;

export const VirtualHostOptions = obj({
  extensions: later('extensions'),
  retries: later('retries'),
  stats: later('stats'),
  headerManipulation: later('headerManipulation'),
  cors: later('cors'),
  transformations: later('transformations'),
  stagedTransformations: later('stagedTransformations'),
  ratelimitBasic: later('ratelimitBasic'),
  ratelimit: later('ratelimit'),
  rateLimitConfigs: later('rateLimitConfigs'),
  waf: later('waf'),
  jwt: later('jwt'),
  jwtStaged: later('jwtStaged'),
  rbac: later('rbac'),
  extauth: later('extauth'),
  dlp: later('dlp'),
  bufferPerRoute: later('bufferPerRoute'),
  csrf: later('csrf'),
  includeRequestAttemptCount: later('includeRequestAttemptCount'),
  includeAttemptCountInResponse: later('includeAttemptCountInResponse'),
  corsPolicyMergeSettings: later('corsPolicyMergeSettings'),
});
export type VirtualHostOptions = Infer<typeof VirtualHostOptions>;
