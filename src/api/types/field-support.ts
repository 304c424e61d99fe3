/**
 * Marking the support level of many fields at once. Most of the Gloo API is typed in full (so it
 * validates and documents itself) long before gloo-ts implements it; this keeps those definitions
 * readable by marking every not-yet-implemented field of a message in one place
 * (`./upstream-common.ts` re-exports `notYetObj` for the upstream-side schemas).
 */
import { obj, arr, map, ArraySchema, MapSchema, ObjectSchema, type ObjectOptions, type Schema, type Shape } from '../schema.js';

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

/**
 * A copy of a message that gloo-ts translates in full (e.g. carried into Envoy config): every field
 * marked not-yet becomes `.supported()`, recursively through sub-messages, lists and maps of them, except
 * the fields named in `except` (dotted paths from this message, e.g. `httpHealthCheck.responseAssertions`),
 * which keep their mark. Fields marked supported or partial keep their mark. The copy keeps the
 * original's own mark, so the caller marks the field that holds it.
 * Example: `translatedCopy(SslConfig, ['sds'])`.
 */
export function translatedCopy<S extends Shape>(schema: ObjectSchema<S>, except: readonly string[] = []): ObjectSchema<S> {
  const shape: Shape = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (except.includes(key)) {
      shape[key] = field;
      continue;
    }
    const nested = except.filter((e) => e.startsWith(`${key}.`)).map((e) => e.slice(key.length + 1));
    shape[key] = translatedField(field, nested);
  }
  const out = obj(shape as S, schema.options);
  out.support = schema.support;
  out.supportNote = schema.supportNote;
  out.description = schema.description;
  return out;
}

function translatedField(field: Schema<unknown>, except: readonly string[]): Schema<unknown> {
  if (field.support !== 'no') return field;
  let inner: Schema<unknown> = field;
  if (field instanceof ObjectSchema) inner = translatedCopy(field as ObjectSchema<Shape>, except);
  else if (field instanceof ArraySchema && field.item instanceof ObjectSchema) inner = arr(translatedCopy(field.item as ObjectSchema<Shape>, except));
  else if (field instanceof MapSchema && field.value instanceof ObjectSchema) inner = map(translatedCopy(field.value as ObjectSchema<Shape>, except));
  const out = inner.supported();
  out.description = field.description;
  return out;
}

/** How `implementedCopy` marks one field: partly implemented, or not yet, with the note to show. */
export type FieldMark = { partial: string } | { notYet: string };

/**
 * A copy of a message that gloo-ts implements end to end (translated and enforced by the data plane):
 * every field marked not-yet becomes `.supported()` without a note, recursively, except the fields
 * named in `marks` (dotted paths from this message), which get the given mark and note. Fields marked
 * supported or partial keep their mark. The copy keeps the original's own mark, so the caller marks
 * the field that holds it.
 * Example: `implementedCopy(CircuitBreakerConfig, { trackRemaining: { partial: 'no gauges' } })`.
 */
export function implementedCopy<S extends Shape>(schema: ObjectSchema<S>, marks: Readonly<Record<string, FieldMark>> = {}): ObjectSchema<S> {
  const shape: Shape = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const nested: Record<string, FieldMark> = {};
    for (const [p, m] of Object.entries(marks)) if (p.startsWith(`${key}.`)) nested[p.slice(key.length + 1)] = m;
    const mark = marks[key];
    if (mark !== undefined && 'notYet' in mark) {
      shape[key] = field.notYet(mark.notYet);
      continue;
    }
    let f = field;
    if (field.support === 'no') f = implementedField(field, nested);
    if (mark !== undefined) f = f.partial(mark.partial);
    shape[key] = f;
  }
  const out = obj(shape as S, schema.options);
  out.support = schema.support;
  out.supportNote = schema.supportNote;
  out.description = schema.description;
  return out;
}

function implementedField(field: Schema<unknown>, marks: Record<string, FieldMark>): Schema<unknown> {
  let inner: Schema<unknown> = field;
  if (field instanceof ObjectSchema) inner = implementedCopy(field as ObjectSchema<Shape>, marks);
  else if (field instanceof ArraySchema && field.item instanceof ObjectSchema) inner = arr(implementedCopy(field.item as ObjectSchema<Shape>, marks));
  else if (field instanceof MapSchema && field.value instanceof ObjectSchema) inner = map(implementedCopy(field.value as ObjectSchema<Shape>, marks));
  const out = inner.supported();
  out.supportNote = undefined;
  out.description = field.description;
  return out;
}
