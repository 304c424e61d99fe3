/**
 * Core shared API types: resource references and metadata.
 */
import { obj, str, map, int64, type Infer } from '../schema.js';

/** `{name, namespace}` — core.solo.io ResourceRef. Example: `{name: petstore, namespace: gloo-system}`. */
export const ResourceRef = obj({
  name: str().supported(),
  namespace: str().supported(),
});
export type ResourceRef = Infer<typeof ResourceRef>;

/** Kubernetes object metadata, as far as Gloo uses it. */
export const ObjectMeta = obj({
  name: str(),
  namespace: str(),
  labels: map(str()),
  annotations: map(str()),
  resourceVersion: str(),
  generation: int64(),
  uid: str(),
  creationTimestamp: str(),
  generateName: str(),
  finalizers: str().notYet('ignored'),
  ownerReferences: str().notYet('ignored'),
  managedFields: str().notYet('ignored'),
});
