/**
 * Routes: the gateway.solo.io Route (VirtualService and RouteTable routes, with delegation) and the
 * gloo.solo.io Route that the Proxy carries (delegation resolved).
 */
import { obj, str, bool, uint32, arr, map, enumOf, struct, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { Matcher, RegexMatchAndSubstitute } from './matchers.js';
import { RouteAction } from './destination.js';
import { RouteOptions } from './options.js';
import { SourceMetadata } from './source-metadata.js';

export const RedirectAction = obj(
  {
    hostRedirect: str().supported(),
    pathRedirect: str().supported(),
    prefixRewrite: str().supported(),
    regexRewrite: RegexMatchAndSubstitute.notYet('ignored'),
    responseCode: enumOf([
      'MOVED_PERMANENTLY',
      'FOUND',
      'SEE_OTHER',
      'TEMPORARY_REDIRECT',
      'PERMANENT_REDIRECT',
    ] as const).supported(),
    httpsRedirect: bool().supported(),
    stripQuery: bool().supported(),
    portRedirect: uint32().supported(),
  },
  { oneofs: [['pathRedirect', 'prefixRewrite', 'regexRewrite']] },
);
export type RedirectAction = Infer<typeof RedirectAction>;

export const DirectResponseAction = obj({
  status: uint32().supported(),
  body: str().supported(),
});
export type DirectResponseAction = Infer<typeof DirectResponseAction>;

/**
 * gateway.solo.io RouteTableSelector.Expression: a label requirement `{key, operator, values[]}`
 * (Kubernetes semantics; operator omitted ⇒ Equals). Its own protobuf message, distinct from
 * selectors.core.gloo.solo.io Selector.Expression (`SelectorExpression` in ./matchers.ts).
 */
export const RouteTableSelectorExpression = obj({
  key: str().supported(),
  operator: enumOf([
    'Equals',
    'DoubleEquals',
    'NotEquals',
    'In',
    'NotIn',
    'Exists',
    'DoesNotExist',
    'GreaterThan',
    'LessThan',
  ] as const).supported(),
  values: arr(str()).supported(),
});
export type RouteTableSelectorExpression = Infer<typeof RouteTableSelectorExpression>;

/**
 * `{namespaces[], labels{}, expressions[]}`: namespaces omitted ⇒ the namespace of the resource that
 * holds the route, `['*']` ⇒ all; labels (equality) and expressions may not both be set.
 */
export const RouteTableSelector = obj({
  namespaces: arr(str()).supported(),
  labels: map(str()).supported(),
  expressions: arr(RouteTableSelectorExpression).supported(),
});
export type RouteTableSelector = Infer<typeof RouteTableSelector>;

/**
 * `{ref: {name, namespace}}` or `{selector: {namespaces, labels, expressions}}`; the deprecated
 * top-level `name`/`namespace` win over both when set.
 */
export const DelegateAction = obj(
  {
    name: str().supported(),
    namespace: str().supported(),
    ref: ResourceRef.supported(),
    selector: RouteTableSelector.supported(),
  },
  { oneofs: [['ref', 'selector']] },
);
export type DelegateAction = Infer<typeof DelegateAction>;

/** `{delegateOptions: [{name, namespace}]}`: VirtualHostOption / RouteOption resources merged under the inline options. */
export const DelegateOptionsRefs = obj({ delegateOptions: arr(ResourceRef).supported() });

/** A VirtualService / RouteTable route. Action oneof: routeAction | redirectAction | directResponseAction | delegateAction. */
export const GatewayRoute = obj(
  {
    matchers: arr(Matcher).supported(),
    inheritableMatchers: bool().supported(),
    inheritablePathMatchers: bool().supported(),
    routeAction: RouteAction.supported(),
    redirectAction: RedirectAction.supported(),
    directResponseAction: DirectResponseAction.supported(),
    delegateAction: DelegateAction.supported(),
    graphqlApiRef: ResourceRef.notYet('GraphQL was removed from Gloo in 1.20; the route is dropped'),
    options: RouteOptions.supported(),
    name: str().supported(),
    optionsConfigRefs: DelegateOptionsRefs.supported(),
  },
  { oneofs: [['routeAction', 'redirectAction', 'directResponseAction', 'delegateAction', 'graphqlApiRef']] },
);
export type GatewayRoute = Infer<typeof GatewayRoute>;

/** A Proxy route (gloo.solo.io Route): delegation already resolved. */
export const ProxyRoute = obj(
  {
    matchers: arr(Matcher).supported(),
    routeAction: RouteAction.supported(),
    redirectAction: RedirectAction.supported(),
    directResponseAction: DirectResponseAction.supported(),
    graphqlApiRef: ResourceRef.notYet('GraphQL was removed from Gloo in 1.20'),
    options: RouteOptions.supported(),
    name: str().supported(),
    // The SourceMetadata of listeners and virtual hosts; a route's sources are not read.
    metadataStatic: obj({
      ...SourceMetadata.shape,
      sources: SourceMetadata.shape.sources.notYet('ignored: only the sources of listeners and virtual hosts are read'),
    }).supported(),
    metadata: struct().notYet('ignored'),
  },
  {
    oneofs: [
      ['routeAction', 'redirectAction', 'directResponseAction', 'graphqlApiRef'],
      ['metadata', 'metadataStatic'],
    ],
  },
);
export type ProxyRoute = Infer<typeof ProxyRoute>;
