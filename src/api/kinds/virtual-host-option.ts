/**
 * VirtualHostOption (gateway.solo.io/v1): a reusable VirtualHostOptions blob, pulled into virtual
 * hosts by `virtualHost.optionsConfigRefs.delegateOptions` (inline options win, then earlier refs).
 *
 * Example:
 *   options: {cors: {allowOrigin: ['https://example.com'], allowMethods: [GET]}}
 */
import { obj, str, arr, type Infer } from '../schema.js';
import { VirtualHostOptions } from '../types/options.js';
import { notYetObj } from '../types/field-support.js';

/** `{group, kind, name, namespace?, sectionName?}` (Kubernetes Gateway API policy attachment). */
export const PolicyTargetReferenceWithSectionName = notYetObj('ignored', {
  group: str(),
  kind: str(),
  name: str(),
  namespace: str(),
  sectionName: str(),
});

export const VirtualHostOptionSpec = obj({
  options: VirtualHostOptions.supported(),
  targetRefs: arr(PolicyTargetReferenceWithSectionName).notYet(
    'ignored: targetRefs attach policies in Kubernetes Gateway API mode only',
  ),
});
export type VirtualHostOptionSpec = Infer<typeof VirtualHostOptionSpec>;
