/**
 * AuthConfig (enterprise.gloo.solo.io/v1): external auth policies (§2.11): an ordered list of auth
 * steps (basic, apiKey, oauth2/OIDC, OPA, LDAP, passthrough, HMAC, JWT…) and an optional boolean
 * expression combining them. The extauth server settings (`settings.extauth`) are in
 * `../types/ext-auth-settings.ts`.
 */
import { obj, arr, str, bool, uint32, int32, duration, map, empty, enumOf, struct, type Infer, type Shape, type ObjectOptions } from '../schema.js';
import { ResourceRef } from '../types/core.js';
import { notYetObj } from '../types/upstream-common.js';

const NOTE = 'ignored: external auth is not implemented yet';
const o = <S extends Shape>(shape: S, options?: ObjectOptions<S>) => notYetObj(NOTE, shape, options);

// ---- basic auth ---------------------------------------------------------------------------------

const SaltedHashedPassword = o({ salt: str(), hashedPassword: str() });

/**
 * Legacy form `{realm, apr: {users: {user: {salt: TYiryv0/, hashedPassword: 8BvzLUO9IfGPGGsPnAgSu1}}}}`, or
 * `{encryption: {apr: {}} | {sha1: {}}, userList: {users: {…}}}`.
 */
export const BasicAuth = o({
  realm: str(),
  apr: o({ users: map(SaltedHashedPassword) }),
  encryption: o({ apr: empty(), sha1: empty() }, { oneofs: [['apr', 'sha1']] }),
  userList: o({ users: map(SaltedHashedPassword) }),
});

// ---- OAuth / OIDC -------------------------------------------------------------------------------

export const RedisOptions = o({
  host: str(),
  db: int32(),
  poolSize: int32(),
  tlsCertMountPath: str(),
  socketType: enumOf(['TCP', 'TLS'] as const),
});

export const UserSession = o(
  {
    failOnFetchFailure: bool(),
    cookieOptions: o({
      maxAge: uint32(),
      notSecure: bool(),
      httpOnly: bool(),
      path: str(),
      sameSite: enumOf(['DefaultMode', 'LaxMode', 'StrictMode', 'NoneMode'] as const),
      domain: str(),
    }),
    cookie: o({ allowRefreshing: bool(), keyPrefix: str(), targetDomain: str() }),
    redis: o({
      options: RedisOptions,
      keyPrefix: str(),
      cookieName: str(),
      allowRefreshing: bool(),
      preExpiryBuffer: duration(),
      targetDomain: str(),
      headerName: str(),
    }),
    cipherConfig: o({ keyRef: ResourceRef }),
  },
  { oneofs: [['cookie', 'redis']] },
);

const HeaderConfiguration = o({ idTokenHeader: str(), accessTokenHeader: str(), useBearerSchemaForAuthorization: bool() });

const DiscoveryOverride = o({
  authEndpoint: str(),
  tokenEndpoint: str(),
  jwksUri: str(),
  scopes: arr(str()),
  responseTypes: arr(str()),
  subjects: arr(str()),
  idTokenAlgs: arr(str()),
  authMethods: arr(str()),
  claims: arr(str()),
  revocationEndpoint: str(),
  endSessionEndpoint: str(),
});

const JwksOnDemandCacheRefreshPolicy = o(
  { never: empty(), always: empty(), maxIdpReqPerPollingInterval: uint32() },
  { oneofs: [['never', 'always', 'maxIdpReqPerPollingInterval']] },
);

const ClaimToHeader = o({ claim: str(), header: str(), append: bool() });

const AzureProvider = o({ clientId: str(), tenantId: str(), clientSecret: ResourceRef, claimsCachingOptions: RedisOptions });

export const OidcAuthorizationCode = o(
  {
    clientId: str(),
    clientSecretRef: ResourceRef,
    issuerUrl: str(),
    authEndpointQueryParams: map(str()),
    tokenEndpointQueryParams: map(str()),
    appUrl: str(),
    callbackPath: str(),
    logoutPath: str(),
    afterLogoutUrl: str(),
    scopes: arr(str()),
    session: UserSession,
    headers: HeaderConfiguration,
    discoveryOverride: DiscoveryOverride,
    discoveryPollInterval: duration(),
    jwksCacheRefreshPolicy: JwksOnDemandCacheRefreshPolicy,
    sessionIdHeaderName: str(),
    parseCallbackPathAsRegex: bool(),
    autoMapFromMetadata: o({ namespace: str() }),
    endSessionProperties: o({ methodType: enumOf(['GetMethod', 'PostMethod'] as const) }),
    dynamicMetadataFromClaims: map(str()),
    disableClientSecret: bool(),
    accessToken: o({ claimsToHeaders: arr(ClaimToHeader) }),
    identityToken: o({ claimsToHeaders: arr(ClaimToHeader) }),
    clientAuthentication: o(
      {
        clientSecret: o({ clientSecretRef: ResourceRef, disableClientSecret: bool() }),
        privateKeyJwt: o({ signingKeyRef: ResourceRef, validFor: duration() }),
      },
      { oneofs: [['clientSecret', 'privateKeyJwt']] },
    ),
    default: empty(),
    azure: AzureProvider,
    frontChannelLogout: o({ path: str() }),
  },
  { oneofs: [['default', 'azure']] },
);

const JwtValidation = o(
  {
    remoteJwks: o({ url: str(), refreshInterval: duration() }),
    localJwks: o({ inlineString: str() }),
    issuer: str(),
    audiences: arr(str()),
  },
  { oneofs: [['remoteJwks', 'localJwks']] },
);

export const AccessTokenValidation = o(
  {
    introspectionUrl: str(),
    jwt: JwtValidation,
    introspection: o({
      introspectionUrl: str(),
      clientId: str(),
      clientSecretRef: ResourceRef,
      userIdAttributeName: str(),
      disableClientSecret: bool(),
    }),
    userinfoUrl: str(),
    cacheTimeout: duration(),
    requiredScopes: o({ scope: arr(str()) }),
    dynamicMetadataFromClaims: map(str()),
    claimsToHeaders: arr(ClaimToHeader),
    default: empty(),
    azure: AzureProvider,
  },
  { oneofs: [['introspectionUrl', 'jwt', 'introspection'], ['default', 'azure']] },
);

export const PlainOAuth2 = o({
  clientId: str(),
  clientSecretRef: ResourceRef,
  authEndpointQueryParams: map(str()),
  appUrl: str(),
  callbackPath: str(),
  scopes: arr(str()),
  session: UserSession,
  logoutPath: str(),
  tokenEndpointQueryParams: map(str()),
  afterLogoutUrl: str(),
  authEndpoint: str(),
  tokenEndpoint: str(),
  revocationEndpoint: str(),
  disableClientSecret: bool(),
});

/** oneof oidcAuthorizationCode | accessTokenValidation | oauth2. */
export const OAuth2 = o(
  { oidcAuthorizationCode: OidcAuthorizationCode, accessTokenValidation: AccessTokenValidation, oauth2: PlainOAuth2 },
  { oneofs: [['oidcAuthorizationCode', 'accessTokenValidation', 'oauth2']] },
);

/** Deprecated `oauth`: `{clientId, clientSecretRef, issuerUrl, authEndpointQueryParams, appUrl, callbackPath, scopes}`. */
export const OAuth = o({
  clientId: str(),
  clientSecretRef: ResourceRef,
  issuerUrl: str(),
  authEndpointQueryParams: map(str()),
  appUrl: str(),
  callbackPath: str(),
  scopes: arr(str()),
});

// ---- API keys -----------------------------------------------------------------------------------

const AerospikeApiKeyStorage = o(
  {
    hostname: str(),
    namespace: str(),
    set: str(),
    port: int32(),
    batchSize: int32(),
    commitAll: uint32(),
    commitMaster: uint32(),
    readModeSc: o(
      {
        readModeScSession: uint32(),
        readModeScLinearize: uint32(),
        readModeScReplica: uint32(),
        readModeScAllowUnavailable: uint32(),
      },
      { oneofs: [['readModeScSession', 'readModeScLinearize', 'readModeScReplica', 'readModeScAllowUnavailable']] },
    ),
    readModeAp: o({ readModeApOne: uint32(), readModeApAll: uint32() }, { oneofs: [['readModeApOne', 'readModeApAll']] }),
    nodeTlsName: str(),
    certPath: str(),
    keyPath: str(),
    allowInsecure: bool(),
    rootCaPath: str(),
    tlsVersion: str(),
    tlsCurveGroups: arr(
      o(
        { curveP256: uint32(), curveP384: uint32(), curveP521: uint32(), x25519: uint32() },
        { oneofs: [['curveP256', 'curveP384', 'curveP521', 'x25519']] },
      ),
    ),
    labelSelector: map(str()),
  },
  { oneofs: [['commitAll', 'commitMaster']] },
);

/** Example: `{headerName: api-key, k8sSecretApikeyStorage: {labelSelector: {team: infra}}}`. */
export const ApiKeyAuth = o(
  {
    labelSelector: map(str()),
    apiKeySecretRefs: arr(ResourceRef),
    headerName: str(),
    headersFromMetadata: map(o({ name: str(), required: bool() })),
    headersFromMetadataEntry: map(o({ name: str(), required: bool() })),
    k8sSecretApikeyStorage: o({ labelSelector: map(str()), apiKeySecretRefs: arr(ResourceRef) }),
    aerospikeApikeyStorage: AerospikeApiKeyStorage,
    skipMetadataValidation: bool(),
    hmac: o({ algorithm: enumOf(['ALGORITHM_UNSPECIFIED', 'HMAC_SHA256'] as const), sharedSecretRef: ResourceRef }),
    digest: o({ algorithm: enumOf(['ALGORITHM_UNSPECIFIED', 'SHA256'] as const) }),
    match: o({ headers: arr(o({ name: str() })) }),
  },
  { oneofs: [['k8sSecretApikeyStorage', 'aerospikeApikeyStorage']] },
);

// ---- OPA, LDAP, passthrough, HMAC, plugin, portal -------------------------------------------------

const OpaAuthOptions = o({ fastInputConversion: bool(), returnDecisionReason: bool() });

/** `{modules: [{name: allow-jwt, namespace: gloo-system}], query: "data.test.allow == true"}`. */
export const OpaAuth = o({ modules: arr(ResourceRef), query: str(), options: OpaAuthOptions });

export const OpaServerAuth = o({ package: str(), ruleName: str(), serverAddr: str(), options: OpaAuthOptions });

/** `{address: ldap://ldap.default.svc:389, userDnTemplate: "uid=%s,ou=people,dc=solo,dc=io", allowedGroups: [...]}`. */
export const Ldap = o({
  address: str(),
  userDnTemplate: str(),
  membershipAttributeName: str(),
  allowedGroups: arr(str()),
  pool: o({ maxSize: uint32(), initialSize: uint32() }),
  searchFilter: str(),
  disableGroupChecking: bool(),
  groupLookupSettings: o({ credentialsSecretRef: ResourceRef, checkGroupsWithServiceAccount: bool() }),
});

/** TLS parameters of a passthrough auth service (its own ProtocolVersion enum, which has no TLSv1_0). */
const PassThroughTlsConfig = o({
  secretRef: ResourceRef,
  sslParams: o({
    minimumProtocolVersion: enumOf(['TLS_AUTO', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const),
    maximumProtocolVersion: enumOf(['TLS_AUTO', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const),
  }),
});

export const PassThroughAuth = o(
  {
    grpc: o({
      address: str(),
      connectionTimeout: duration(),
      tlsConfig: PassThroughTlsConfig,
      retryPolicy: o({
        numRetries: uint32(),
        retryBackOff: o({ baseInterval: duration(), maxInterval: duration() }),
      }),
    }),
    http: o({
      url: str(),
      request: o({
        allowedHeaders: arr(str()),
        headersToAdd: map(str()),
        passThroughState: bool(),
        passThroughFilterMetadata: bool(),
        passThroughBody: bool(),
      }),
      response: o({
        allowedUpstreamHeaders: arr(str()),
        allowedClientHeadersOnDenied: arr(str()),
        readStateFromResponse: bool(),
        allowedUpstreamHeadersToOverwrite: arr(str()),
        allowedClientHeadersOnSuccess: arr(str()),
      }),
      connectionTimeout: duration(),
      tlsConfig: PassThroughTlsConfig,
      responseHeaderTimeout: duration(),
      connectionPool: o({ maxConns: uint32(), idleTimeout: duration() }),
    }),
    config: struct(),
    failureModeAllow: bool(),
  },
  { oneofs: [['grpc', 'http']] },
);

export const HmacAuth = o({
  secretRefs: o({ secretRefs: arr(ResourceRef) }),
  parametersInHeaders: empty(),
});

/** Deprecated Go plugin: `{name, pluginFileName, exportedSymbolName, config}`. */
export const AuthPlugin = o({ name: str(), pluginFileName: str(), exportedSymbolName: str(), config: struct() });

export const PortalAuth = o({
  url: str(),
  apiKeyHeader: str(),
  redisOptions: RedisOptions,
  cacheDuration: duration(),
  requestTimeout: duration(),
});

// ---- AuthConfig ---------------------------------------------------------------------------------

/** One auth step: `{name?, basicAuth | oauth | oauth2 | apiKeyAuth | pluginAuth | opaAuth | ldap | jwt | passThroughAuth | hmacAuth | opaServerAuth | portalAuth}`. */
export const AuthConfigStep = o(
  {
    name: str(),
    basicAuth: BasicAuth,
    oauth: OAuth,
    oauth2: OAuth2,
    apiKeyAuth: ApiKeyAuth,
    pluginAuth: AuthPlugin,
    opaAuth: OpaAuth,
    ldap: Ldap,
    jwt: empty(),
    passThroughAuth: PassThroughAuth,
    hmacAuth: HmacAuth,
    opaServerAuth: OpaServerAuth,
    portalAuth: PortalAuth,
  },
  {
    oneofs: [
      [
        'basicAuth',
        'oauth',
        'oauth2',
        'apiKeyAuth',
        'pluginAuth',
        'opaAuth',
        'ldap',
        'jwt',
        'passThroughAuth',
        'hmacAuth',
        'opaServerAuth',
        'portalAuth',
      ],
    ],
  },
);
export type AuthConfigStep = Infer<typeof AuthConfigStep>;

/** Example (Gloo docs): `{configs: [{basicAuth: {apr: {users: {user: {salt: ..., hashedPassword: ...}}}}}]}`. */
export const AuthConfigSpec = obj({
  configs: arr(AuthConfigStep).notYet('external auth is not implemented yet'),
  booleanExpr: str().notYet('external auth is not implemented yet'),
  failOnRedirect: bool().notYet('external auth is not implemented yet'),
});
export type AuthConfigSpec = Infer<typeof AuthConfigSpec>;
