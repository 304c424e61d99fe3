/**
 * Kubernetes Secret (v1): read as Gloo reads it — `type`, `data` (base64) and `stringData`.
 */
import { obj, str, map, bool, type Infer } from '../schema.js';

export const SecretBody = obj({
  type: str().supported(),
  data: map(str()).supported(),
  stringData: map(str()).supported(),
  immutable: bool().supported(),
});
export type SecretBody = Infer<typeof SecretBody>;
