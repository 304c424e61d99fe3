/**
 * The schema language of the Gloo API model: one definition per type yields
 *  - the TypeScript type (`Infer<typeof X>`),
 *  - runtime validation and normalisation of user YAML (protobuf-JSON leniency: camelCase or
 *    snake_case field names, enums by name or number, 64-bit integers in quotes, durations as Gloo
 *    writes them), with every problem reported at a field path,
 *  - the support status of each field (supported / partial / not yet), from which the loader warns
 *    about fields gloo-ts does not implement and docs/compatibility.md is generated,
 *  - JSON Schema (for the CRDs, later).
 *
 * Example:
 *   const Ref = obj({ name: str().supported(), namespace: str().supported() });
 *   type Ref = Infer<typeof Ref>;            // { name?: string; namespace?: string }
 */

export type PathSegment = string | number;

/** A problem found while validating a value, at a path of the user's own keys. */
export interface Issue {
  path: PathSegment[];
  message: string;
}

export type SupportLevel = 'supported' | 'partial' | 'no';

export interface ParseContext {
  errors: Issue[];
  /** Fields present in the input that gloo-ts does not implement (or only partly), as display paths. */
  unsupported: { path: string; level: SupportLevel; note?: string }[];
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

export abstract class Schema<T> {
  declare readonly _type: T;
  support: SupportLevel = 'no';
  supportNote: string | undefined;
  description: string | undefined;

  /** Validates and normalises `input` (never undefined/null here). Returns undefined after an error. */
  abstract parse(input: unknown, path: PathSegment[], ctx: ParseContext): T | undefined;
  abstract jsonSchema(): Record<string, unknown>;
  /** Human name of the type, for docs. */
  abstract typeLabel(): string;

  protected clone(): this {
    return Object.assign(Object.create(Object.getPrototypeOf(this)), this) as this;
  }
  /** Marks the field as implemented by gloo-ts. */
  supported(): this {
    const c = this.clone();
    c.support = 'supported';
    c.supportNote = undefined;
    return c;
  }
  /** Marks the field as partly implemented; `note` says what is missing. */
  partial(note: string): this {
    const c = this.clone();
    c.support = 'partial';
    c.supportNote = note;
    return c;
  }
  /** Marks the field as not implemented, with a note saying what happens instead. */
  notYet(note: string): this {
    const c = this.clone();
    c.support = 'no';
    c.supportNote = note;
    return c;
  }
  describe(text: string): this {
    const c = this.clone();
    c.description = text;
    return c;
  }
  protected fail(ctx: ParseContext, path: PathSegment[], message: string): undefined {
    ctx.errors.push({ path, message });
    return undefined;
  }
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

// ---- scalars ------------------------------------------------------------------------------------

class StringSchema extends Schema<string> {
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): string | undefined {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(ctx, path, `expected a string, got ${typeName(v)}`);
  }
  jsonSchema() {
    return { type: 'string' };
  }
  typeLabel() {
    return 'string';
  }
}

class BoolSchema extends Schema<boolean> {
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): boolean | undefined {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.fail(ctx, path, `expected a boolean, got ${typeName(v)}`);
  }
  jsonSchema() {
    return { type: 'boolean' };
  }
  typeLabel() {
    return 'bool';
  }
}

class IntSchema extends Schema<number> {
  constructor(
    private readonly min: number,
    private readonly max: number,
    private readonly label: string,
  ) {
    super();
  }
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): number | undefined {
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) n = Number(v.trim());
    else return this.fail(ctx, path, `expected an integer (${this.label}), got ${typeName(v)}`);
    if (!Number.isInteger(n)) return this.fail(ctx, path, `expected an integer (${this.label}), got ${n}`);
    if (n < this.min || n > this.max)
      return this.fail(ctx, path, `${n} is out of range for ${this.label} (${this.min}..${this.max})`);
    return n;
  }
  jsonSchema() {
    return { type: 'integer', ...(this.min >= 0 ? { minimum: 0 } : {}) };
  }
  typeLabel() {
    return this.label;
  }
}

class FloatSchema extends Schema<number> {
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): number | undefined {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return this.fail(ctx, path, `expected a number, got ${typeName(v)}`);
  }
  jsonSchema() {
    return { type: 'number' };
  }
  typeLabel() {
    return 'double';
  }
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration as Gloo users write it (`15s`, `0.5s`, `500ms`, `1m30s`) into milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (s === '' || s === '0') return s === '0' ? 0 : undefined;
  const re = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === s.length ? total : undefined;
}

/** Canonical proto-JSON text of a duration in milliseconds (`1.500s` style, trailing zeros trimmed). */
export function formatDurationMs(ms: number): string {
  const secs = ms / 1000;
  return `${Number.isInteger(secs) ? secs : Number(secs.toFixed(9))}s`;
}

/** A google.protobuf.Duration: kept as the canonical text (`15s`, `0.5s`). */
class DurationSchema extends Schema<string> {
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): string | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && ('seconds' in v || 'nanos' in v)) {
      const o = v as { seconds?: unknown; nanos?: unknown };
      const ms = Number(o.seconds ?? 0) * 1000 + Number(o.nanos ?? 0) / 1e6;
      if (Number.isFinite(ms) && ms >= 0) return formatDurationMs(ms);
    }
    if (typeof v === 'string') {
      const ms = parseDurationMs(v);
      if (ms !== undefined) return formatDurationMs(ms);
    }
    return this.fail(ctx, path, `expected a duration such as "15s", "0.5s" or "500ms", got ${JSON.stringify(v)}`);
  }
  jsonSchema() {
    return { type: 'string' };
  }
  typeLabel() {
    return 'duration';
  }
}

class EnumSchema<E extends string> extends Schema<E> {
  constructor(readonly values: readonly E[]) {
    super();
  }
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): E | undefined {
    if (typeof v === 'string' && (this.values as readonly string[]).includes(v)) return v as E;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < this.values.length) return this.values[v];
    if (typeof v === 'string' && /^\d+$/.test(v) && Number(v) < this.values.length) return this.values[Number(v)];
    return this.fail(ctx, path, `expected one of ${this.values.join(', ')}, got ${JSON.stringify(v)}`);
  }
  jsonSchema() {
    return { 'x-kubernetes-int-or-string': true };
  }
  typeLabel() {
    return `enum(${this.values.join('|')})`;
  }
}

/** Any JSON value (google.protobuf.Struct / Value / Any): carried as is. */
class AnySchema extends Schema<unknown> {
  parse(v: unknown): unknown {
    return v;
  }
  jsonSchema() {
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  typeLabel() {
    return 'any';
  }
}

// ---- composites -----------------------------------------------------------------------------------

class ArraySchema<T> extends Schema<T[]> {
  constructor(readonly item: Schema<T>) {
    super();
  }
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): T[] | undefined {
    if (!Array.isArray(v)) return this.fail(ctx, path, `expected a list, got ${typeName(v)}`);
    const out: T[] = [];
    let ok = true;
    v.forEach((item, i) => {
      if (item === null || item === undefined) {
        ok = false;
        this.fail(ctx, [...path, i], 'list item is empty');
        return;
      }
      const r = this.item.parse(item, [...path, i], ctx);
      if (r === undefined) ok = false;
      else out.push(r);
    });
    return ok ? out : undefined;
  }
  jsonSchema() {
    return { type: 'array', items: this.item.jsonSchema() };
  }
  typeLabel() {
    return `${this.item.typeLabel()}[]`;
  }
}

class MapSchema<T> extends Schema<Record<string, T>> {
  constructor(readonly value: Schema<T>) {
    super();
  }
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): Record<string, T> | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return this.fail(ctx, path, `expected a map, got ${typeName(v)}`);
    const out: Record<string, T> = {};
    let ok = true;
    for (const [k, item] of Object.entries(v)) {
      if (item === null || item === undefined) {
        // `content-type: {}` style entries are meaningful; a bare null becomes an empty object/string.
        const r = this.value.parse(this.value instanceof ObjectSchema ? {} : '', [...path, k], ctx);
        if (r !== undefined) out[k] = r;
        continue;
      }
      const r = this.value.parse(item, [...path, k], ctx);
      if (r === undefined) ok = false;
      else out[k] = r;
    }
    return ok ? out : undefined;
  }
  jsonSchema() {
    return { type: 'object', additionalProperties: this.value.jsonSchema() };
  }
  typeLabel() {
    return `map<string, ${this.value.typeLabel()}>`;
  }
}

export type Shape = Record<string, Schema<any>>;
type ShapeType<S extends Shape> = { [K in keyof S]?: Infer<S[K]> };

export interface ObjectOptions<S extends Shape> {
  /** Groups of fields of which at most one may be set (protobuf oneof). */
  oneofs?: (keyof S & string)[][];
  /** Fields that must be set. */
  required?: (keyof S & string)[];
}

export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export class ObjectSchema<S extends Shape> extends Schema<ShapeType<S>> {
  private readonly byAlias = new Map<string, string>();
  constructor(
    readonly shape: S,
    readonly options: ObjectOptions<S> = {},
  ) {
    super();
    for (const key of Object.keys(shape)) {
      this.byAlias.set(key, key);
      this.byAlias.set(camelToSnake(key), key);
    }
  }
  /** The canonical (camelCase) name of a key as a user may spell it, or undefined when unknown. */
  fieldName(userKey: string): string | undefined {
    return this.byAlias.get(userKey) ?? this.byAlias.get(snakeToCamel(userKey));
  }
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): ShapeType<S> | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return this.fail(ctx, path, `expected an object, got ${typeName(v)}`);
    const out: Record<string, unknown> = {};
    const spelled: Record<string, string> = {};
    let ok = true;
    for (const [userKey, item] of Object.entries(v)) {
      const key = this.fieldName(userKey);
      if (key === undefined) {
        ok = false;
        this.fail(ctx, [...path, userKey], `unknown field "${userKey}"`);
        continue;
      }
      if (spelled[key] !== undefined) {
        ok = false;
        this.fail(ctx, [...path, userKey], `field "${key}" is set twice (as "${spelled[key]}" and "${userKey}")`);
        continue;
      }
      spelled[key] = userKey;
      if (item === null || item === undefined) continue;
      const schema = this.shape[key]!;
      const r = schema.parse(item, [...path, userKey], ctx);
      if (r === undefined) ok = false;
      else out[key] = r;
    }
    for (const group of this.options.oneofs ?? []) {
      const set = group.filter((k) => out[k] !== undefined);
      if (set.length > 1) {
        ok = false;
        this.fail(ctx, [...path, spelled[set[1]!]!], `only one of ${group.join(', ')} may be set (found ${set.join(', ')})`);
      }
    }
    for (const req of this.options.required ?? []) {
      if (out[req] === undefined && spelled[req] === undefined) {
        ok = false;
        this.fail(ctx, path, `missing required field "${req}"`);
      }
    }
    return ok ? (out as ShapeType<S>) : undefined;
  }
  jsonSchema() {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(this.shape)) properties[k] = s.jsonSchema();
    return { type: 'object', properties };
  }
  typeLabel() {
    return 'object';
  }
}

/** A recursive reference: `const Filter: Schema<F> = lazy(() => obj({ andFilter: Filter, ... }))`. */
class LazySchema<T> extends Schema<T> {
  private resolved: Schema<T> | undefined;
  constructor(private readonly get: () => Schema<T>) {
    super();
  }
  target(): Schema<T> {
    return (this.resolved ??= this.get());
  }
  parse(v: unknown, path: PathSegment[], ctx: ParseContext): T | undefined {
    return this.target().parse(v, path, ctx);
  }
  jsonSchema() {
    return { 'x-kubernetes-preserve-unknown-fields': true, type: 'object' };
  }
  typeLabel() {
    return 'object';
  }
}

// ---- constructors -----------------------------------------------------------------------------------

export const str = () => new StringSchema();
export const bool = () => new BoolSchema();
export const int32 = () => new IntSchema(-2147483648, 2147483647, 'int32');
export const uint32 = () => new IntSchema(0, 4294967295, 'uint32');
export const int64 = () => new IntSchema(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'int64');
export const uint64 = () => new IntSchema(0, Number.MAX_SAFE_INTEGER, 'uint64');
export const double = () => new FloatSchema();
export const float = double;
export const duration = () => new DurationSchema();
export const enumOf = <E extends string>(values: readonly E[]) => new EnumSchema<E>(values);
export const any = () => new AnySchema();
/** google.protobuf.Struct: a free-form object. */
export const struct = () => new AnySchema();
export const arr = <T>(item: Schema<T>) => new ArraySchema<T>(item);
export const map = <T>(value: Schema<T>) => new MapSchema<T>(value);
export const obj = <S extends Shape>(shape: S, options?: ObjectOptions<S>) => new ObjectSchema<S>(shape, options);
export const lazy = <T>(get: () => Schema<T>) => new LazySchema<T>(get);
/** An empty message (`{}`), used as a flag in oneofs (`passthrough: {}`). */
export const empty = () => new ObjectSchema({});

export { ArraySchema, MapSchema, LazySchema, AnySchema, EnumSchema };

/**
 * Walks a validated value alongside its schema and lists the fields whose support level is not
 * `supported`: a field that is not implemented is listed once and not descended into. The root is
 * taken as supported.
 */
export function collectUnsupported(
  schema: Schema<unknown>,
  value: unknown,
  path: PathSegment[],
  out: ParseContext['unsupported'],
): void {
  const s = schema instanceof LazySchema ? schema.target() : schema;
  if (value === undefined || value === null) return;
  if (s instanceof ObjectSchema) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = s.shape[key] as Schema<unknown> | undefined;
      if (!childSchema || child === undefined) continue;
      const childPath = [...path, key];
      if (childSchema.support !== 'supported') {
        out.push({ path: formatPath(childPath), level: childSchema.support, note: childSchema.supportNote });
        if (childSchema.support === 'no') continue;
      }
      collectUnsupported(childSchema, child, childPath, out);
    }
  } else if (s instanceof ArraySchema) {
    (value as unknown[]).forEach((item, i) => collectUnsupported(s.item, item, [...path, i], out));
  } else if (s instanceof MapSchema) {
    for (const [k, item] of Object.entries(value as Record<string, unknown>))
      collectUnsupported(s.value, item, [...path, k], out);
  }
}

/** Validates `input` against `schema`, returning the normalised value and the issues found. */
export function validate<T>(
  schema: Schema<T>,
  input: unknown,
): { value: T | undefined; errors: Issue[]; unsupported: ParseContext['unsupported'] } {
  const ctx: ParseContext = { errors: [], unsupported: [] };
  const value = input === undefined || input === null ? schema.parse({}, [], ctx) : schema.parse(input, [], ctx);
  if (value !== undefined && ctx.errors.length === 0) collectUnsupported(schema as Schema<unknown>, value, [], ctx.unsupported);
  return { value: ctx.errors.length === 0 ? value : undefined, errors: ctx.errors, unsupported: ctx.unsupported };
}
