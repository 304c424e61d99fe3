/**
 * Assertions the API model tests share: load YAML expecting no error, one resource of a kind, or only
 * errors (formatted `file:line:column: field: message`), and the paths of unsupported fields.
 */
import assert from 'node:assert/strict';
import { loadResources, formatLoadError } from '../../../src/api/load.js';
import type { AnyResource, Resource } from '../../../src/api/resource.js';

export function loadOk(text: string, file = 'in.yaml'): AnyResource[] {
  const r = loadResources(text, file);
  assert.deepEqual(r.errors.map(formatLoadError), [], 'expected no load errors');
  return r.resources;
}

export function loadOne<K extends AnyResource['kind']>(kind: K, text: string): Resource<K> {
  const rs = loadOk(text);
  assert.equal(rs.length, 1);
  assert.equal(rs[0]!.kind, kind);
  return rs[0] as Resource<K>;
}

export function errorsOf(text: string, file = 'bad.yaml'): string[] {
  const r = loadResources(text, file);
  assert.equal(r.resources.length, 0, 'a resource with errors must not load');
  return r.errors.map(formatLoadError);
}

export function unsupportedPaths(r: AnyResource): string[] {
  return r.unsupported.map((u) => u.path);
}
