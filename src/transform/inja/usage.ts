/**
 * What a compiled template reads from its request, found once on the parsed template so the
 * transformation filter can tell, at config time, whether a transformation needs the message body:
 * a transformation whose templates read neither the body nor a variable of the JSON context (only
 * headers and extractions) runs without buffering.
 *
 * Conservative on purpose: any variable counts as a context read, except the variables of an
 * enclosing `for` (and its `loop`); a bare `body`/`context` may fall back to the function of that name.
 * Example: `{{ header("x") }}-{{ id }}` reads the variable `id` and not the body.
 */
import { Op, type Block, type Expr, type ExprList } from './ast.js';

export interface TemplateUsage {
  /** The raw body: `body()`, or a bare `body` that falls back to it. */
  readonly body: boolean;
  /** The whole context: `context()`, `exists("…")`, or a bare `context`. */
  readonly wholeContext: boolean;
  /** Every variable looked up in the context, as written (`user.id`, `items/0`). */
  readonly variables: ReadonlySet<string>;
}

export const NO_USAGE: TemplateUsage = { body: false, wholeContext: false, variables: new Set() };

export function templateUsage(root: Block): TemplateUsage {
  const variables = new Set<string>();
  let body = false;
  let wholeContext = false;
  const expr = (e: Expr | null, bound: ReadonlySet<string>): void => {
    if (e === null) return;
    switch (e.t) {
      case 'lit':
        return;
      case 'data': {
        if (bound.has(e.tokens[0] ?? '')) return;
        variables.add(e.name);
        if (e.name === 'body') body = true;
        if (e.name === 'context') wholeContext = true;
        return;
      }
      case 'fn':
        if (e.op === Op.Callback) {
          if (e.name === 'body') body = true;
          else if (e.name === 'context') wholeContext = true;
        } else if (e.op === Op.Exists) wholeContext = true;
        for (const a of e.args) expr(a, bound);
    }
  };
  const list = (l: ExprList, bound: ReadonlySet<string>): void => expr(l.root, bound);
  const block = (b: Block, bound: ReadonlySet<string>): void => {
    for (const n of b.nodes) {
      switch (n.t) {
        case 'text':
        case 'include':
          break;
        case 'expr':
          list(n.list, bound);
          break;
        case 'set':
          list(n.expr, bound);
          break;
        case 'if':
          list(n.cond, bound);
          block(n.then, bound);
          block(n.else, bound);
          break;
        case 'for': {
          list(n.cond, bound);
          const inner = new Set(bound);
          inner.add(n.value);
          inner.add('loop');
          if (n.key !== null) inner.add(n.key);
          block(n.body, inner);
          break;
        }
        case 'block':
          block(n.block, bound);
          break;
        default:
          // 'extends' (same shape as include): nothing read
          break;
      }
    }
  };
  block(root, new Set());
  return { body, wholeContext, variables };
}
