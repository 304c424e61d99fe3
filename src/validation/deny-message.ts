/**
 * Gloo's admission deny message, character for character (spec §3.3), so runbooks and scripts that
 * grep for it keep working. Gloo builds it from Go errors:
 *
 *   resource incompatible with current Gloo snapshot: [<item> <item> …]
 *
 * (`%v` of an error slice: brackets, items separated by one space), where an item for a resource is
 *
 *   Validating *v1.VirtualService failed: 1 error occurred:
 *   \t* Validating *v1.VirtualService failed: validating *v1.VirtualService name:"x"  namespace:"y": <problems>
 *   (blank line)
 *
 * — a hashicorp multierror (hence "1 error occurred:", the tab-star and the two trailing newlines)
 * around the validator's wrap of the resource ref in protobuf text form (two spaces before
 * `namespace`), with several problems joined by "; " (go.uber.org/multierr). An item for text that
 * could not be read is `could not unmarshal raw object: <file:line:column: field: message>`.
 */
import { findKind } from '../api/kinds.js';

export interface DenyItem {
  kind: string;
  namespace: string;
  name: string;
  problems: string[];
}

export const DENY_PREFIX = 'resource incompatible with current Gloo snapshot: ';

/** Go's `%T` of the resource type in Gloo: `*v1.VirtualService`, `*v1alpha1.RateLimitConfig`. */
export function goTypeName(kind: string): string {
  return `*${findKind(kind)?.version ?? 'v1'}.${kind}`;
}

export function denyItem(item: DenyItem): string {
  const t = goTypeName(item.kind);
  const inner = `Validating ${t} failed: validating ${t} name:"${item.name}"  namespace:"${item.namespace}": ${item.problems.join('; ')}`;
  return `Validating ${t} failed: 1 error occurred:\n\t* ${inner}\n\n`;
}

export function denyMessage(loadItems: string[], items: DenyItem[]): string {
  return `${DENY_PREFIX}[${[...loadItems, ...items.map(denyItem)].join(' ')}]`;
}
