/**
 * The functions a template may call: Inja 3.4's built-ins plus the callbacks an environment registers
 * (Gloo's, see gloo-functions.ts). A function is found by name and argument count — `substring` with
 * 2 or 3 arguments, `upper` with exactly 1 — or as variadic (`dynamic_metadata(key[, namespace])`);
 * anything else is "unknown function", a config-time error, as in Gloo. A built-in cannot be
 * replaced by a callback of the same name and arity (Inja keeps the first registration).
 */
import { Op } from './ast.js';
import type { InjaContext } from './context.js';
import type { JsonValue } from './json-value.js';

/** A callback: evaluated with its arguments' values (Inja's `Arguments`). */
export interface CallbackDef {
  readonly name: string;
  /** Argument count; -1 for variadic (one or more). */
  readonly arity: number;
  call(args: readonly JsonValue[], ctx: InjaContext): JsonValue;
  /**
   * Optional config-time specialisation when every argument is a literal (e.g. `header(":path")`
   * lowercases the name once). Returns null when it has nothing better than `call`.
   */
  specialize?(args: readonly JsonValue[]): ((ctx: InjaContext) => JsonValue) | null;
}

export interface FunctionDef {
  readonly op: Op;
  readonly callback?: CallbackDef;
}

/** Inja 3.4's built-in functions (`include/inja/function_storage.hpp`), name → arities. */
const BUILTINS: ReadonlyArray<readonly [string, number, Op]> = [
  ['at', 2, Op.At],
  ['default', 2, Op.Default],
  ['divisibleBy', 2, Op.DivisibleBy],
  ['even', 1, Op.Even],
  ['exists', 1, Op.Exists],
  ['existsIn', 2, Op.ExistsInObject],
  ['first', 1, Op.First],
  ['float', 1, Op.Float],
  ['int', 1, Op.Int],
  ['isArray', 1, Op.IsArray],
  ['isBoolean', 1, Op.IsBoolean],
  ['isFloat', 1, Op.IsFloat],
  ['isInteger', 1, Op.IsInteger],
  ['isNumber', 1, Op.IsNumber],
  ['isObject', 1, Op.IsObject],
  ['isString', 1, Op.IsString],
  ['last', 1, Op.Last],
  ['length', 1, Op.Length],
  ['lower', 1, Op.Lower],
  ['max', 1, Op.Max],
  ['min', 1, Op.Min],
  ['odd', 1, Op.Odd],
  ['range', 1, Op.Range],
  ['round', 2, Op.Round],
  ['sort', 1, Op.Sort],
  ['upper', 1, Op.Upper],
  ['super', 0, Op.Super],
  ['super', 1, Op.Super],
  ['join', 2, Op.Join],
];

export const BUILTIN_NAMES: readonly string[] = [...new Set(BUILTINS.map(([name]) => name))];

const VARIADIC = -1;

export class FunctionTable {
  private readonly byKey = new Map<string, FunctionDef>();

  constructor(callbacks: readonly CallbackDef[]) {
    for (const [name, arity, op] of BUILTINS) this.byKey.set(`${name}/${arity}`, { op });
    for (const cb of callbacks) {
      const key = `${cb.name}/${cb.arity}`;
      if (!this.byKey.has(key)) this.byKey.set(key, { op: Op.Callback, callback: cb });
    }
  }

  find(name: string, argCount: number): FunctionDef | null {
    const exact = this.byKey.get(`${name}/${argCount}`);
    if (exact) return exact;
    if (argCount > 0) return this.byKey.get(`${name}/${VARIADIC}`) ?? null;
    return null;
  }

  /** The zero-argument callback a bare name falls back to when no variable has it (`{{ body }}`). */
  zeroArgCallback(name: string): CallbackDef | null {
    return this.byKey.get(`${name}/0`)?.callback ?? null;
  }
}
