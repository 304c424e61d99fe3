/**
 * Route and virtual-host header edits (`request_headers_to_add/remove`,
 * `response_headers_to_add/remove`) compiled into one ordered op list. Levels are applied most
 * specific first (route, then virtual host), each level removing before adding, so with Envoy's
 * default (`most_specific_header_mutations_wins: false`) the virtual host's overwrite wins.
 * An empty edit list compiles to `null` so the request path pays one check.
 *
 * Values with Envoy `%VAR%` commands are compiled once (formatter.ts); a rendered value that is empty
 * is not added, as Envoy does. Literal values stay constant strings.
 *
 * Request side: `applyToObject(headers)` without a context applies the literal edits only and leaves
 * the formatted ones to `applyDynamicToObject(headers, ctx)`, which the router calls when the caller
 * did not pass a context (so the connection manager can keep calling it without one).
 */
import type { HeaderValueOption } from '../../xds/envoy-types.js';
import { CompiledFormat, compileFormat, type FormatContext } from './formatter.js';

const EMPTY_CONTEXT: FormatContext = {};

const enum Op {
  Remove,
  Append,
  AddIfAbsent,
  OverwriteOrAdd,
  OverwriteIfExists,
}

interface HeaderOp {
  op: Op;
  /** lowercase */
  name: string;
  value: string;
  /** Non-null when the value has `%VAR%` commands. */
  format: CompiledFormat | null;
}

/** One level of edits, as the route or virtual host carries them. */
export interface HeaderEditLevel {
  add?: HeaderValueOption[] | undefined;
  remove?: string[] | undefined;
}

/** Request headers as forwarded upstream: lowercase names. */
export type HeaderObject = Record<string, string | string[] | undefined>;

export class HeaderMutation {
  /** Some value needs per-request rendering. */
  readonly hasDynamic: boolean;

  private constructor(private readonly ops: readonly HeaderOp[]) {
    this.hasDynamic = ops.some((o) => o.format !== null);
  }

  /** Compiles levels in application order (most specific first); null when there is nothing to do. */
  static compile(levels: HeaderEditLevel[]): HeaderMutation | null {
    const ops: HeaderOp[] = [];
    for (const level of levels) {
      for (const name of level.remove ?? []) ops.push({ op: Op.Remove, name: name.toLowerCase(), value: '', format: null });
      for (const h of level.add ?? []) {
        const v = compileFormat(h.header.value ?? '');
        ops.push({
          op: opOf(h),
          name: h.header.key.toLowerCase(),
          value: typeof v === 'string' ? v : '',
          format: typeof v === 'string' ? null : v,
        });
      }
    }
    return ops.length === 0 ? null : new HeaderMutation(ops);
  }

  /**
   * Applies the edits to a header object with lowercase names (the upstream request headers). Without
   * `ctx`, formatted values are skipped (see `applyDynamicToObject`).
   */
  applyToObject(headers: HeaderObject, ctx?: FormatContext): void {
    for (const o of this.ops) {
      if (o.format !== null && ctx === undefined) continue;
      applyOp(headers, o, o.format === null ? o.value : o.format.render(ctx!));
    }
  }

  /** Applies only the formatted edits, rendered with `ctx`. */
  applyDynamicToObject(headers: HeaderObject, ctx: FormatContext): void {
    if (!this.hasDynamic) return;
    for (const o of this.ops) if (o.format !== null) applyOp(headers, o, o.format.render(ctx));
  }

  /** Applies the edits to a flat `[name, value, name, value…]` list with any-case names (response headers). */
  applyToList(list: string[], ctx: FormatContext = EMPTY_CONTEXT): string[] {
    let out = list;
    for (const o of this.ops) {
      let value = o.value;
      if (o.format !== null) {
        value = o.format.render(ctx);
        if (value === '') continue;
      }
      switch (o.op) {
        case Op.Remove:
          out = removeFromList(out, o.name);
          break;
        case Op.Append:
          out.push(o.name, value);
          break;
        case Op.AddIfAbsent:
          if (indexInList(out, o.name) === -1) out.push(o.name, value);
          break;
        case Op.OverwriteOrAdd:
          out = removeFromList(out, o.name);
          out.push(o.name, value);
          break;
        case Op.OverwriteIfExists:
          if (indexInList(out, o.name) !== -1) {
            out = removeFromList(out, o.name);
            out.push(o.name, value);
          }
          break;
      }
    }
    return out;
  }
}

function applyOp(headers: HeaderObject, o: HeaderOp, value: string): void {
  if (o.format !== null && value === '') return;
  const cur = headers[o.name];
  switch (o.op) {
    case Op.Remove:
      if (cur !== undefined) delete headers[o.name];
      break;
    case Op.Append:
      if (cur === undefined) headers[o.name] = value;
      else if (typeof cur === 'string') headers[o.name] = [cur, value];
      else headers[o.name] = [...cur, value];
      break;
    case Op.AddIfAbsent:
      if (cur === undefined) headers[o.name] = value;
      break;
    case Op.OverwriteOrAdd:
      headers[o.name] = value;
      break;
    case Op.OverwriteIfExists:
      if (cur !== undefined) headers[o.name] = value;
      break;
  }
}

function opOf(h: HeaderValueOption): Op {
  switch (h.append_action) {
    case 'ADD_IF_ABSENT':
      return Op.AddIfAbsent;
    case 'OVERWRITE_IF_EXISTS_OR_ADD':
      return Op.OverwriteOrAdd;
    case 'OVERWRITE_IF_EXISTS':
      return Op.OverwriteIfExists;
    case 'APPEND_IF_EXISTS_OR_ADD':
      return Op.Append;
    default:
      // The deprecated `append` wrapper: false means overwrite; absent means append (Envoy's default).
      return h.append !== undefined && h.append.value === false ? Op.OverwriteOrAdd : Op.Append;
  }
}

function sameName(candidate: string, lowerName: string): boolean {
  return candidate.length === lowerName.length && (candidate === lowerName || candidate.toLowerCase() === lowerName);
}

function indexInList(list: string[], lowerName: string): number {
  for (let i = 0; i < list.length; i += 2) if (sameName(list[i]!, lowerName)) return i;
  return -1;
}

function removeFromList(list: string[], lowerName: string): string[] {
  if (indexInList(list, lowerName) === -1) return list;
  const out: string[] = [];
  for (let i = 0; i < list.length; i += 2) if (!sameName(list[i]!, lowerName)) out.push(list[i]!, list[i + 1]!);
  return out;
}
