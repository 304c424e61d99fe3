/**
 * Loading a golden case (`translator/<case>.in.yaml`, Gloo resources in Kubernetes form) into an
 * ApiSnapshot the way the pipeline would, shared by the golden suites.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadResources } from '../../src/api/load.js';
import { emptySnapshot, SNAPSHOT_FIELD, type ApiSnapshot } from '../../src/config/snapshot.js';
import { DEFAULT_NAMESPACE, type AnyResource } from '../../src/api/resource.js';
import { defaultGateways } from '../../src/translator/gateway/default-gateways.js';

/** The directory of the translator golden cases (in the source tree, not dist/). */
export const GOLDEN_TRANSLATOR_DIR = fileURLToPath(new URL('../../../test/golden/translator/', import.meta.url));

/** The `*.in.yaml` files of the translator golden cases, sorted. */
export function goldenCaseFiles(): string[] {
  return readdirSync(GOLDEN_TRANSLATOR_DIR)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort();
}

/** Loads a case file into a snapshot the way the pipeline would, default Gateways included. */
export function snapshotFromYaml(text: string, file: string): ApiSnapshot {
  const { resources, errors } = loadResources(text, file);
  const snapshot = emptySnapshot();
  const fields = SNAPSHOT_FIELD as Record<string, string | undefined>;
  const lists = snapshot as unknown as Record<string, AnyResource[] | undefined>;
  for (const r of resources) lists[fields[r.kind] ?? '']?.push(r);
  snapshot.errors = errors;
  if (snapshot.gateways.length === 0) snapshot.gateways = defaultGateways(DEFAULT_NAMESPACE);
  return snapshot;
}
