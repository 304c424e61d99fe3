/**
 * Domain uniqueness across the VirtualServices of one Gateway (spec §1.4 step 4): a domain may
 * belong to one VS only; a VS without domains counts as `""` (= `*`). Conflicts are errors on each
 * VS involved and on the Gateway, in Gloo's words — lists printed as Go's `%v` prints a `[]string`
 * (`[a b]`), the empty domain shown as `EMPTY_DOMAIN` in the Gateway's reason.
 */
import type { Resource } from '../../api/resource.js';
import { resourceKey } from '../../api/resource.js';
import type { Reports } from '../reports.js';

/** A list as Go's `%v` prints a `[]string`: `[a b c]`. */
function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

export function reportDomainConflicts(
  gateway: Resource<'Gateway'>,
  virtualServices: readonly Resource<'VirtualService'>[],
  reports: Reports,
): void {
  const byDomain = new Map<string, Resource<'VirtualService'>[]>();
  for (const vs of virtualServices) {
    if (!vs.spec.virtualHost) continue;
    const domains = vs.spec.virtualHost.domains ?? [];
    for (const d of domains.length === 0 ? [''] : new Set(domains)) {
      const list = byDomain.get(d) ?? [];
      list.push(vs);
      byDomain.set(d, list);
    }
  }
  const conflicting: string[] = [];
  for (const [domain, owners] of byDomain) {
    if (owners.length < 2) continue;
    conflicting.push(domain);
    for (const vs of owners) {
      const others = goList(owners.filter((o) => o !== vs).map(resourceKey));
      reports.addError(
        vs,
        domain === ''
          ? `domain conflict: other virtual services that belong to the same Gateway as this one don't specify a domain (and thus default to '*'): ${others}`
          : `domain conflict: the [${domain}] domain is present in other virtual services that belong to the same Gateway as this one: ${others}`,
      );
    }
  }
  if (conflicting.length > 0) {
    reports.addError(
      gateway,
      `domain conflict: the following domains are present in more than one of the virtual services associated with this gateway: ${goList(conflicting.map((d) => (d === '' ? 'EMPTY_DOMAIN' : d)))}`,
    );
  }
}
