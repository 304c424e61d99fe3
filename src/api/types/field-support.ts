/**
 * Marking the support level of many fields at once. Most of the Gloo API is typed in full (so it
 * validates and documents itself) long before gloo-ts implements it; this keeps those definitions
 * readable by marking every not-yet-implemented field of a message in one place
 * (`./upstream-common.ts` re-exports `notYetObj` for the upstream-side schemas).
 */
import { obj, type ObjectOptions, type ObjectSchema, type Shape } from '../schema.js';

/**
 * A protobuf message none of whose fields gloo-ts implements yet: every field that carries no mark
 * of its own gets `.notYet(note)`; fields already marked (`.supported()`, `.partial()`, or `.notYet()`
 * with a note) keep their mark. Example: `notYetObj('ignored', { key: str(), value: str() })`.
 */
export function notYetObj<S extends Shape>(note: string, shape: S, options?: ObjectOptions<S>): ObjectSchema<S> {
  const marked: Shape = {};
  for (const [key, field] of Object.entries(shape)) {
    marked[key] = field.support === 'no' && field.supportNote === undefined ? field.notYet(note) : field;
  }
  return obj(marked as S, options);
}
