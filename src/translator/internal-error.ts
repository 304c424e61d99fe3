/**
 * Translation never throws (DESIGN §1.2): an unexpected exception while translating one resource
 * becomes this error on that resource.
 */
export function internalError(err: unknown): string {
  return `internal error while translating: ${err instanceof Error ? err.message : String(err)}`;
}
