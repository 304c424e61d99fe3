/**
 * The parsed form of a template: what the parser builds once at config time and the compiler turns
 * into render closures. Positions (`pos`) are indices into the lexer's input (the template without a
 * leading BOM); render errors turn them into Inja's `(at line:column)`.
 */
import type { JsonValue } from './json-value.js';

/** Inja's operations: operators, built-in functions, and `Callback` for Gloo's functions. */
export const enum Op {
  Not,
  And,
  Or,
  In,
  Equal,
  NotEqual,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  Add,
  Subtract,
  Multiplication,
  Division,
  Power,
  Modulo,
  AtId,
  At,
  Default,
  DivisibleBy,
  Even,
  Exists,
  ExistsInObject,
  First,
  Float,
  Int,
  IsArray,
  IsBoolean,
  IsFloat,
  IsInteger,
  IsNumber,
  IsObject,
  IsString,
  Last,
  Length,
  Lower,
  Max,
  Min,
  Odd,
  Range,
  Round,
  Sort,
  Upper,
  Super,
  Join,
  Callback,
}

export interface LiteralExpr {
  readonly t: 'lit';
  readonly pos: number;
  readonly value: JsonValue;
}

/** A variable: `name` as written, `tokens` its JSON pointer (`a.b` → ['a', 'b'] in dot notation). */
export interface DataExpr {
  readonly t: 'data';
  readonly pos: number;
  readonly name: string;
  readonly tokens: readonly string[];
}

export interface FnExpr {
  readonly t: 'fn';
  readonly pos: number;
  op: Op;
  /** The function name for calls (`upper`, `header`); empty for operators. */
  readonly name: string;
  readonly args: Expr[];
  /** Operators only: precedence, right associativity and arity. */
  readonly precedence: number;
  readonly rightAssoc: boolean;
  readonly arity: number;
}

export type Expr = LiteralExpr | DataExpr | FnExpr;

export interface Block {
  readonly nodes: Node[];
}

/** `{{ expr }}` — also the condition holder of if/for/set (whose `pos` is 0, as in Inja). */
export interface ExprList {
  readonly pos: number;
  root: Expr | null;
}

export interface TextNode {
  readonly t: 'text';
  readonly text: string;
}

export interface ExprNode {
  readonly t: 'expr';
  readonly list: ExprList;
}

export interface IfNode {
  readonly t: 'if';
  readonly pos: number;
  readonly cond: ExprList;
  readonly then: Block;
  readonly else: Block;
  hasElse: boolean;
  /** An `else if`: closed together with the `if` it continues. */
  readonly nested: boolean;
  readonly parent: Block;
}

export interface ForNode {
  readonly t: 'for';
  readonly pos: number;
  /** Set for `for key, value in object`; null for `for value in array`. */
  readonly key: string | null;
  readonly value: string;
  readonly cond: ExprList;
  readonly body: Block;
  readonly parent: Block;
}

export interface IncludeNode {
  readonly t: 'include' | 'extends';
  readonly pos: number;
  readonly file: string;
}

export interface BlockStatementNode {
  readonly t: 'block';
  readonly pos: number;
  readonly name: string;
  readonly block: Block;
  readonly parent: Block;
}

export interface SetNode {
  readonly t: 'set';
  readonly pos: number;
  readonly key: string;
  readonly expr: ExprList;
}

export type Node = TextNode | ExprNode | IfNode | ForNode | IncludeNode | BlockStatementNode | SetNode;
