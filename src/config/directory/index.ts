/**
 * The directory config source: Gloo's file layout (`<dir>/<kind plural>/<namespace>/<name>.yaml`)
 * plus Kubernetes-form YAML/JSON files anywhere below the directory.
 */
export {
  DirectoryConfigSource,
  loadDirectoryOnce,
  type DirectorySourceOptions,
  type DirectorySourceLogger,
} from './directory-source.js';
export { ConfigDirectoryError } from './directory-reader.js';
export { layoutHint, isConfigFileName, isIgnoredName } from './layout.js';
