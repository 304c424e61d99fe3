/**
 * Helpers for marking the support level of many fields at once. Most of the Gloo API is typed in
 * full (so it validates and documents itself) long before gloo-ts implements it; these helpers keep
 * those definitions readable by marking every not-yet-implemented field in one place.
 */
import { obj, type ObjectOptions, type Shape } from '../schema.js';

/**
 * `shape` with every field that carries no support mark of its own marked `.notYet(note)`; fields
 * already marked (`.supported()`, `.partial()`, or `.notYet()` with a note) keep their mark.
 */
export function notYetFields<S extends Shape>(shape: S, note = 'ignored'): S {
  const out: Shape = {};
  for (const [key, field] of Object.entries(shape)) {
    out[key] = field.support === 'no' && field.supportNote === undefined ? field.notYet(note) : field;
  }
  return out as S;
}

/** `obj(shape, options)` for a message gloo-ts does not implement yet: see `notYetFields`. */
export function notYetObj<S extends Shape>(shape: S, options?: ObjectOptions<S>, note = 'ignored') {
  return obj(notYetFields(shape, note), options);
}
