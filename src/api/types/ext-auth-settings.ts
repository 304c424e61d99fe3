/**
 * The external auth server settings (enterprise.gloo.solo.io Settings, EE): where the extauth server
 * is and how the filter calls it. One definition for `settings.extauth` / `settings.namedExtauth` and
 * the listener's `extauth`.
 *
 * Example: `{extauthzServerRef: {name: extauth, namespace: gloo-system}, requestTimeout: 0.5s, userIdHeader: x-user-id}`.
 */
import { str, bool, uint32, duration, arr, map, enumOf, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { notYetObj } from './field-support.js';

const NOTE = 'ignored: external auth is not implemented yet';

/** Service oneof: `httpService {pathPrefix, request, response}` | `grpcService {authority}`. */
export const ExtAuthSettings = notYetObj(
  NOTE,
  {
    extauthzServerRef: ResourceRef,
    httpService: notYetObj(NOTE, {
      pathPrefix: str(),
      request: notYetObj(NOTE, {
        allowedHeaders: arr(str()),
        headersToAdd: map(str()),
        allowedHeadersRegex: arr(str()),
      }),
      response: notYetObj(NOTE, {
        allowedUpstreamHeaders: arr(str()),
        allowedClientHeaders: arr(str()),
        allowedUpstreamHeadersToAppend: arr(str()),
      }),
    }),
    grpcService: notYetObj(NOTE, { authority: str() }),
    userIdHeader: str(),
    requestTimeout: duration(),
    failureModeAllow: bool(),
    requestBody: notYetObj(NOTE, { maxRequestBytes: uint32(), allowPartialMessage: bool(), packAsBytes: bool() }),
    clearRouteCache: bool(),
    statusOnError: uint32(),
    transportApiVersion: enumOf(['V3'] as const),
    statPrefix: str(),
  },
  { oneofs: [['httpService', 'grpcService']] },
);
export type ExtAuthSettings = Infer<typeof ExtAuthSettings>;
