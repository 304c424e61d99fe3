/**
 * YAML/JSON loading of Gloo resources: multi-document files, the Kubernetes form
 * (`apiVersion/kind/metadata/spec/status`) and solo-kit's flat form (kind implied by the directory,
 * spec fields at the top level). Every problem is reported as `file:line:column: field: message`.
 */
import jsyaml from 'js-yaml';
import { LineCounter, parseAllDocuments, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { KINDS, findKind, type KindInfo } from './kinds.js';
import { validate, formatPath, type PathSegment } from './schema.js';
import { ObjectMeta } from './types/core.js';
import { DEFAULT_NAMESPACE, type AnyResource, type Metadata } from './resource.js';

/** A problem in an input file. `resource` is set when the document named a resource. */
export interface LoadError {
  file: string;
  line: number;
  column: number;
  /** Display path of the offending field, e.g. `spec.virtualHost.routes[0].matchers[0].regex`. */
  field?: string;
  message: string;
  resource?: { kind: string; namespace: string; name: string };
  /** true when the YAML itself could not be parsed (the whole file is unusable). */
  syntax?: boolean;
}

export function formatLoadError(e: LoadError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.field ? `${e.field}: ` : ''}${e.message}`;
}

export interface LoadResult {
  resources: AnyResource[];
  errors: LoadError[];
}

/** What the file's place in Gloo's directory layout says (`<plural>/<namespace>/<name>.yaml`). */
export interface LayoutHint {
  kind?: KindInfo;
  namespace?: string;
}

const KUBE_TOP = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

function toPos(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The node for `path` (a map key's own node when the last segment is a key), or its nearest existing ancestor. */
function nodeAt(doc: Document, path: PathSegment[]): Node | undefined {
  for (let n = path.length; n >= 1; n--) {
    const parent = doc.getIn(path.slice(0, n - 1), true) as Node | undefined;
    const seg = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(seg));
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key;
    } else if (isSeq(parent) && typeof seg === 'number') {
      const item = parent.items[seg] as Node | undefined;
      if (item && item.range) return item;
    }
  }
  const root = doc.contents as Node | null;
  return root?.range ? root : undefined;
}

/**
 * Parses one file's text into resources. Never throws.
 *
 * Two parsers, one result: js-yaml (about 20× faster) reads the file first; when every document
 * loads cleanly that is the answer. Otherwise — any syntax or validation problem, or documents whose
 * start lines cannot be told — the file is read again with \`yaml\`, whose syntax tree gives every
 * error its line and column. Both use YAML 1.2's core schema (no timestamps, no merge keys), so they
 * read the same values.
 */
export function loadResources(text: string, file: string, hint: LayoutHint = {}): LoadResult {
  return loadFast(text, file, hint) ?? loadWithPositions(text, file, hint);
}

function loadFast(text: string, file: string, hint: LayoutHint): LoadResult | undefined {
  // Anchors (and so aliases) go to the careful path, which bounds alias expansion.
  if (/(^|[\s[{,:-])&\S/m.test(text)) return undefined;
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA, filename: file });
  } catch {
    return undefined;
  }
  const starts = documentStartLines(text);
  if (starts.length !== docs.length) return undefined;
  const result: LoadResult = { resources: [], errors: [] };
  let failed = false;
  const errorAt = () => {
    failed = true;
  };
  for (let i = 0; i < docs.length && !failed; i++) loadObject(docs[i], file, hint, starts[i]!, errorAt, result);
  return failed ? undefined : result;
}

/** The first content line (1-based) of each YAML document in `text`, in order. */
function documentStartLines(text: string): number[] {
  const starts: number[] = [];
  const lines = text.split('\n');
  let inDoc = false;
  let explicitStart = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^---(\s|$)/.test(line)) {
      if (explicitStart && !inDoc) starts.push(i); // an empty document
      explicitStart = true;
      inDoc = false;
      // content on the marker line itself (`--- {a: 1}`)
      if (/^---\s+[^\s#]/.test(line)) {
        starts.push(i + 1);
        inDoc = true;
      }
      continue;
    }
    if (/^\.\.\.(\s|$)/.test(line)) {
      if (explicitStart && !inDoc) starts.push(i);
      explicitStart = false;
      inDoc = false;
      continue;
    }
    if (!inDoc && line.trim() !== '' && !/^\s*#/.test(line) && !/^%/.test(line)) {
      starts.push(i + 1);
      inDoc = true;
    }
  }
  if (explicitStart && !inDoc) starts.push(lines.length);
  return starts;
}

/** The careful path alone (every error with its position); `loadResources` uses it when needed. */
export function loadWithPositions(text: string, file: string, hint: LayoutHint = {}): LoadResult {
  const lineCounter = new LineCounter();
  const result: LoadResult = { resources: [], errors: [] };
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    result.errors.push({ file, line: 1, column: 1, message: `cannot parse: ${(err as Error).message}`, syntax: true });
    return result;
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = toPos(lineCounter, e.pos[0]);
        result.errors.push({ file, ...pos, message: e.message.split('\n')[0]!, syntax: true });
      }
      continue;
    }
    loadDocument(doc, file, hint, lineCounter, result);
  }
  // A syntax error anywhere makes the whole file unusable: keep nothing from it.
  if (result.errors.some((e) => e.syntax)) result.resources = [];
  return result;
}

type ErrorAt = (path: PathSegment[], message: string, resource?: LoadError['resource']) => void;

function loadDocument(doc: Document.Parsed, file: string, hint: LayoutHint, lc: LineCounter, out: LoadResult): void {
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const docStart = doc.contents?.range ? toPos(lc, doc.contents.range[0]) : { line: 1, column: 1 };
  const errorAt: ErrorAt = (path, message, resource) => {
    const node = nodeAt(doc, path);
    const pos = node?.range ? toPos(lc, node.range[0]) : docStart;
    out.errors.push({ file, ...pos, ...(path.length ? { field: formatPath(path) } : {}), message, ...(resource ? { resource } : {}) });
  };
  loadObject(raw, file, hint, docStart.line, errorAt, out);
}

/** Validates one parsed document into a resource; problems go to `errorAt`. */
function loadObject(raw: unknown, file: string, hint: LayoutHint, line: number, errorAt: ErrorAt, out: LoadResult): void {
  if (raw === null || raw === undefined) return; // empty document
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errorAt([], `expected a resource (a map), got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
    return;
  }
  const obj = raw as Record<string, unknown>;
  const kubeForm = typeof obj.kind === 'string' || typeof obj.apiVersion === 'string';

  let info: KindInfo | undefined;
  if (kubeForm) {
    if (typeof obj.kind !== 'string') return errorAt(['kind'], 'missing "kind" (a resource with apiVersion needs a kind)');
    if (typeof obj.apiVersion !== 'string') return errorAt(['apiVersion'], 'missing "apiVersion"');
    info = findKind(obj.kind);
    if (!info || info.kind !== obj.kind) {
      return errorAt(['kind'], `unknown kind "${obj.kind}" (apiVersion ${obj.apiVersion}); gloo-ts reads ${kindList()}`);
    }
    const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    if (group !== info.group) {
      return errorAt(['apiVersion'], `kind ${info.kind} belongs to apiVersion ${info.apiVersion}, not ${obj.apiVersion}`);
    }
  } else {
    info = hint.kind;
    if (!info)
      return errorAt(
        [],
        'cannot tell the kind of this resource: add "apiVersion" and "kind", or put the file in Gloo\'s layout <kind plural>/<namespace>/<name>.yaml',
      );
  }

  // metadata
  const metaRaw = obj.metadata;
  if (metaRaw === undefined || metaRaw === null) return errorAt(['metadata'], 'missing "metadata" with a name');
  const meta = validate(ObjectMeta, metaRaw);
  for (const e of meta.errors) errorAt(['metadata', ...e.path], e.message);
  if (!meta.value) return;
  const name = meta.value.name;
  if (!name) return errorAt(['metadata', 'name'], 'missing "metadata.name"');
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253)
    return errorAt(['metadata', 'name'], `invalid name "${name}": lower case letters, digits, "-" and "." only`);
  const namespace = meta.value.namespace ?? hint.namespace ?? DEFAULT_NAMESPACE;
  const metadata: Metadata = { name, namespace };
  if (meta.value.labels) metadata.labels = meta.value.labels;
  if (meta.value.annotations) metadata.annotations = meta.value.annotations;
  if (meta.value.resourceVersion) metadata.resourceVersion = meta.value.resourceVersion;
  if (meta.value.generation !== undefined) metadata.generation = meta.value.generation;
  const resource = { kind: info.kind, namespace, name };

  // body
  let body: Record<string, unknown> = {};
  let bodyPath: PathSegment[] = [];
  if (info.topLevelBody || !kubeForm) {
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'metadata' || k === 'status' || (kubeForm && (k === 'apiVersion' || k === 'kind'))) continue;
      body[k] = v;
    }
  } else {
    for (const k of Object.keys(obj)) {
      if (!KUBE_TOP.has(k)) errorAt([k], `unknown field "${k}" (a ${info.kind} has apiVersion, kind, metadata, spec, status)`, resource);
    }
    if (obj.spec !== undefined && obj.spec !== null && (typeof obj.spec !== 'object' || Array.isArray(obj.spec))) {
      return errorAt(['spec'], 'expected "spec" to be a map', resource);
    }
    body = (obj.spec as Record<string, unknown> | undefined) ?? {};
    bodyPath = ['spec'];
  }
  const checked = validate(info.schema, body);
  for (const e of checked.errors) errorAt([...bodyPath, ...e.path], e.message, resource);
  if (checked.errors.length > 0 || checked.value === undefined) return;
  if (info.kind === 'Secret') {
    const data = (checked.value as { data?: Record<string, string> }).data ?? {};
    let bad = false;
    for (const [k, v] of Object.entries(data)) {
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(v)) {
        bad = true;
        errorAt([...bodyPath, 'data', k], 'value is not valid base64 (use stringData for plain text)', resource);
      }
    }
    if (bad) return;
  }
  out.resources.push({
    kind: info.kind,
    apiVersion: info.apiVersion,
    metadata,
    spec: checked.value,
    ...(obj.status !== undefined ? { status: obj.status } : {}),
    source: { file, line },
    unsupported: checked.unsupported.map((u) => ({ ...u, path: bodyPath.length ? `spec.${u.path}` : u.path })),
  } as AnyResource);
}

function kindList(): string {
  return KINDS.map((k) => k.kind).join(', ');
}

/** The decoded data of a Secret: `data` (base64) overlaid by `stringData`, as Kubernetes does. */
export function secretData(spec: { data?: Record<string, string>; stringData?: Record<string, string> }): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(spec.data ?? {})) out[k] = Buffer.from(v.replace(/\s+/g, ''), 'base64');
  for (const [k, v] of Object.entries(spec.stringData ?? {})) out[k] = Buffer.from(v, 'utf8');
  return out;
}
