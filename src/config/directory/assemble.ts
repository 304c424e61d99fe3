/**
 * Builds the ApiSnapshot from the files' states, in path order: the first definition of a
 * kind/namespace/name wins, later ones are ignored and reported at their own location.
 */
import type { LoadError } from '../../api/load.js';
import { resourceId, type AnyResource } from '../../api/resource.js';
import { emptySnapshot, SNAPSHOT_FIELD, type ApiSnapshot } from '../snapshot.js';
import type { FileState } from './file-state.js';
import { comparePaths } from './layout.js';

/**
 * `files` must be sorted by path. `extraErrors` are problems not tied to one file's content (an
 * unreadable sub-directory). The result is frozen (its resources already are).
 */
export function assembleSnapshot(files: readonly FileState[], extraErrors: readonly LoadError[] = []): ApiSnapshot {
  const snapshot = emptySnapshot();
  const lists = snapshot as unknown as Record<string, AnyResource[] | undefined>;
  const errors: LoadError[] = [...extraErrors];
  const firstAt = new Map<string, { file: string; line: number }>();
  for (const file of files) {
    errors.push(...file.errors);
    for (const r of file.resources) {
      const id = resourceId(r);
      const where = { file: r.source?.file ?? file.rel, line: r.source?.line ?? 1 };
      const first = firstAt.get(id);
      if (first) {
        errors.push(
          Object.freeze({
            file: where.file,
            line: where.line,
            column: 1,
            message: `duplicate ${r.kind} ${r.metadata.namespace}.${r.metadata.name}: already defined at ${first.file}:${first.line}; this definition is ignored`,
            resource: Object.freeze({ kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name }),
          }),
        );
        continue;
      }
      const list = lists[(SNAPSHOT_FIELD as Record<string, string | undefined>)[r.kind] ?? ''];
      if (!list) {
        // A kind the loader knows but the snapshot has no place for: say so rather than drop it silently.
        errors.push(
          Object.freeze({ file: where.file, line: where.line, column: 1, message: `kind ${r.kind} is not served from a config directory yet; ignored` }),
        );
        continue;
      }
      firstAt.set(id, where);
      list.push(r);
    }
  }
  // Stable sort: errors at the same position keep the loader's order.
  errors.sort((a, b) => comparePaths(a.file, b.file) || a.line - b.line || a.column - b.column);
  snapshot.errors = errors;
  for (const list of Object.values(snapshot)) Object.freeze(list);
  return Object.freeze(snapshot);
}
