/**
 * The Settings in force for a translation: Gloo's canonical `<writeNamespace>/default` Settings
 * resource (else the first Settings in the write namespace), with Gloo's defaults for the knobs the
 * translators read. One place, so every stage reads the same values.
 */
import type { ApiSnapshot } from '../config/snapshot.js';
import type { Resource } from '../api/resource.js';
import type { SettingsSpec } from '../api/kinds/settings.js';

export interface EffectiveSettings {
  /** The Settings resource these values come from, if any. */
  resource: Resource<'Settings'> | undefined;
  spec: SettingsSpec;
  readGatewaysFromAllNamespaces: boolean;
  translateEmptyGateways: boolean;
  invalidConfigPolicy: { replaceInvalidRoutes: boolean; invalidRouteResponseCode: number; invalidRouteResponseBody: string };
  validation: { alwaysAccept: boolean; allowWarnings: boolean };
  disableKubernetesDestinations: boolean;
}

/** Gloo's default body for replaced invalid routes. */
export const DEFAULT_INVALID_ROUTE_BODY = 'Gloo Gateway has invalid configuration. Administrators should run `glooctl check` to find and fix config errors.';

export function settingsOf(snapshot: ApiSnapshot, writeNamespace: string): EffectiveSettings {
  const inNs = snapshot.settings.filter((s) => s.metadata.namespace === writeNamespace);
  const resource = inNs.find((s) => s.metadata.name === 'default') ?? inNs[0];
  const spec: SettingsSpec = resource?.spec ?? {};
  const gateway = spec.gateway ?? {};
  const gloo = spec.gloo ?? {};
  const policy = gloo.invalidConfigPolicy ?? {};
  return {
    resource,
    spec,
    readGatewaysFromAllNamespaces: gateway.readGatewaysFromAllNamespaces === true,
    translateEmptyGateways: gateway.translateEmptyGateways === true,
    invalidConfigPolicy: {
      replaceInvalidRoutes: policy.replaceInvalidRoutes === true,
      invalidRouteResponseCode: policy.invalidRouteResponseCode || 404,
      invalidRouteResponseBody: policy.invalidRouteResponseBody || DEFAULT_INVALID_ROUTE_BODY,
    },
    // Gloo's Helm defaults: permissive validation.
    validation: {
      alwaysAccept: gateway.validation?.alwaysAccept ?? true,
      allowWarnings: gateway.validation?.allowWarnings ?? true,
    },
    disableKubernetesDestinations: gloo.disableKubernetesDestinations === true,
  };
}
