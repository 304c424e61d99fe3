/**
 * `headerManipulation` on virtual hosts, routes and weighted destinations (spec §2.5.2) → Envoy's
 * `request_headers_to_add/remove` and `response_headers_to_add/remove` at the same level.
 * `append` unset or true ⇒ `APPEND_IF_EXISTS_OR_ADD`, false ⇒ `OVERWRITE_IF_EXISTS_OR_ADD`; values
 * keep Envoy `%VAR%` format strings as written. A `headerSecretRef` adds every key/value of that
 * Secret (a `gloo.solo.io/header` secret) from the snapshot; a missing secret is an error with
 * Gloo's wording (`list did not find secret <ns>.<name>`).
 */
import type { Plugin, ProblemSink, TranslationParams } from '../../plugin.js';
import type { HeaderManipulation } from '../../../../api/types/options.js';
import type { HeaderValueOption } from '../../../../xds/envoy-types.js';
import { secretData } from '../../../../api/load.js';

interface HeaderEdits {
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
}

function option(key: string, value: string, append: boolean | undefined): HeaderValueOption {
  return { header: { key, value }, append_action: append === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD' };
}

/** Writes the edits of `h` onto `out` (a virtual host, route or weighted cluster). */
export function applyHeaderManipulation(params: TranslationParams, report: ProblemSink, h: HeaderManipulation | undefined, out: HeaderEdits): void {
  if (!h) return;
  const reqAdd: HeaderValueOption[] = [];
  for (const o of h.requestHeadersToAdd ?? []) {
    if (o.header) reqAdd.push(option(o.header.key ?? '', o.header.value ?? '', o.append));
    else if (o.headerSecretRef) {
      const ns = o.headerSecretRef.namespace ?? '';
      const name = o.headerSecretRef.name ?? '';
      const secret = params.snapshot.secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === name);
      if (!secret) {
        report.error(`list did not find secret ${ns}.${name}`);
        continue;
      }
      const data = secretData(secret.spec);
      for (const k of Object.keys(data).sort()) reqAdd.push(option(k, data[k]!.toString('utf8'), o.append));
    }
  }
  if (reqAdd.length > 0) out.request_headers_to_add = reqAdd;
  if (h.requestHeadersToRemove?.length) out.request_headers_to_remove = [...h.requestHeadersToRemove];
  const resAdd = (h.responseHeadersToAdd ?? []).filter((o) => o.header).map((o) => option(o.header!.key ?? '', o.header!.value ?? '', o.append));
  if (resAdd.length > 0) out.response_headers_to_add = resAdd;
  if (h.responseHeadersToRemove?.length) out.response_headers_to_remove = [...h.responseHeadersToRemove];
}

export const headerManipulationPlugin: Plugin = {
  name: 'header-manipulation',
  processVirtualHost(params, vh, out) {
    applyHeaderManipulation(params, params.report, vh.options?.headerManipulation, out);
  },
  processRoute(params, route, out) {
    applyHeaderManipulation(params, params.report, route.options?.headerManipulation, out);
  },
  processWeightedDestination(params, d, out) {
    applyHeaderManipulation(params, params.report, d.options?.headerManipulation, out);
  },
};
