/**
 * Compiles a parsed template into closures, once, at config time: a render walks no tree and parses
 * nothing. Text becomes constant strings, variables become pre-split JSON pointer lookups (skipping the
 * loop/`set` scope when no loop or `set` can define that name), literals are evaluated once, and calls
 * with literal arguments (`header(":path")`) are specialised.
 *
 * The evaluation order and error rules are Inja's: operands are evaluated left to right; a missing
 * variable is an error (`variable 'x' not found`, at the variable) except as the first argument of
 * `default()`; when several arguments are missing the last one is reported; `and`/`or` short-circuit;
 * a bare name that is no variable falls back to a zero-argument function (`{{ body }}`).
 */
import { Op, type Block, type DataExpr, type Expr, type ExprList, type FnExpr, type ForNode, type Node } from './ast.js';
import type { InjaContext } from './context.js';
import { asciiLower, asciiUpper, byteLength, cppRound, stod, stoi } from './cxx.js';
import { InjaRenderError, jsonError, renderError, stdError } from './errors.js';
import type { CallbackDef, FunctionTable } from './functions.js';
import {
  clearedValue,
  dumpJson,
  getOwn,
  getString,
  intResult,
  isEmpty,
  isFloat,
  isInteger,
  isNumber,
  isObject,
  iterValues,
  jsonCompare,
  jsonEquals,
  jsonNotEquals,
  mkFloat,
  printValue,
  printValueEscaped,
  putOwn,
  refString,
  sortedKeys,
  toDouble,
  toInt32,
  toInt64,
  truthy,
  typeName,
  JsonFloat,
  type JsonObject,
  type JsonValue,
} from './json-value.js';
import { arrayIndex, dotToPointer, lookupPointer, objectForWrite, parsePointer, setPointer } from './pointer.js';

/** The largest array `range(n)` builds (Envoy has no bound; n may come from a request body). */
export const MAX_RANGE = 1_000_000;

const NOT_FOUND: unique symbol = Symbol('not found');
type Maybe = JsonValue | typeof NOT_FOUND;

/** Per-render state: the request, the variables' root object, the loop and `set` scope. */
class RenderState {
  constructor(
    readonly ctx: InjaContext,
    readonly data: JsonValue,
    readonly add: JsonObject,
  ) {}
}

type Ev = (s: RenderState) => JsonValue;
type MaybeEv = (s: RenderState) => Maybe;
type Part = (s: RenderState) => string;

const EMPTY_OBJECT: JsonObject = Object.freeze({}) as JsonObject;
/** The scope of templates without loops or `set`: Inja's initial `{"loop": null}`. */
const CONSTANT_SCOPE: JsonObject = Object.freeze({ loop: null }) as JsonObject;

export interface CompileOptions {
  readonly functions: FunctionTable;
  /** Gloo's `escapeCharacters`: strings printed JSON-escaped. */
  readonly escapeStrings: boolean;
}

export interface RenderFunction {
  (ctx: InjaContext): string;
}

/** Compiles a parsed template; `content` is the template text its positions index. */
export function compileTemplate(root: Block, content: string, opts: CompileOptions): RenderFunction {
  const c = new Compiler(content, opts, scopeNames(root), !scopeWrites(root).has('loop'));
  const render = c.block(root, 0);
  const usesScope = c.usesScope;
  return (ctx) => {
    const json = ctx.json;
    const s = new RenderState(ctx, isObject(json) ? json : EMPTY_OBJECT, usesScope ? { loop: null } : CONSTANT_SCOPE);
    try {
      return render(s);
    } catch (err) {
      if (err instanceof InjaRenderError) throw err;
      throw new InjaRenderError('INJA_ERR_INTERNAL', err instanceof Error ? err.message : String(err));
    }
  };
}

/** Top-level names loops and `set` can define (plus `loop`). */
function scopeNames(root: Block): Set<string> {
  const names = new Set<string>(['loop']);
  const userNames = scopeWrites(root);
  for (const n of userNames) names.add(n);
  return names;
}

/** The top-level names loop variables and `set` statements write (`loop` only if a template writes it). */
function scopeWrites(root: Block): Set<string> {
  const names = new Set<string>();
  const visit = (b: Block) => {
    for (const n of b.nodes) {
      switch (n.t) {
        case 'if':
          visit(n.then);
          visit(n.else);
          break;
        case 'for':
          names.add(n.value);
          if (n.key !== null) names.add(n.key);
          visit(n.body);
          break;
        case 'block':
          visit(n.block);
          break;
        case 'set':
          names.add(setTokensOrNull(n.key)?.[0] ?? '');
          break;
      }
    }
  };
  visit(root);
  return names;
}

function setPointerText(key: string): string {
  return '/' + key.replaceAll('.', '/');
}

function setTokensOrNull(key: string): string[] | null {
  try {
    return parsePointer(setPointerText(key));
  } catch {
    return null;
  }
}

class Compiler {
  usesScope = false;
  private readonly print: (v: JsonValue) => string;

  /**
   * @param loopDataPrivate no `set` and no loop variable writes `loop`: the loop data only ever has
   *   Inja's keys, so each step can build it as one literal
   */
  constructor(
    private readonly content: string,
    private readonly opts: CompileOptions,
    private readonly scopeKeys: Set<string>,
    private readonly loopDataPrivate: boolean,
  ) {
    this.print = opts.escapeStrings ? printValueEscaped : printValue;
  }

  private err(what: string, pos: number): InjaRenderError {
    return renderError(what, this.content, pos);
  }

  private notFound(e: Expr): InjaRenderError {
    return this.err(`variable '${(e as DataExpr).name}' not found`, e.pos);
  }

  // ---- statements ---------------------------------------------------------------------------------

  block(b: Block, blockDepth: number): Part {
    const parts: (Part | string)[] = [];
    for (const n of b.nodes) {
      const p = this.node(n, blockDepth);
      const prev = parts[parts.length - 1];
      if (typeof p === 'string' && typeof prev === 'string') parts[parts.length - 1] = prev + p;
      else parts.push(p);
    }
    return concatParts(parts);
  }

  /** A node's output: a constant string or a function of the render state. */
  private node(n: Node, blockDepth: number): Part | string {
    switch (n.t) {
      case 'text':
        return n.text;
      case 'expr':
        return this.exprNode(n.list, blockDepth);
      case 'if': {
        const cond = this.list(n.cond, blockDepth);
        const then = this.block(n.then, blockDepth);
        const otherwise = n.hasElse ? this.block(n.else, blockDepth) : null;
        return (s) => (truthy(cond(s)) ? then(s) : otherwise ? otherwise(s) : '');
      }
      case 'for':
        this.usesScope = true;
        return n.key === null ? this.forArray(n, blockDepth) : this.forObject(n, blockDepth);
      case 'include':
      case 'extends': {
        const e = () => this.err(`${n.t} '${n.file}' not found`, n.pos);
        return () => {
          throw e();
        };
      }
      case 'block':
        return this.block(n.block, blockDepth + 1);
      case 'set': {
        this.usesScope = true;
        const value = this.list(n.expr, blockDepth);
        let tokens: string[] | null = null;
        let ptrError: unknown = null;
        try {
          tokens = parsePointer(setPointerText(n.key));
        } catch (err) {
          ptrError = err;
        }
        return (s) => {
          const v = value(s);
          if (tokens === null) throw ptrError;
          setPointer(s.add, tokens, v);
          return '';
        };
      }
    }
  }

  private exprNode(list: ExprList, blockDepth: number): Part | string {
    const root = list.root;
    if (root === null) {
      return () => {
        throw this.err('empty expression', list.pos);
      };
    }
    const print = this.print;
    if (root.t === 'lit') return print(root.value);
    const ev = this.maybe(root, blockDepth);
    return (s) => {
      const v = ev(s);
      if (v === NOT_FOUND) throw this.notFound(root);
      return print(v);
    };
  }

  /** An if/for/set expression (Inja's eval_expression_list). */
  private list(list: ExprList, blockDepth: number): Ev {
    const root = list.root;
    if (root === null) {
      return () => {
        throw this.err('empty expression', list.pos);
      };
    }
    return this.value(root, blockDepth);
  }

  private forArray(n: ForNode, blockDepth: number): Part {
    const cond = this.list(n.cond, blockDepth);
    const body = this.block(n.body, blockDepth);
    const name = n.value;
    // A name Object.prototype has (`constructor`…) needs the own-property helpers; others are plain stores.
    const plain = this.loopDataPrivate && !(name in Object.prototype);
    return (s) => {
      const arr = cond(s);
      if (!Array.isArray(arr)) throw this.err('object must be an array', n.pos);
      const add = s.add;
      enterLoop(add, true);
      let out = '';
      if (plain) {
        startPrivateLoop(add, arr.length);
        for (let i = 0; i < arr.length; i++) {
          add[name] = arr[i];
          stepPrivateLoop(add, i, arr.length);
          out += body(s);
        }
        add[name] = clearedValue(add[name] ?? null);
        endPrivateLoop(add);
        return out;
      }
      startLoop(add, arr.length);
      for (let i = 0; i < arr.length; i++) {
        putOwn(add, name, arr[i]);
        stepLoop(add, i, arr.length);
        out += body(s);
      }
      putOwn(add, name, clearedValue(getOwn(add, name) ?? null));
      endLoop(add);
      return out;
    };
  }

  private forObject(n: ForNode, blockDepth: number): Part {
    const cond = this.list(n.cond, blockDepth);
    const body = this.block(n.body, blockDepth);
    const keyName = n.key!;
    const valueName = n.value;
    const [start, step, end] = this.loopDataPrivate ? [startPrivateLoop, stepPrivateLoop, endPrivateLoop] : [startLoop, stepLoop, endLoop];
    return (s) => {
      const obj = cond(s);
      if (!isObject(obj)) throw this.err('object must be an object', n.pos);
      const add = s.add;
      enterLoop(add, false);
      const keys = sortedKeys(obj);
      start(add, keys.length);
      let out = '';
      for (let i = 0; i < keys.length; i++) {
        putOwn(add, keyName, keys[i]);
        putOwn(add, valueName, obj[keys[i]]);
        step(add, i, keys.length);
        out += body(s);
      }
      putOwn(add, keyName, clearedValue(getOwn(add, keyName) ?? null));
      putOwn(add, valueName, clearedValue(getOwn(add, valueName) ?? null));
      end(add);
      return out;
    };
  }

  // ---- expressions --------------------------------------------------------------------------------

  /** Evaluates an expression that must exist (a missing variable is an error). */
  private value(e: Expr, blockDepth: number): Ev {
    if (e.t === 'lit') {
      const v = e.value;
      return () => v;
    }
    if (e.t === 'data') {
      const look = this.lookup(e);
      return (s) => {
        const v = look(s);
        if (v === NOT_FOUND) throw this.notFound(e);
        return v;
      };
    }
    return this.fn(e, blockDepth);
  }

  /** Evaluates an expression that may be a missing variable (NOT_FOUND). */
  private maybe(e: Expr, blockDepth: number): MaybeEv {
    return e.t === 'data' ? this.lookup(e) : this.value(e, blockDepth);
  }

  /** A variable: the loop/set scope, then the context, then a zero-argument function of that name. */
  private lookup(e: DataExpr): MaybeEv {
    const tokens = e.tokens;
    const indexes = tokens.map(arrayIndex);
    const inScope = this.scopeKeys.has(tokens[0]);
    const cb = this.opts.functions.zeroArgCallback(e.name);
    if (!inScope && !cb && tokens.length === 1) {
      const key = tokens[0];
      return (s) => {
        const d = s.data as JsonObject; // always an object
        const v = key === '__proto__' ? getOwn(d, key) : d[key];
        return v === undefined || typeof v === 'function' ? NOT_FOUND : v;
      };
    }
    if (!inScope && !cb && tokens.length === 2 && indexes[0] < 0) {
      const [k0, k1] = tokens;
      const i1 = indexes[1];
      return (s) => {
        const d = s.data as JsonObject;
        const o = k0 === '__proto__' ? getOwn(d, k0) : d[k0];
        if (typeof o !== 'object' || o === null || o instanceof JsonFloat) return NOT_FOUND;
        let v: JsonValue | undefined;
        if (Array.isArray(o)) v = i1 >= 0 ? o[i1] : undefined;
        else v = k1 === '__proto__' ? getOwn(o, k1) : o[k1];
        return v === undefined || typeof v === 'function' ? NOT_FOUND : v;
      };
    }
    return (s) => {
      if (inScope) {
        const v = lookupPointer(s.add, tokens, indexes);
        if (v !== undefined) return v;
      }
      const v = lookupPointer(s.data, tokens, indexes);
      if (v !== undefined) return v;
      if (cb) return cb.call([], s.ctx);
      return NOT_FOUND;
    };
  }

  private unary(e: FnExpr, blockDepth: number, f: (x: JsonValue, s: RenderState) => JsonValue): Ev {
    const a0 = e.args[0];
    const a = this.maybe(a0, blockDepth);
    return (s) => {
      const x = a(s);
      if (x === NOT_FOUND) throw this.notFound(a0);
      return f(x, s);
    };
  }

  private binary(e: FnExpr, blockDepth: number, f: (x: JsonValue, y: JsonValue) => JsonValue): Ev {
    const [a0, a1] = e.args;
    const a = this.maybe(a0, blockDepth);
    const b = this.maybe(a1, blockDepth);
    return (s) => {
      const x = a(s);
      const y = b(s);
      if (y === NOT_FOUND) throw this.notFound(a1);
      if (x === NOT_FOUND) throw this.notFound(a0);
      return f(x, y);
    };
  }

  /** All arguments evaluated first, then missing ones reported from the last (Inja's get_argument_vector). */
  private argList(args: readonly Expr[], blockDepth: number): (s: RenderState) => JsonValue[] {
    const evs = args.map((a) => this.maybe(a, blockDepth));
    return (s) => {
      const vals: Maybe[] = evs.map((ev) => ev(s));
      for (let i = vals.length - 1; i >= 0; i--) if (vals[i] === NOT_FOUND) throw this.notFound(args[i]);
      return vals as JsonValue[];
    };
  }

  private fn(e: FnExpr, blockDepth: number): Ev {
    const d = blockDepth;
    switch (e.op) {
      case Op.Not:
        return this.unary(e, d, (x) => !truthy(x));
      case Op.And:
      case Op.Or: {
        const [a0, a1] = e.args;
        const a = this.value(a0, d);
        const b = this.value(a1, d);
        return e.op === Op.And ? (s) => truthy(a(s)) && truthy(b(s)) : (s) => truthy(a(s)) || truthy(b(s));
      }
      case Op.In:
        return this.binary(e, d, (x, y) => iterValues(y).some((v) => jsonEquals(v, x)));
      case Op.Equal:
        return this.binary(e, d, jsonEquals);
      case Op.NotEqual:
        return this.binary(e, d, jsonNotEquals);
      case Op.Greater:
        return this.binary(e, d, (x, y) => jsonCompare(x, y) > 0);
      case Op.GreaterEqual:
        return this.binary(e, d, (x, y) => jsonCompare(x, y) >= 0);
      case Op.Less:
        return this.binary(e, d, (x, y) => jsonCompare(x, y) < 0);
      case Op.LessEqual:
        return this.binary(e, d, (x, y) => jsonCompare(x, y) <= 0);
      case Op.Add:
        return this.binary(e, d, (x, y) => {
          if (typeof x === 'string' && typeof y === 'string') return x + y;
          if (isInteger(x) && isInteger(y)) return intResult(x, y, '+');
          return mkFloat(toDouble(x) + toDouble(y));
        });
      case Op.Subtract:
        return this.binary(e, d, (x, y) => (isInteger(x) && isInteger(y) ? intResult(x, y, '-') : mkFloat(toDouble(x) - toDouble(y))));
      case Op.Multiplication:
        return this.binary(e, d, (x, y) => (isInteger(x) && isInteger(y) ? intResult(x, y, '*') : mkFloat(toDouble(x) * toDouble(y))));
      case Op.Division: {
        const pos = e.pos;
        return this.binary(e, d, (x, y) => {
          const divisor = toDouble(y);
          if (divisor === 0) throw this.err('division by zero', pos);
          return mkFloat(toDouble(x) / divisor);
        });
      }
      case Op.Power:
        return this.binary(e, d, (x, y) => {
          if (isInteger(x)) {
            const exp = toInt64(y);
            if (exp >= 0) return truncInt(Math.pow(Number(x), Number(exp)));
            return mkFloat(Math.pow(toDouble(x), Number(exp)));
          }
          const base = toDouble(x);
          return mkFloat(Math.pow(base, Number(toInt64(y))));
        });
      case Op.Modulo: {
        const pos = e.pos;
        return this.binary(e, d, (x, y) => {
          const a = toInt64(x);
          const b = toInt64(y);
          // C++ traps on a zero divisor (Envoy would crash); we report it.
          if (b === 0 || b === 0n) throw this.err('division by zero', pos);
          if (typeof a === 'number' && typeof b === 'number') {
            const r = a % b;
            return r === 0 ? 0 : r;
          }
          return intResult(BigInt(a) % BigInt(b), 0, '+');
        });
      }
      case Op.AtId:
        return this.atId(e, d);
      case Op.At:
        return this.binary(e, d, (x, y) => {
          if (isObject(x)) {
            const key = getString(y);
            const v = getOwn(x, key);
            if (v === undefined) throw jsonError('out_of_range.403', `key '${key}' not found`);
            return v;
          }
          return arrayAt(x, toInt32(y));
        });
      case Op.Default: {
        const [a0, a1] = e.args;
        const a = this.maybe(a0, d);
        const b = this.value(a1, d);
        return (s) => {
          const x = a(s);
          return x === NOT_FOUND ? b(s) : x;
        };
      }
      case Op.DivisibleBy:
        return this.binary(e, d, (x, y) => {
          const divisor = toInt64(y);
          if (divisor === 0 || divisor === 0n) return false;
          const a = toInt64(x);
          return typeof a === 'number' && typeof divisor === 'number' ? a % divisor === 0 : BigInt(a) % BigInt(divisor) === 0n;
        });
      case Op.Even:
      case Op.Odd: {
        const even = e.op === Op.Even;
        return this.unary(e, d, (x) => {
          const n = toInt64(x);
          const isEven = typeof n === 'number' ? n % 2 === 0 : n % 2n === 0n;
          return even ? isEven : !isEven;
        });
      }
      case Op.Exists:
        return this.exists(e, d);
      case Op.ExistsInObject:
        return this.binary(e, d, (x, y) => {
          const key = refString(y);
          return isObject(x) && getOwn(x, key) !== undefined;
        });
      case Op.First:
        return this.unary(e, d, (x) => firstOrLast(x, true));
      case Op.Last:
        return this.unary(e, d, (x) => firstOrLast(x, false));
      case Op.Float:
        return this.unary(e, d, (x) => mkFloat(stod(refString(x))));
      case Op.Int:
        return this.unary(e, d, (x) => stoi(refString(x)));
      case Op.IsArray:
        return this.unary(e, d, (x) => Array.isArray(x));
      case Op.IsBoolean:
        return this.unary(e, d, (x) => typeof x === 'boolean');
      case Op.IsFloat:
        return this.unary(e, d, (x) => isFloat(x));
      case Op.IsInteger:
        return this.unary(e, d, (x) => isInteger(x));
      case Op.IsNumber:
        return this.unary(e, d, (x) => isNumber(x));
      case Op.IsObject:
        return this.unary(e, d, (x) => isObject(x));
      case Op.IsString:
        return this.unary(e, d, (x) => typeof x === 'string');
      case Op.Length:
        return this.unary(e, d, (x) => {
          if (typeof x === 'string') return byteLength(x);
          if (x === null) return 0;
          if (Array.isArray(x)) return x.length;
          if (isObject(x)) return Object.keys(x).length;
          return 1;
        });
      case Op.Lower:
        return this.unary(e, d, (x) => asciiLower(getString(x)));
      case Op.Upper:
        return this.unary(e, d, (x) => asciiUpper(getString(x)));
      case Op.Max:
      case Op.Min: {
        const max = e.op === Op.Max;
        return this.unary(e, d, (x) => {
          const vals = iterValues(x);
          if (vals.length === 0) throw jsonError('invalid_iterator.214', 'cannot get value');
          let best = vals[0];
          for (let i = 1; i < vals.length; i++) {
            if (max ? jsonCompare(best, vals[i]) < 0 : jsonCompare(vals[i], best) < 0) best = vals[i];
          }
          return best;
        });
      }
      case Op.Range:
        return this.unary(e, d, (x) => {
          const n = toInt64(x);
          if (n < 0) throw stdError('vector'); // size_t(-n) is beyond max_size(): libc++'s length_error
          if (n > MAX_RANGE) throw new InjaRenderError('INJA_ERR_LIMIT', `range(${n}) is beyond the ${MAX_RANGE} elements a range may have`);
          const out = new Array<JsonValue>(Number(n));
          for (let i = 0; i < out.length; i++) out[i] = i;
          return out;
        });
      case Op.Round:
        return this.binary(e, d, (x, y) => {
          const precision = Number(toInt64(y));
          const scale = Math.pow(10, precision);
          const result = cppRound(toDouble(x) * scale) / scale;
          if (precision === 0) return Number.isFinite(result) && Math.abs(result) < 2 ** 31 ? result | 0 : -2147483648;
          return mkFloat(result);
        });
      case Op.Sort:
        return this.unary(e, d, (x) => {
          if (!Array.isArray(x)) throw jsonError('type_error.302', `type must be array, but is ${typeName(x)}`);
          return x.slice().sort((p, q) => (jsonCompare(p, q) < 0 ? -1 : jsonCompare(q, p) < 0 ? 1 : 0));
        });
      case Op.Join:
        return this.binary(e, d, (x, y) => {
          const sep = getString(y);
          let out = '';
          let first = true;
          for (const v of iterValues(x)) {
            out += (first ? '' : sep) + (typeof v === 'string' ? v : dumpJson(v));
            first = false;
          }
          return out;
        });
      case Op.Super: {
        const args = this.argList(e.args, d);
        const pos = e.pos;
        return (s) => {
          const vals = args(s);
          if (vals.length === 1) toInt32(vals[0]);
          if (blockDepth === 0) throw this.err('super() call is not within a block', pos);
          throw this.err('level of super() call does not match parent templates (between 1 and 0)', pos);
        };
      }
      case Op.Callback:
        return this.callback(e, d);
    }
  }

  private atId(e: FnExpr, d: number): Ev {
    const [a0, a1] = e.args;
    const container = this.maybe(a0, d);
    const pos = e.pos;
    const id: MaybeEv = this.maybe(a1, d);
    const name = a1.t === 'data' ? a1.name : null;
    return (s) => {
      const c = container(s);
      const found = id(s);
      if (found !== NOT_FOUND || name === null) throw this.err('could not find element with given name', pos);
      // (Inja dereferences the missing container and crashes; we report it.)
      if (c === NOT_FOUND) throw this.notFound(a0);
      if (!isObject(c)) throw jsonError('type_error.304', `cannot use at() with ${typeName(c)}`);
      const v = getOwn(c, name);
      if (v === undefined) throw jsonError('out_of_range.403', `key '${name}' not found`);
      return v;
    };
  }

  private exists(e: FnExpr, d: number): Ev {
    const a0 = e.args[0];
    const test = (name: string, s: RenderState) => {
      const tokens = parsePointer(dotToPointer(name));
      return lookupPointer(s.data, tokens, tokens.map(arrayIndex)) !== undefined;
    };
    if (a0.t === 'lit' && typeof a0.value === 'string') {
      let tokens: string[] | null = null;
      try {
        tokens = parsePointer(dotToPointer(a0.value));
      } catch {
        // reported at render time, as Inja does
      }
      if (tokens !== null) {
        const t = tokens;
        const idx = t.map(arrayIndex);
        return (s) => lookupPointer(s.data, t, idx) !== undefined;
      }
    }
    return this.unary(e, d, (x, s) => test(refString(x), s));
  }

  private callback(e: FnExpr, d: number): Ev {
    const cb: CallbackDef = this.opts.functions.find(e.name, e.args.length)!.callback!;
    if (cb.specialize && e.args.every((a) => a.t === 'lit')) {
      const fast = cb.specialize(e.args.map((a) => (a as { value: JsonValue }).value));
      if (fast) return (s) => fast(s.ctx);
    }
    if (e.args.length === 0) return (s) => cb.call([], s.ctx);
    const args = this.argList(e.args, d);
    return (s) => cb.call(args(s), s.ctx);
  }
}

/**
 * One function concatenating a block's parts. With more than three parts the concatenation is
 * generated code (`return p0 + p1(s) + p2 …`): every part is called from its own call site, which V8
 * keeps monomorphic, where a loop over an array of closures would be megamorphic. Only the parts
 * (closures and constant strings) are passed in; no template text becomes code.
 */
function concatParts(parts: readonly (Part | string)[]): Part {
  if (parts.length > MAX_GENERATED_PARTS) {
    // a huge block: concatenate chunks (keeps generated functions small)
    const chunks: Part[] = [];
    for (let i = 0; i < parts.length; i += MAX_GENERATED_PARTS) chunks.push(concatParts(parts.slice(i, i + MAX_GENERATED_PARTS)));
    return concatParts(chunks);
  }
  if (parts.length === 0) return () => '';
  if (parts.length === 1) {
    const only = parts[0];
    return typeof only === 'string' ? () => only : only;
  }
  if (parts.length === 2 && typeof parts[0] !== 'string' && typeof parts[1] !== 'string') {
    const [a, b] = parts;
    return (s) => a(s) + b(s);
  }
  const names = parts.map((_, i) => `p${i}`);
  const body = parts.map((p, i) => (typeof p === 'string' ? names[i] : `${names[i]}(s)`)).join(' + ');
  const make = new Function(...names, `return function render(s) { return ${typeof parts[0] === 'string' ? '' : "'' + "}${body}; };`) as (
    ...p: (Part | string)[]
  ) => Part;
  return make(...parts);
}

const MAX_GENERATED_PARTS = 64;

/** static_cast<int64_t>(double) of pow's result. */
function truncInt(x: number): JsonValue {
  return toInt64(Number.isInteger(x) ? new JsonFloat(x) : x);
}

function arrayAt(x: JsonValue, idx: number): JsonValue {
  if (!Array.isArray(x)) throw jsonError('type_error.304', `cannot use at() with ${typeName(x)}`);
  if (idx < 0 || idx >= x.length) {
    const shown = idx < 0 ? BigInt.asUintN(64, BigInt(idx)).toString() : String(idx);
    throw jsonError('out_of_range.401', `array index ${shown} is out of range`);
  }
  return x[idx];
}

/** front() / back(): an array's end, an object's first/last value, a primitive itself. */
function firstOrLast(x: JsonValue, first: boolean): JsonValue {
  const vals = iterValues(x);
  if (vals.length === 0) throw jsonError('invalid_iterator.214', 'cannot get value');
  return first ? vals[0] : vals[vals.length - 1];
}

// ---- loop data (Inja's `loop` object: index, index1, is_first, is_last, parent) --------------------

// The loop object is replaced, never changed in place: a `set` may hold the previous one.

/**
 * A loop inside a loop keeps the outer loop's data as `loop.parent`: an array loop keeps its other
 * keys too (Inja copies the object), an object loop starts afresh (Inja moves it).
 */
function enterLoop(add: JsonObject, arrayLoop: boolean): void {
  const loop = add.loop ?? null;
  if (isEmpty(loop)) return;
  if (arrayLoop) {
    const withParent = objectForWrite(loop);
    withParent.parent = loop;
    add.loop = withParent;
  } else add.loop = { parent: loop };
}

/** startLoop when only the loop machinery writes the loop data. */
function startPrivateLoop(add: JsonObject, size: number): void {
  const prev = add.loop;
  add.loop = prev === null ? { is_first: true, is_last: size <= 1 } : { ...(prev as JsonObject), is_first: true, is_last: size <= 1 };
}

/** endLoop when only the loop machinery writes the loop data (always an object here). */
function endPrivateLoop(add: JsonObject): void {
  const loop = add.loop as JsonObject;
  const parent = loop.parent;
  if (parent === undefined) {
    add.loop =
      loop.index === undefined
        ? { is_first: loop.is_first, is_last: loop.is_last, parent: null }
        : { is_first: loop.is_first, is_last: loop.is_last, index: loop.index, index1: loop.index1, parent: null };
  } else if (!isEmpty(parent)) add.loop = parent;
}

function startLoop(add: JsonObject, size: number): void {
  const loop = objectForWrite(add.loop ?? null);
  loop.is_first = true;
  loop.is_last = size <= 1;
  add.loop = loop;
}

function stepLoop(add: JsonObject, i: number, size: number): void {
  const prev = add.loop;
  const loop = isObject(prev) ? { ...prev } : objectForWrite(prev ?? null);
  loop.index = i;
  loop.index1 = i + 1;
  if (i === 1) loop.is_first = false;
  if (i === size - 1) loop.is_last = true;
  add.loop = loop;
}

/** stepLoop when only the loop machinery writes the loop data (keys is_first, is_last, index, index1, parent). */
function stepPrivateLoop(add: JsonObject, i: number, size: number): void {
  const prev = add.loop as JsonObject;
  const isFirst = i === 1 ? false : (prev.is_first as boolean);
  const isLast = i === size - 1 ? true : (prev.is_last as boolean);
  const parent = prev.parent;
  add.loop =
    parent === undefined
      ? { is_first: isFirst, is_last: isLast, index: i, index1: i + 1 }
      : { is_first: isFirst, is_last: isLast, index: i, index1: i + 1, parent };
}

/** Restores the enclosing loop's data, or leaves this loop's (with `parent: null`) as Inja does. */
function endLoop(add: JsonObject): void {
  const loop = objectForWrite(add.loop ?? null);
  let parent = getOwn(loop, 'parent');
  if (parent === undefined) {
    parent = null;
    loop.parent = null;
  }
  add.loop = isEmpty(parent) ? loop : parent;
}
