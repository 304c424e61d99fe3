/**
 * `optionsConfigRefs.delegateOptions` (spec §1.6): VirtualHostOption resources under a
 * VirtualService's virtual host, RouteOption resources under a route. Precedence: the inline
 * `options` fields win, then earlier refs over later ones; the merge is shallow (a top-level field
 * is taken whole from the first place that sets it). A ref that names nothing is a Warning on the
 * resource holding it, in solo-kit's words (`list did not find routeOption ns.name`), and is skipped.
 * A ref without a namespace means the holder's namespace.
 */
import type { Resource } from '../../api/resource.js';
import type { ResourceRef } from '../../api/types/core.js';

/**
 * `preferred` with every top-level field it leaves unset taken from `fallback` (Gloo's shallow
 * options merge). Undefined when both are. Example: `shallowMerge({timeout: '1s'}, {timeout: '9s',
 * retries: {…}})` → `{timeout: '1s', retries: {…}}`.
 */
export function shallowMerge<T extends object>(preferred: T | undefined, fallback: T | undefined): T | undefined {
  if (!fallback) return preferred;
  if (!preferred) return fallback;
  const out = { ...preferred } as Record<string, unknown>;
  for (const [k, v] of Object.entries(fallback)) if (out[k] === undefined && v !== undefined) out[k] = v;
  return out as T;
}

type OptionKind = 'VirtualHostOption' | 'RouteOption';

/** solo-kit's `Find` error: `list did not find virtualHostOption ns.name`. */
export function optionNotFound(kind: OptionKind, namespace: string, name: string): string {
  const listName = kind.charAt(0).toLowerCase() + kind.slice(1);
  return `list did not find ${listName} ${namespace}.${name}`;
}

/**
 * The inline `options` with the referenced resources' options merged under them. `warn` receives
 * one message per missing ref.
 */
export function withDelegatedOptions<K extends OptionKind, O extends object>(
  kind: K,
  inline: O | undefined,
  refs: readonly ResourceRef[] | undefined,
  ownerNamespace: string,
  resources: readonly Resource<K>[],
  warn: (message: string) => void,
): O | undefined {
  let out = inline;
  for (const ref of refs ?? []) {
    const namespace = ref.namespace || ownerNamespace;
    const name = ref.name ?? '';
    const found = resources.find((r) => r.metadata.namespace === namespace && r.metadata.name === name);
    if (!found) {
      warn(optionNotFound(kind, namespace, name));
      continue;
    }
    out = shallowMerge(out, (found.spec as { options?: O }).options);
  }
  return out;
}
