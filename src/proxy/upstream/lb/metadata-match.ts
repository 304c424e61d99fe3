/**
 * Subset keys: a route's `metadata_match` and a host's metadata, both read from the `envoy.lb` filter
 * namespace, turned into canonical strings at config time so a request finds its subset with one map
 * lookup. A value is typed (`s:v1`, `n:3`, `b:true`), so the string "3" and the number 3 differ, as in
 * Envoy's protobuf value comparison.
 *
 * Example: `{envoy.lb: {version: v1, stage: prod}}` → keys `stage\0version`, id `stage\0s:prod\0version\0s:v1`.
 */
import type { Metadata, Struct, StructValue } from '../../../xds/envoy-types.js';
import type { UpstreamHost } from '../host.js';

export const LB_NAMESPACE = 'envoy.lb';

export interface MetadataMatch {
  /** The key names, sorted, joined by NUL. */
  readonly keys: string;
  /** Keys and canonical values, sorted by key, joined by NUL. */
  readonly id: string;
  /** [key, canonical value], sorted by key. */
  readonly entries: readonly (readonly [string, string])[];
}

/** A protobuf Value as a canonical string. */
export function canonicalValue(v: StructValue | undefined): string {
  if (v === undefined || v === null) return 'z';
  if ('stringValue' in v) return `s:${v.stringValue}`;
  if ('numberValue' in v) return `n:${v.numberValue}`;
  if ('boolValue' in v) return `b:${v.boolValue}`;
  if ('nullValue' in v) return 'z';
  return `j:${JSON.stringify(v)}`;
}

export function matchOf(entries: Iterable<readonly [string, string]>): MetadataMatch | null {
  const sorted = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (sorted.length === 0) return null;
  return {
    keys: sorted.map((e) => e[0]).join('\0'),
    id: sorted.map((e) => `${e[0]}\0${e[1]}`).join('\0'),
    entries: sorted,
  };
}

function fieldsOf(s: Struct | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(s?.fields ?? {})) out.push([k, canonicalValue(v)]);
  return out;
}

/**
 * The route's `metadata_match` (`envoy.lb` only), with a weighted cluster's own `metadata_match`
 * merged over it (its keys win), or null when neither has any key.
 */
export function compileMetadataMatch(route: Metadata | undefined, override?: Metadata): MetadataMatch | null {
  const merged = new Map<string, string>(fieldsOf(route?.filter_metadata?.[LB_NAMESPACE]));
  for (const [k, v] of fieldsOf(override?.filter_metadata?.[LB_NAMESPACE])) merged.set(k, v);
  return matchOf(merged);
}

/** The host's `envoy.lb` metadata as key → canonical value. */
export function hostLbMetadata(h: UpstreamHost): Map<string, string> {
  return new Map(fieldsOf(h.metadata?.[LB_NAMESPACE]));
}

/** The match made of these keys only, or null when the host or match lacks one of them. */
export function restrict(values: ReadonlyMap<string, string>, keys: readonly string[]): MetadataMatch | null {
  const entries: [string, string][] = [];
  for (const k of keys) {
    const v = values.get(k);
    if (v === undefined) return null;
    entries.push([k, v]);
  }
  return matchOf(entries);
}
