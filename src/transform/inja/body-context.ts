/**
 * Building the template context the way envoy-gloo's transformer does, for the transformation filter:
 * the JSON body (`parseJson`) with, when templates are not advanced, each extractor's value written
 * into it at its dotted name (`setExtraction`), which is also what `mergeExtractorsToBody` serializes
 * (`dumpJson`).
 */
import { getOwn, isObject, putOwn, typeName, type JsonObject, type JsonValue } from './json-value.js';
import { jsonError } from './errors.js';

/**
 * Writes an extraction into the context as envoy-gloo does without advanced templates: `a.b` sets
 * `ctx.a.b` (creating objects), replacing what was there. A null context becomes an object; a step
 * through a non-object value (an array body, a string field) throws nlohmann's type error 305, which
 * envoy-gloo turns into a 400. Returns the context (a new object when it was null). Mutates the
 * objects on the path: call it on the request's own parsed body.
 * Example: setExtraction(null, 'user.id', '123') is `{user: {id: '123'}}`.
 */
export function setExtraction(json: JsonValue, name: string, value: string): JsonValue {
  const root = objectIn(json);
  let cur = root;
  const parts = name.split('.');
  for (let i = 0; i < parts.length - 1; i++) {
    const existing = getOwn(cur, parts[i]) ?? null;
    const next = objectIn(existing);
    if (next !== existing) putOwn(cur, parts[i], next);
    cur = next;
  }
  putOwn(cur, parts[parts.length - 1], value);
  return root;
}

function objectIn(v: JsonValue): JsonObject {
  if (v === null) return {};
  if (isObject(v)) return v;
  throw jsonError('type_error.305', `cannot use operator[] with a string argument with ${typeName(v)}`);
}
