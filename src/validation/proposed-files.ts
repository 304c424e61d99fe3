/**
 * Reads the text of a proposed change (what `glooctl validate -f` sends, what a webhook receives)
 * into resources and load errors, with the loader the config directory uses, so a problem is
 * reported as `file:line:column: field: message` exactly as it would be once the file is in place.
 */
import { loadResources, type LoadError } from '../api/load.js';
import { resourceId, type AnyResource } from '../api/resource.js';
import type { ProposedChange, ResourceKey } from './validate-change.js';

/**
 * The content type of a validation request that carries several files (and deletions):
 * `{"files": [{"name": "vs.yaml", "content": "..."}], "delete": [{"kind", "namespace", "name"}]}`.
 * Any other body of `POST /api/v1/validate` is the YAML/JSON text of one file, named by `?file=`.
 */
export const VALIDATE_REQUEST_TYPE = 'application/vnd.gloo-ts.validate+json';

export interface ProposedFile {
  /** Shown in errors, e.g. `vs.yaml`. */
  name: string;
  content: string;
}

/**
 * The change that applies every resource of `files` (Kubernetes form; several documents per file)
 * and deletes `deletes`. A resource defined twice is used once (the first) and the second is
 * reported, as the directory source does.
 */
export function changeFromFiles(files: readonly ProposedFile[], deletes: readonly ResourceKey[] = []): ProposedChange {
  const apply: AnyResource[] = [];
  const loadErrors: LoadError[] = [];
  const firstAt = new Map<string, string>();
  for (const f of files) {
    const { resources, errors } = loadResources(f.content, f.name);
    loadErrors.push(...errors);
    for (const r of resources) {
      const id = resourceId(r);
      const where = `${r.source?.file ?? f.name}:${r.source?.line ?? 1}`;
      const first = firstAt.get(id);
      if (first) {
        loadErrors.push({
          file: r.source?.file ?? f.name,
          line: r.source?.line ?? 1,
          column: 1,
          message: `duplicate ${r.kind} ${r.metadata.namespace}.${r.metadata.name}: already defined at ${first}; this definition is ignored`,
        });
        continue;
      }
      firstAt.set(id, where);
      apply.push(r);
    }
  }
  return { apply, delete: [...deletes], loadErrors };
}
