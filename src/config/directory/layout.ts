/**
 * Which files below a config directory are config, and what their place in Gloo's file layout says
 * about them: `<dir>/<kind plural>/<namespace>/<name>.yaml` hints kind and namespace,
 * `<dir>/<kind plural>/<file>.yaml` hints the kind only; anything else must carry its own
 * `apiVersion`/`kind` (the Kubernetes form).
 */
import { findKind } from '../../api/kinds.js';
import type { LayoutHint } from '../../api/load.js';

const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Names never read or descended into: dotfiles and dot-directories (`.git`, Kubernetes ConfigMap
 * mounts' `..data`, editors' `.#lock` files) and editor temp/backup files (`x.yaml~`, `x.swp`,
 * Emacs `#x.yaml#`).
 */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    name.endsWith('.swp') ||
    name.endsWith('.swx') ||
    (name.startsWith('#') && name.endsWith('#'))
  );
}

/** A file the directory source reads (`*.yaml`, `*.yml`, `*.json`, not ignored). */
export function isConfigFileName(name: string): boolean {
  if (isIgnoredName(name)) return false;
  const lower = name.toLowerCase();
  return CONFIG_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
}

/**
 * The layout hint for a file, from its path relative to the config directory (`/`-separated).
 * Examples: `virtualservices/gloo-system/default.yaml` → {kind: VirtualService, namespace: gloo-system};
 * `upstreams/all.yaml` → {kind: Upstream}; `apps/petstore.yaml` → {}.
 */
export function layoutHint(rel: string): LayoutHint {
  const parts = rel.split('/');
  if (parts.length !== 2 && parts.length !== 3) return {};
  const kind = findKind(parts[0]!);
  // Only the plural is a directory name in Gloo's layout; `vs/` or `upstream/` are ordinary folders.
  if (!kind || kind.plural !== parts[0]) return {};
  return parts.length === 3 ? { kind, namespace: parts[1]! } : { kind };
}

/** Deterministic path order (code units, not locale), used for "first definition wins". */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
