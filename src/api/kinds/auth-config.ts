/**
 * AuthConfig (enterprise.gloo.solo.io/v1): external auth policies (issue: extauth).
 */
import { obj, arr, str, bool, any, type Infer } from '../schema.js';

export const AuthConfigSpec = obj({
  configs: arr(any()).notYet('external auth is not implemented yet'),
  booleanExpr: str().notYet('external auth is not implemented yet'),
  failOnRedirect: bool().notYet('external auth is not implemented yet'),
});
export type AuthConfigSpec = Infer<typeof AuthConfigSpec>;
