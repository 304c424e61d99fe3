/**
 * gloo.solo.io SourceMetadata: the resources a Proxy listener, virtual host or route was made from,
 * written by the gateway translator and read back to send reports to the user's resources.
 *
 * Example: `{sources: [{resourceRef: {name: petstore, namespace: gloo-system}, resourceKind: '*v1.VirtualService',
 * observedGeneration: '1'}]}`
 */
import { obj, str, arr, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';

export const SourceMetadata = obj({
  sources: arr(
    obj({ resourceRef: ResourceRef.supported(), resourceKind: str().supported(), observedGeneration: str().supported() }),
  ).supported(),
});
export type SourceMetadata = Infer<typeof SourceMetadata>;
