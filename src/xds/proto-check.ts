/**
 * Strict conformance of our xDS object form with the real Envoy protos (DESIGN §4, spec/xds.md §6).
 * protobufjs' `fromObject` is lenient in ways that lose data silently: it drops unknown keys, packs an
 * Any whose `@type` is not loaded as an *empty* Any, drops an enum name it does not know, and coerces
 * (`String({})`, `Boolean('false')`, `2 ** 32 >>> 0`). This module walks a resource against its
 * protobufjs Type and names every such problem with a field path, then encodes and decodes it and
 * compares the result with the input (modulo proto3 defaults), so nothing can be lost unnoticed.
 *
 * Example problem: `{path: 'filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.foo',
 * code: 'UNKNOWN_FIELD', message: 'unknown field of envoy.extensions.filters.http.cors.v3.Cors'}`.
 *
 * The object form is protobufjs' (keepCase): snake_case names, wrappers as `{value}`, durations and
 * timestamps as `{seconds, nanos}`, enums by name, 64-bit integers as strings or numbers, bytes as
 * base64, Any as `{'@type': url, ...fields}`. Struct/Value/ListValue are protobufjs' built-in
 * definitions, whose object form is *not* free JSON: `{fields: {k: {stringValue: 'v'}}}` (camelCase
 * members of Value) — free JSON in a Struct is reported as unknown fields, because it would be dropped.
 *
 * `ProtoChecker` remembers the objects it found clean (by identity, in a WeakMap) at the granularity
 * of the elements of repeated message fields (virtual hosts, routes, filters…), so a re-check after an
 * incremental translation, which reuses the unchanged objects, only walks and round-trips what is new.
 * Objects handed to the data plane are never mutated, which is what makes identity a sound cache key.
 */
import protobuf from 'protobufjs';
import { messageType } from './protos.js';
import { TYPE_URL, type XdsSnapshot } from './envoy-types.js';

/** Stable codes of the problems (STYLE 12). */
export type ProtoProblemCode =
  /** A key that is not a field of the message (snake_case proto names only). */
  | 'UNKNOWN_FIELD'
  /** An Any whose `@type` is not loaded in the proto root (it would encode as an empty Any). */
  | 'UNKNOWN_TYPE'
  /** An Any without `@type`. */
  | 'MISSING_TYPE'
  /** A value of the wrong kind: a string for a message, an object for a scalar, a non-array for a repeated field… */
  | 'WRONG_KIND'
  /** An enum name (or number) that the enum does not define. */
  | 'BAD_ENUM'
  /** A number out of the range of its field (int32, uint32, Duration nanos…). */
  | 'OUT_OF_RANGE'
  /** Two members of one oneof are set. */
  | 'ONEOF'
  /** The resource does not survive encode → decode unchanged (or protobufjs throws on it). */
  | 'ROUND_TRIP';

/** One problem of one resource. Example: `{typeUrl: TYPE_URL.cluster, resource: 'default-petstore-8080', path: 'connect_timeout', code: 'WRONG_KIND', message: '…'}` */
export interface ProtoProblem {
  typeUrl: string;
  /** The resource's name (`cluster_name` for a ClusterLoadAssignment); `''` when it has none. */
  resource: string;
  /** Field path from the resource root; `''` for the resource itself. */
  path: string;
  code: ProtoProblemCode;
  message: string;
}

const LABEL: Record<string, string> = {
  [TYPE_URL.listener]: 'listener',
  [TYPE_URL.routeConfiguration]: 'route configuration',
  [TYPE_URL.cluster]: 'cluster',
  [TYPE_URL.clusterLoadAssignment]: 'cluster load assignment',
};

/** `xDS resource listener listener-::-8080 failed the Envoy proto check: filter_chains[0].foo: unknown field …` */
export function formatProtoProblem(p: ProtoProblem): string {
  const label = LABEL[p.typeUrl] ?? p.typeUrl.slice(p.typeUrl.lastIndexOf('/') + 1);
  return `xDS resource ${label} ${p.resource} failed the Envoy proto check: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Every problem of one resource of type `typeUrl` (empty when it conforms). */
export function checkResource(typeUrl: string, resource: unknown): ProtoProblem[] {
  return new ProtoChecker().checkResource(typeUrl, resource);
}

/** Every problem of every resource of a snapshot, in the order listeners, routes, clusters, endpoints. */
export function assertValidSnapshot(snapshot: Omit<XdsSnapshot, 'version'>): ProtoProblem[] {
  return new ProtoChecker().checkSnapshot(snapshot);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** Duration.seconds bound (±10,000 years), from duration.proto. */
const DURATION_SECONDS_MAX = 315_576_000_000n;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]{3})?$/;
const DECIMAL = /^-?\d+$/;

const ANY = '.google.protobuf.Any';
const DURATION = '.google.protobuf.Duration';
const TIMESTAMP = '.google.protobuf.Timestamp';
const STRUCT = '.google.protobuf.Struct';
const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((w) => `.google.protobuf.${w}Value`),
);

// ---- per-type tables, computed once per protobufjs Type --------------------------------------------

/** How a field's values are checked. */
type Kind = 'message' | 'enum' | 'string' | 'bool' | 'double' | 'float' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bytes';

interface FieldInfo {
  name: string;
  kind: Kind;
  /** The proto scalar type name (`sint32`, `fixed64`…), for messages. */
  protoType: string;
  repeated: boolean;
  map: boolean;
  keyType: string;
  message: TypeInfo | undefined;
  enumType: protobuf.Enum | undefined;
  /** A member of a real (not synthetic proto3-optional) oneof: present even when it holds its default. */
  oneofMember: boolean;
}

interface TypeInfo {
  type: protobuf.Type;
  name: string;
  full: string;
  fields: Map<string, FieldInfo>;
  list: FieldInfo[];
  /** Fields of each oneof, with the oneof's name. */
  oneofs: { name: string; members: string[] }[];
  /** See `holdsUnits`. */
  holdsUnits?: boolean;
}

const SCALAR_KIND: Record<string, Kind> = {
  string: 'string',
  bool: 'bool',
  double: 'double',
  float: 'float',
  int32: 'int32',
  sint32: 'int32',
  sfixed32: 'int32',
  uint32: 'uint32',
  fixed32: 'uint32',
  int64: 'int64',
  sint64: 'int64',
  sfixed64: 'int64',
  uint64: 'uint64',
  fixed64: 'uint64',
  bytes: 'bytes',
};

const infos = new WeakMap<protobuf.Type, TypeInfo>();

function infoOf(type: protobuf.Type): TypeInfo {
  let info = infos.get(type);
  if (info) return info;
  info = { type, name: type.fullName.slice(1), full: type.fullName, fields: new Map(), list: [], oneofs: [] };
  infos.set(type, info); // before the fields: message types can be recursive
  for (const f of type.fieldsArray) {
    const rt = f.resolvedType;
    const fi: FieldInfo = {
      name: f.name,
      kind: rt instanceof protobuf.Type ? 'message' : rt instanceof protobuf.Enum ? 'enum' : (SCALAR_KIND[f.type] ?? 'string'),
      protoType: f.type,
      repeated: f.repeated,
      map: f.map,
      keyType: f.map ? (f as unknown as protobuf.MapField).keyType : '',
      message: undefined,
      enumType: rt instanceof protobuf.Enum ? rt : undefined,
      oneofMember: f.partOf !== null && f.partOf !== undefined && !f.partOf.name.startsWith('_'),
    };
    info.fields.set(f.name, fi);
    info.list.push(fi);
    if (rt instanceof protobuf.Type) fi.message = infoOf(rt);
  }
  for (const o of type.oneofsArray) info.oneofs.push({ name: o.name, members: o.fieldsArray.map((f) => f.name) });
  return info;
}

// ---- values ----------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

const anyTargets = new Map<string, TypeInfo | null>();

/** The message type packed in an Any, as protobufjs' Any wrapper resolves `@type` (memoised: lookups are slow). */
function anyTarget(url: string): TypeInfo | undefined {
  let info = anyTargets.get(url);
  if (info === undefined) {
    const type = messageType(url.startsWith('.') ? url.slice(1) : url);
    info = type ? infoOf(type) : null;
    if (anyTargets.size < 1000) anyTargets.set(url, info);
  }
  return info ?? undefined;
}

/** The type URL protobufjs' Any wrapper writes for an `@type`. */
function packedTypeUrl(url: string): string {
  const u = url.startsWith('.') ? url.slice(1) : url;
  return u.includes('/') ? u : `type.googleapis.com/${u}`;
}

function int64Of(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string') return DECIMAL.test(v) ? BigInt(v) : undefined;
  if (typeof v === 'bigint') return v;
  // a Long ({low, high, unsigned}), as protobufjs decodes 64-bit integers
  if (typeof v === 'object' && v !== null && typeof (v as Obj).low === 'number' && typeof (v as Obj).high === 'number') {
    const l = v as { low: number; high: number; unsigned?: boolean };
    const n = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
    return l.unsigned ? n : BigInt.asIntN(64, n);
  }
  return undefined;
}

/** A path segment: a field name, an array index, or a map key (`{key}`). */
type Segment = string | number | { key: string };

function formatPath(segs: readonly Segment[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'object') out += `[${JSON.stringify(s.key)}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}

/**
 * A checker that remembers clean objects by identity. Keep one per consumer (the control plane keeps
 * one for its lifetime); a WeakMap lets the objects of old snapshots be collected.
 */
export class ProtoChecker {
  /** Units (resources, elements of repeated message fields) found clean, with their type. */
  private readonly clean = new WeakMap<object, TypeInfo>();
  // The resource being checked.
  private typeUrl = '';
  private resource = '';
  private problems: ProtoProblem[] = [];
  /** The path of the value being walked. */
  private readonly segs: Segment[] = [];
  /** The unit being walked, and the units of the resource waiting for their round trip. */
  private current: PendingUnit | undefined;
  private pending: PendingUnit[] = [];

  /**
   * `roundTrip: false` skips the encode → decode comparison (the walk alone catches everything
   * protobufjs is known to drop; the round trip is the backstop for what the walk might miss).
   */
  constructor(private readonly opts: { roundTrip?: boolean } = {}) {}

  checkSnapshot(snapshot: Omit<XdsSnapshot, 'version'>): ProtoProblem[] {
    const out: ProtoProblem[] = [];
    const lists: [string, readonly unknown[] | undefined][] = [
      [TYPE_URL.listener, snapshot.listeners],
      [TYPE_URL.routeConfiguration, snapshot.routes],
      [TYPE_URL.cluster, snapshot.clusters],
      [TYPE_URL.clusterLoadAssignment, snapshot.endpoints],
    ];
    for (const [typeUrl, list] of lists) for (const r of list ?? []) out.push(...this.checkResource(typeUrl, r));
    return out;
  }

  checkResource(typeUrl: string, resource: unknown): ProtoProblem[] {
    const info = anyTarget(typeUrl);
    this.typeUrl = typeUrl;
    this.resource = isPlainObject(resource) ? String(resource.name ?? resource.cluster_name ?? '') : '';
    const problems: ProtoProblem[] = (this.problems = []);
    this.segs.length = 0;
    this.current = undefined;
    this.pending = [];
    if (!info) {
      this.problem('UNKNOWN_TYPE', `${typeUrl} is not loaded in the proto root`);
      return problems;
    }
    if (isPlainObject(resource)) {
      this.unit(info, resource);
      this.roundTrips();
    } else this.message(info, resource);
    return problems;
  }

  /**
   * Checks one unit — a resource, or an element of a repeated message field at any depth (a virtual
   * host, a route, a filter) — unless it is an object already found clean: walks it (its own
   * elements being units in turn) and, if the walk is clean, queues its shell for the round trip:
   * the unit without those elements, which are round-tripped on their own. Protobuf encoding is
   * compositional, so this is the same check as a round trip of the whole resource, and every unit
   * is cached on its own.
   */
  private unit(info: TypeInfo, obj: Obj): void {
    if (this.clean.get(obj) === info) return;
    const entry: PendingUnit = { info, obj, shell: obj, path: this.segs.slice(), parent: this.current, failed: false };
    const before = this.problems.length;
    this.current = entry;
    this.message(info, obj);
    this.current = entry.parent;
    if (this.problems.length !== before) return; // its parents will see the problem too
    if (this.opts.roundTrip === false) {
      this.clean.set(obj, info);
      return;
    }
    entry.shell = shellOf(info, obj);
    this.pending.push(entry);
  }

  private problem(code: ProtoProblemCode, message: string, extra?: Segment): void {
    const path = formatPath(extra === undefined ? this.segs : [...this.segs, extra]);
    this.problems.push({ typeUrl: this.typeUrl, resource: this.resource, path, code, message });
  }

  // ---- the walk ---------------------------------------------------------------------------------

  private message(info: TypeInfo, value: unknown): void {
    if (!isPlainObject(value)) {
      let hint = '';
      if (WRAPPERS.has(info.full)) hint = ' (wrappers are written {value: …})';
      else if (info.full === DURATION || info.full === TIMESTAMP) hint = ' (written {seconds, nanos})';
      this.problem('WRONG_KIND', `expected a ${info.name} message object${hint}, got ${describe(value)}`);
      return;
    }
    if (info.full === ANY) {
      this.any(value);
      return;
    }
    this.fields(info, value, false);
  }

  private any(value: Obj): void {
    const url = value['@type'];
    if (url === undefined || url === null) {
      this.problem('MISSING_TYPE', "google.protobuf.Any without '@type'");
      return;
    }
    if (typeof url !== 'string') {
      this.problem('WRONG_KIND', `expected a type URL string, got ${describe(url)}`, '@type');
      return;
    }
    const target = anyTarget(url);
    if (!target) {
      this.problem('UNKNOWN_TYPE', `${url} is not loaded in the proto root (it would encode as an empty Any: add its .proto to ENVOY_PROTO_FILES)`, '@type');
      return;
    }
    if (target.full === ANY) {
      this.problem('UNKNOWN_TYPE', 'an Any cannot pack an Any in the object form', '@type');
      return;
    }
    this.fields(target, value, true);
  }

  private fields(info: TypeInfo, value: Obj, inAny: boolean): void {
    const segs = this.segs;
    for (const key in value) {
      if (inAny && key === '@type') continue;
      const field = info.fields.get(key);
      if (!field) {
        this.unknownField(info, key);
        continue;
      }
      const v = value[key];
      if (v === undefined || v === null) continue;
      segs.push(key);
      if (field.map) {
        if (!isPlainObject(v)) this.problem('WRONG_KIND', `expected a map (object), got ${describe(v)}`);
        else
          for (const k in v) {
            const ev = v[k];
            segs.push({ key: k });
            if (field.keyType === 'bool' ? k !== 'true' && k !== 'false' : field.keyType !== 'string' && !DECIMAL.test(k))
              this.problem('WRONG_KIND', `map key is not a ${field.keyType}`);
            if (ev !== undefined) this.single(field, ev);
            segs.pop();
          }
      } else if (field.repeated) {
        if (!Array.isArray(v)) this.problem('WRONG_KIND', `expected an array (repeated ${field.protoType}), got ${describe(v)}`);
        else
          for (let i = 0; i < v.length; i++) {
            const el: unknown = v[i];
            segs.push(i);
            if (field.message && isPlainObject(el)) this.unit(field.message, el);
            else this.single(field, el);
            segs.pop();
          }
      } else this.single(field, v);
      segs.pop();
    }
    for (const oneof of info.oneofs) {
      let set: string[] | undefined;
      for (const m of oneof.members) {
        const v = value[m];
        if (v !== undefined && v !== null) (set ??= []).push(m);
      }
      if (set && set.length > 1) this.problem('ONEOF', `${set.join(' and ')} are both set, but are members of one oneof ${oneof.name} of ${info.name}`, set[1]);
    }
    if (info.full === DURATION || info.full === TIMESTAMP) this.secondsNanos(info.full, value);
  }

  private unknownField(info: TypeInfo, key: string): void {
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    let hint = '';
    if (snake !== key && info.fields.has(snake)) hint = ` (did you mean ${snake}? the object form uses the proto's snake_case names)`;
    else if (info.full === STRUCT) hint = ' (a Struct is written {fields: {key: {stringValue|numberValue|boolValue|structValue|listValue|nullValue}}}, not free JSON)';
    else if (key === '@type') hint = ' (@type is only meaningful on a google.protobuf.Any)';
    this.problem('UNKNOWN_FIELD', `unknown field of ${info.name}${hint}`, key);
  }

  /** One value of a field (an element, for repeated and map fields). */
  private single(field: FieldInfo, v: unknown): void {
    switch (field.kind) {
      case 'message':
        this.message(field.message!, v);
        return;
      case 'enum': {
        const e = field.enumType!;
        if (typeof v === 'string') {
          if (e.values[v] === undefined) this.problem('BAD_ENUM', `${JSON.stringify(v)} is not a value of enum ${e.fullName.slice(1)} (${Object.keys(e.values).join(', ')})`);
        } else if (typeof v === 'number') {
          if (!Number.isInteger(v) || e.valuesById[v] === undefined) this.problem('BAD_ENUM', `${v} is not a value of enum ${e.fullName.slice(1)}`);
        } else this.problem('WRONG_KIND', `expected an enum name of ${e.fullName.slice(1)}, got ${describe(v)}`);
        return;
      }
      case 'string':
        if (typeof v !== 'string') this.problem('WRONG_KIND', `expected a string, got ${describe(v)}`);
        return;
      case 'bool':
        if (typeof v !== 'boolean') this.problem('WRONG_KIND', `expected a boolean, got ${describe(v)}`);
        return;
      case 'double':
      case 'float':
        if (typeof v !== 'number') this.problem('WRONG_KIND', `expected a number (${field.protoType}), got ${describe(v)}`);
        else if (field.kind === 'float' && Number.isFinite(v) && !Number.isFinite(Math.fround(v))) this.problem('OUT_OF_RANGE', `${v} is out of range for float`);
        return;
      case 'int32':
      case 'uint32':
        if (typeof v !== 'number' || !Number.isInteger(v)) this.problem('WRONG_KIND', `expected an integer (${field.protoType}), got ${describe(v)}`);
        else if (field.kind === 'uint32' ? v < 0 || v > UINT32_MAX : v < INT32_MIN || v > INT32_MAX) this.problem('OUT_OF_RANGE', `${v} is out of range for ${field.protoType}`);
        return;
      case 'int64':
      case 'uint64': {
        const n = int64Of(v);
        if (n === undefined) this.problem('WRONG_KIND', `expected an integer or a decimal string (${field.protoType}), got ${describe(v)}`);
        else if (field.kind === 'uint64' ? n < 0n || n > UINT64_MAX : n < INT64_MIN || n > INT64_MAX) this.problem('OUT_OF_RANGE', `${String(v)} is out of range for ${field.protoType}`);
        return;
      }
      case 'bytes':
        if (!(v instanceof Uint8Array) && !(typeof v === 'string' && BASE64.test(v))) this.problem('WRONG_KIND', `expected bytes (a base64 string or a Uint8Array), got ${describe(v)}`);
        return;
    }
  }

  /** Duration and Timestamp bounds, from duration.proto and timestamp.proto. */
  private secondsNanos(full: string, value: Obj): void {
    const seconds = int64Of(value.seconds ?? 0);
    const nanos = value.nanos ?? 0;
    if (seconds === undefined || seconds < INT64_MIN || seconds > INT64_MAX || typeof nanos !== 'number') return; // already reported
    if (full === DURATION) {
      if (seconds < -DURATION_SECONDS_MAX || seconds > DURATION_SECONDS_MAX) this.problem('OUT_OF_RANGE', 'Duration seconds beyond ±315576000000', 'seconds');
      if (nanos < -999_999_999 || nanos > 999_999_999) this.problem('OUT_OF_RANGE', 'Duration nanos beyond ±999999999', 'nanos');
      else if ((seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0)) this.problem('OUT_OF_RANGE', 'Duration seconds and nanos have different signs', 'nanos');
    } else if (nanos < 0 || nanos > 999_999_999) this.problem('OUT_OF_RANGE', 'Timestamp nanos beyond 0..999999999', 'nanos');
  }

  // ---- the round trip -----------------------------------------------------------------------------

  /**
   * Round-trips the shells of the units queued by the walk of one resource — all in one buffer, as
   * length-delimited messages, which costs much less than one encode and decode each — compares
   * each decoded message with its input, and remembers the units found clean, i.e. those whose own
   * round trip and whose descendants' round trips all succeeded.
   */
  private roundTrips(): void {
    const pending = this.pending;
    this.pending = [];
    if (pending.length === 0) return;
    const writer = protobuf.Writer.create();
    const encoded: PendingUnit[] = [];
    for (const e of pending) {
      try {
        e.info.type.encodeDelimited(e.info.type.fromObject(e.shell), writer);
        encoded.push(e);
      } catch (err) {
        this.unitProblem(e, [], `protobufjs cannot encode it: ${(err as Error).message}`);
      }
    }
    const reader = protobuf.Reader.create(writer.finish());
    for (const e of encoded) {
      const decoded = e.info.type.decodeDelimited(reader) as unknown as Obj;
      const diff = diffMessage(e.info, e.shell, decoded);
      if (diff) this.unitProblem(e, diff.reverse(), 'the value does not survive encode → decode (it would be lost or changed on the wire)');
    }
    for (const e of pending) if (!e.failed) this.clean.set(e.obj, e.info);
  }

  private unitProblem(e: PendingUnit, at: Segment[], message: string): void {
    for (let u: PendingUnit | undefined = e; u && !u.failed; u = u.parent) u.failed = true;
    this.problems.push({ typeUrl: this.typeUrl, resource: this.resource, path: formatPath([...e.path, ...at]), code: 'ROUND_TRIP', message });
  }
}

/** A unit whose walk was clean, waiting for its round trip. */
interface PendingUnit {
  info: TypeInfo;
  obj: Obj;
  shell: Obj;
  path: Segment[];
  /** The unit it is an element of. */
  parent: PendingUnit | undefined;
  failed: boolean;
}

/** Whether a message of this type can hold units (elements of repeated message fields), directly or not. */
function holdsUnits(info: TypeInfo): boolean {
  return (info.holdsUnits ??= searchUnits(info, new Set()));
}

function searchUnits(info: TypeInfo, seen: Set<TypeInfo>): boolean {
  if (info.holdsUnits !== undefined) return info.holdsUnits;
  if (info.full === ANY) return true;
  if (seen.has(info)) return false; // a cycle: decided by the other fields of the types on it (only the top-level answer is kept)
  seen.add(info);
  return info.list.some((f) => f.message !== undefined && (f.repeated || searchUnits(f.message, seen)));
}

/** A message without its units (see `ProtoChecker.unit`); the message itself when it holds none. */
function shellOf(info: TypeInfo, obj: Obj): Obj {
  if (!holdsUnits(info)) return obj;
  if (info.full === ANY) {
    const url = obj['@type'] as string;
    return { ...shellFields(anyTarget(url)!, obj), '@type': url };
  }
  return shellFields(info, obj);
}

function shellFields(info: TypeInfo, obj: Obj): Obj {
  const out: Obj = {};
  for (const key in obj) {
    const f = info.fields.get(key);
    const v = obj[key];
    if (!f || v === undefined || v === null) continue;
    if (!f.message) out[key] = v;
    else if (f.repeated) continue;
    else if (f.map) {
      const m: Obj = {};
      for (const k in v as Obj) m[k] = shellOf(f.message, (v as Obj)[k] as Obj);
      out[key] = m;
    } else out[key] = shellOf(f.message, v as Obj);
  }
  return out;
}

// ---- comparing an input with its decoded message ------------------------------------------------------
// Each function returns undefined when equal, or the path to the first difference, innermost first.

function diffMessage(info: TypeInfo, a: Obj, b: Obj): Segment[] | undefined {
  if (info.full !== ANY) return diffFields(info, a, b);
  const url = a['@type'];
  const target = typeof url === 'string' ? anyTarget(url) : undefined;
  if (!target || b.type_url !== packedTypeUrl(url as string) || !(b.value instanceof Uint8Array)) return ['@type'];
  return diffFields(target, a, target.type.decode(b.value) as unknown as Obj);
}

/**
 * Only the fields set on either side are compared: the input's keys, and the decoded message's own
 * properties (protobufjs sets exactly the fields read from the wire; the others are prototype defaults).
 */
function diffFields(info: TypeInfo, a: Obj, b: Obj): Segment[] | undefined {
  for (const key in a) {
    if (key === '@type') continue;
    const d = diffKey(info, key, a, b);
    if (d) return d;
  }
  for (const key of Object.keys(b)) {
    if (key in a) continue;
    const d = diffKey(info, key, a, b);
    if (d) return d;
  }
  return undefined;
}

function diffKey(info: TypeInfo, key: string, a: Obj, b: Obj): Segment[] | undefined {
  const field = info.fields.get(key);
  if (!field) return [key];
  const d = diffField(field, a[key], b[key], Object.prototype.hasOwnProperty.call(b, key));
  if (d) d.push(key);
  return d;
}

function diffField(field: FieldInfo, x: unknown, y: unknown, decodedHas: boolean): Segment[] | undefined {
  if (field.map) {
    const xm = (x ?? {}) as Obj;
    const ym = (y ?? {}) as Obj;
    for (const k in xm) if (xm[k] !== undefined && !(k in ym)) return [{ key: k }];
    for (const k in ym) {
      if (!(k in xm)) return [{ key: k }];
      const d = diffSingle(field, xm[k], ym[k]);
      if (d) {
        d.push({ key: k });
        return d;
      }
    }
    return undefined;
  }
  if (field.repeated) {
    const xs = (x ?? []) as unknown[];
    const ys = (y ?? []) as unknown[];
    if (xs.length !== ys.length) return [];
    for (let i = 0; i < xs.length; i++) {
      const d = diffSingle(field, xs[i], ys[i]);
      if (d) {
        d.push(i);
        return d;
      }
    }
    return undefined;
  }
  const xAbsent = x === undefined || x === null;
  if (field.kind === 'message' || field.oneofMember) {
    // Presence matters: a set message (even empty) or oneof member (even default) must come back.
    const yAbsent = field.kind === 'message' ? y === undefined || y === null : !decodedHas;
    if (xAbsent || yAbsent) return xAbsent === yAbsent ? undefined : [];
    return diffSingle(field, x, y);
  }
  if (xAbsent) return isDefaultScalar(field, y) ? undefined : [];
  return diffSingle(field, x, y);
}

function diffSingle(field: FieldInfo, x: unknown, y: unknown): Segment[] | undefined {
  switch (field.kind) {
    case 'message':
      return isPlainObject(x) && typeof y === 'object' && y !== null ? diffMessage(field.message!, x, y as Obj) : [];
    case 'enum':
      return (typeof x === 'string' ? field.enumType!.values[x] : x) === y ? undefined : [];
    case 'double':
      return Object.is(x, y) || (x === 0 && y === 0) ? undefined : [];
    case 'float':
      return Object.is(Math.fround(x as number), y) || (x === 0 && y === 0) ? undefined : [];
    case 'int64':
    case 'uint64':
      return int64Of(x) === int64Of(y) ? undefined : [];
    case 'bytes': {
      const xb = typeof x === 'string' ? Buffer.from(x, 'base64') : Buffer.from(x as Uint8Array);
      return y instanceof Uint8Array && xb.equals(y) ? undefined : [];
    }
    default:
      return x === y ? undefined : [];
  }
}

function isDefaultScalar(field: FieldInfo, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (field.kind) {
    case 'enum':
      return v === 0;
    case 'string':
      return v === '';
    case 'bool':
      return v === false;
    case 'bytes': // protobufjs' default is an empty array or string, not a Uint8Array
      return (v instanceof Uint8Array || Array.isArray(v) || typeof v === 'string') && v.length === 0;
    case 'int64':
    case 'uint64':
      return int64Of(v) === 0n;
    default:
      return v === 0;
  }
}
