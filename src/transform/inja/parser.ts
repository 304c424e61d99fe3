/**
 * The template parser: Inja 3.4's parser (shunting-yard expressions, statement stacks), so a template
 * is accepted or rejected exactly as Gloo does, with the same message and position. Notable rules it
 * keeps: literals (`"…"`, numbers, `[…]`, `{…}`) are JSON parsed whole; a name followed by `(` is a
 * function call that must exist with that many arguments (an unknown one is a config-time error);
 * `and`/`or` bind loosest, then comparisons and `in`, `+ -`, `* / % not`, `^`; `else if` chains close
 * with one `endif`; `include`/`extends` parse but have nothing to include in Gloo (a render error);
 * an expression that is empty (`{{ }}`) is only an error at render time.
 */
import { Op, type Block, type DataExpr, type Expr, type ExprList, type FnExpr, type ForNode, type IfNode, type BlockStatementNode } from './ast.js';
import { InjaRenderError, TemplateError, lineTextAt, sourceLocation } from './errors.js';
import { parseJson } from './json-parse.js';
import { Lexer, Tok, type LexerOptions, type Token } from './lexer.js';
import { parsePointer, dotToPointer } from './pointer.js';

/** What the parser needs to know about functions: the operation for a name and argument count. */
export interface FunctionLookup {
  find(name: string, argCount: number): { op: Op } | null;
}

export interface ParsedTemplate {
  readonly root: Block;
  /** The template; node positions index it (a BOM included, as Inja counts it for render errors). */
  readonly content: string;
}

interface OperatorInfo {
  precedence: number;
  rightAssoc: boolean;
  arity: number;
}

const OPERATORS: Partial<Record<Op, OperatorInfo>> = {
  [Op.Not]: { precedence: 4, rightAssoc: false, arity: 1 },
  [Op.And]: { precedence: 1, rightAssoc: false, arity: 2 },
  [Op.Or]: { precedence: 1, rightAssoc: false, arity: 2 },
  [Op.In]: { precedence: 2, rightAssoc: false, arity: 2 },
  [Op.Equal]: { precedence: 2, rightAssoc: false, arity: 2 },
  [Op.NotEqual]: { precedence: 2, rightAssoc: false, arity: 2 },
  [Op.Greater]: { precedence: 2, rightAssoc: false, arity: 2 },
  [Op.GreaterEqual]: { precedence: 2, rightAssoc: false, arity: 2 },
  [Op.Less]: { precedence: 2, rightAssoc: false, arity: 2 },
  [Op.LessEqual]: { precedence: 2, rightAssoc: false, arity: 2 },
  [Op.Add]: { precedence: 3, rightAssoc: false, arity: 2 },
  [Op.Subtract]: { precedence: 3, rightAssoc: false, arity: 2 },
  [Op.Multiplication]: { precedence: 4, rightAssoc: false, arity: 2 },
  [Op.Division]: { precedence: 4, rightAssoc: false, arity: 2 },
  [Op.Power]: { precedence: 5, rightAssoc: true, arity: 2 },
  [Op.Modulo]: { precedence: 4, rightAssoc: false, arity: 2 },
  [Op.AtId]: { precedence: 8, rightAssoc: false, arity: 2 },
};

const TOKEN_OPERATORS: Partial<Record<Tok, Op>> = {
  [Tok.Equal]: Op.Equal,
  [Tok.NotEqual]: Op.NotEqual,
  [Tok.GreaterThan]: Op.Greater,
  [Tok.GreaterEqual]: Op.GreaterEqual,
  [Tok.LessThan]: Op.Less,
  [Tok.LessEqual]: Op.LessEqual,
  [Tok.Plus]: Op.Add,
  [Tok.Minus]: Op.Subtract,
  [Tok.Times]: Op.Multiplication,
  [Tok.Slash]: Op.Division,
  [Tok.Power]: Op.Power,
  [Tok.Percent]: Op.Modulo,
  [Tok.Dot]: Op.AtId,
};

const WORD_OPERATORS = new Map<string, Op>([
  ['and', Op.And],
  ['or', Op.Or],
  ['in', Op.In],
  ['not', Op.Not],
]);

export interface ParseOptions extends LexerOptions {
  functions: FunctionLookup;
}

/** Parses a template; throws TemplateError. */
export function parseTemplate(template: string, opts: ParseOptions): ParsedTemplate {
  const bom = template.charCodeAt(0) === 0xfeff;
  return new Parser(bom ? template.slice(1) : template, bom ? 1 : 0, template, opts).parse();
}

class Parser {
  private readonly lexer: Lexer;
  private tok: Token = { kind: Tok.Unknown, start: 0, end: 0 };
  private peekTok: Token = { kind: Tok.Unknown, start: 0, end: 0 };
  private havePeek = false;
  private literalStart = 0;
  private readonly root: Block = { nodes: [] };
  private currentBlock: Block = this.root;
  private currentList: ExprList = { pos: 0, root: null };
  private readonly ifStack: IfNode[] = [];
  private readonly forStack: ForNode[] = [];
  private readonly blockStack: BlockStatementNode[] = [];
  private readonly blockNames = new Set<string>();

  /**
   * @param input the template without a leading BOM (what the lexer scans; parser errors point into it)
   * @param base what to add to an input index to get a position in `content` (1 with a BOM)
   */
  constructor(
    private readonly input: string,
    private readonly base: number,
    private readonly content: string,
    private readonly opts: ParseOptions,
  ) {
    this.lexer = new Lexer(input, opts);
  }

  parse(): ParsedTemplate {
    for (;;) {
      this.next();
      switch (this.kind()) {
        case Tok.Eof:
          if (this.ifStack.length > 0) this.fail('unmatched if');
          if (this.forStack.length > 0) this.fail('unmatched for');
          return { root: this.root, content: this.content };
        case Tok.Text:
          this.currentBlock.nodes.push({ t: 'text', text: this.lexer.text(this.tok) });
          break;
        case Tok.StatementOpen:
          this.next();
          if (!this.parseStatement(Tok.StatementClose)) this.fail(`expected statement, got '${this.describe()}'`);
          if (this.kind() !== Tok.StatementClose) this.fail(`expected statement close, got '${this.describe()}'`);
          break;
        case Tok.LineStatementOpen:
          this.next();
          if (!this.parseStatement(Tok.LineStatementClose)) this.fail(`expected statement, got '${this.describe()}'`);
          if (this.kind() !== Tok.LineStatementClose && this.kind() !== Tok.Eof) {
            this.fail(`expected line statement close, got '${this.describe()}'`);
          }
          break;
        case Tok.ExpressionOpen: {
          this.next();
          const list: ExprList = { pos: this.tok.start + this.base, root: null };
          this.currentBlock.nodes.push({ t: 'expr', list });
          this.currentList = list;
          if (!this.parseExpressionInto(Tok.ExpressionClose)) this.fail(`expected expression close, got '${this.describe()}'`);
          break;
        }
        case Tok.CommentOpen:
          this.next();
          if (this.kind() !== Tok.CommentClose) this.fail(`expected comment close, got '${this.describe()}'`);
          break;
        default:
          this.fail(`unexpected token '${this.describe()}'`);
      }
    }
  }

  // ---- tokens and errors --------------------------------------------------------------------------

  /** The current token's kind (a method, so TypeScript does not keep a narrowing across next()). */
  private kind(): Tok {
    return this.tok.kind;
  }

  private next(): void {
    if (this.havePeek) {
      this.tok = this.peekTok;
      this.havePeek = false;
    } else this.tok = this.lexer.scan();
  }

  private peek(): void {
    if (!this.havePeek) {
      this.peekTok = this.lexer.scan();
      this.havePeek = true;
    }
  }

  private text(t: Token = this.tok): string {
    return this.lexer.text(t);
  }

  private describe(): string {
    return this.lexer.describe(this.tok);
  }

  /** Inja's parser_error, positioned where the lexer is (the last token it scanned). */
  private fail(reason: string): never {
    const at = this.lexer.tokStart;
    const { line, column } = sourceLocation(this.input, at);
    throw new TemplateError(
      'INJA_ERR_PARSE',
      `[inja.exception.parser_error] (at ${line}:${column}) ${reason}`,
      reason,
      line,
      column,
      this.describe(),
      lineTextAt(this.input, at),
    );
  }

  /** A nlohmann exception raised while parsing (a bad literal, a bad JSON pointer), positioned at `pos`. */
  private jsonFail(err: unknown, pos: number, near: string): never {
    if (!(err instanceof InjaRenderError)) throw err;
    const { line, column } = sourceLocation(this.input, pos);
    throw new TemplateError('INJA_ERR_JSON', err.message, err.message, line, column, near, lineTextAt(this.input, pos));
  }

  // ---- expressions --------------------------------------------------------------------------------

  private parseExpressionInto(closing: Tok): boolean {
    this.currentList.root = this.parseExpression();
    return this.kind() === closing;
  }

  private addLiteral(args: Expr[]): void {
    const text = this.input.slice(this.literalStart, this.tok.end);
    let value;
    try {
      value = parseJson(text);
    } catch (err) {
      this.jsonFail(err, this.literalStart, text);
    }
    args.push({ t: 'lit', pos: this.literalStart + this.base, value });
  }

  private dataNode(name: string, pos: number): DataExpr {
    const ptr = this.opts.pointerNotation ? (name.startsWith('/') ? name : '/' + name) : dotToPointer(name);
    let tokens: string[];
    try {
      tokens = parsePointer(ptr);
    } catch (err) {
      this.jsonFail(err, pos, name);
    }
    return { t: 'data', pos: pos + this.base, name, tokens };
  }

  private operator(op: Op, pos: number): FnExpr {
    const info = OPERATORS[op]!;
    return { t: 'fn', pos: pos + this.base, op, name: '', args: [], precedence: info.precedence, rightAssoc: info.rightAssoc, arity: info.arity };
  }

  private addOperator(args: Expr[], stack: FnExpr[]): void {
    const fn = stack.pop()!;
    if (args.length < fn.arity) this.fail('too few arguments');
    fn.args.push(...args.splice(args.length - fn.arity, fn.arity));
    args.push(fn);
  }

  private parseExpression(): Expr | null {
    let brackets = 0;
    let braces = 0;
    const args: Expr[] = [];
    const ops: FnExpr[] = [];
    loop: while (this.kind() !== Tok.Eof) {
      const kind = this.kind();
      switch (kind) {
        case Tok.String:
        case Tok.Number:
          if (braces === 0 && brackets === 0) {
            this.literalStart = this.tok.start;
            this.addLiteral(args);
          }
          break;
        case Tok.LeftBracket:
          if (braces === 0 && brackets === 0) this.literalStart = this.tok.start;
          brackets++;
          break;
        case Tok.LeftBrace:
          if (braces === 0 && brackets === 0) this.literalStart = this.tok.start;
          braces++;
          break;
        case Tok.RightBracket:
          if (brackets === 0) this.fail("unexpected ']'");
          brackets--;
          if (braces === 0 && brackets === 0) this.addLiteral(args);
          break;
        case Tok.RightBrace:
          if (braces === 0) this.fail("unexpected '}'");
          braces--;
          if (braces === 0 && brackets === 0) this.addLiteral(args);
          break;
        case Tok.Id: {
          this.peek();
          const name = this.text();
          if (name === 'true' || name === 'false' || name === 'null') {
            if (braces === 0 && brackets === 0) {
              this.literalStart = this.tok.start;
              this.addLiteral(args);
            }
          } else if (WORD_OPERATORS.has(name)) {
            this.pushOperator(WORD_OPERATORS.get(name)!, args, ops);
          } else if (this.peekTok.kind === Tok.LeftParen) {
            const pos = this.tok.start + this.base;
            const callArgs: Expr[] = [];
            this.next();
            do {
              this.next();
              const e = this.parseExpression();
              if (!e) break;
              callArgs.push(e);
            } while (this.kind() === Tok.Comma);
            if (this.kind() !== Tok.RightParen) this.fail(`expected right parenthesis, got '${this.describe()}'`);
            const fn = this.opts.functions.find(name, callArgs.length);
            if (!fn) this.fail(`unknown function ${name}`);
            args.push({ t: 'fn', pos, op: fn.op, name, args: callArgs, precedence: 8, rightAssoc: false, arity: callArgs.length });
          } else {
            args.push(this.dataNode(name, this.tok.start));
          }
          break;
        }
        case Tok.Comma:
          if (braces === 0 && brackets === 0) break loop;
          break;
        case Tok.Colon:
          if (braces === 0 && brackets === 0) this.fail("unexpected ':'");
          break;
        case Tok.LeftParen: {
          this.next();
          const e = this.parseExpression();
          if (this.kind() !== Tok.RightParen) this.fail(`expected right parenthesis, got '${this.describe()}'`);
          if (!e) this.fail('empty expression in parentheses');
          args.push(e);
          break;
        }
        default: {
          const op = TOKEN_OPERATORS[kind];
          if (op === undefined) break loop;
          this.pushOperator(op, args, ops);
        }
      }
      this.next();
    }
    while (ops.length > 0) this.addOperator(args, ops);
    if (args.length === 1) return args[0];
    if (args.length > 1) this.fail('malformed expression');
    return null;
  }

  private pushOperator(op: Op, args: Expr[], ops: FnExpr[]): void {
    const fn = this.operator(op, this.tok.start);
    while (ops.length > 0) {
      const top = ops[ops.length - 1];
      if (top.precedence > fn.precedence || (top.precedence === fn.precedence && !fn.rightAssoc)) this.addOperator(args, ops);
      else break;
    }
    ops.push(fn);
  }

  // ---- statements ---------------------------------------------------------------------------------

  private parseStatement(closing: Tok): boolean {
    if (this.kind() !== Tok.Id) return false;
    switch (this.text()) {
      case 'if': {
        this.next();
        const node: IfNode = {
          t: 'if',
          pos: this.tok.start + this.base,
          cond: { pos: 0, root: null },
          then: { nodes: [] },
          else: { nodes: [] },
          hasElse: false,
          nested: false,
          parent: this.currentBlock,
        };
        this.currentBlock.nodes.push(node);
        this.ifStack.push(node);
        this.currentBlock = node.then;
        this.currentList = node.cond;
        return this.parseExpressionInto(closing);
      }
      case 'else': {
        if (this.ifStack.length === 0) this.fail('else without matching if');
        const top = this.ifStack[this.ifStack.length - 1];
        this.next();
        top.hasElse = true;
        this.currentBlock = top.else;
        if (this.kind() === Tok.Id && this.text() === 'if') {
          this.next();
          const node: IfNode = {
            t: 'if',
            pos: this.tok.start + this.base,
            cond: { pos: 0, root: null },
            then: { nodes: [] },
            else: { nodes: [] },
            hasElse: false,
            nested: true,
            parent: this.currentBlock,
          };
          this.currentBlock.nodes.push(node);
          this.ifStack.push(node);
          this.currentBlock = node.then;
          this.currentList = node.cond;
          return this.parseExpressionInto(closing);
        }
        return true;
      }
      case 'endif': {
        if (this.ifStack.length === 0) this.fail('endif without matching if');
        while (this.ifStack[this.ifStack.length - 1].nested) this.ifStack.pop();
        const top = this.ifStack[this.ifStack.length - 1];
        this.next();
        this.currentBlock = top.parent;
        this.ifStack.pop();
        return true;
      }
      case 'block': {
        this.next();
        if (this.kind() !== Tok.Id) this.fail(`expected block name, got '${this.describe()}'`);
        const name = this.text();
        const node: BlockStatementNode = { t: 'block', pos: this.tok.start + this.base, name, block: { nodes: [] }, parent: this.currentBlock };
        this.currentBlock.nodes.push(node);
        this.blockStack.push(node);
        this.currentBlock = node.block;
        if (this.blockNames.has(name)) this.fail(`block with the name '${name}' does already exist`);
        this.blockNames.add(name);
        this.next();
        return true;
      }
      case 'endblock': {
        if (this.blockStack.length === 0) this.fail('endblock without matching block');
        const top = this.blockStack[this.blockStack.length - 1];
        this.next();
        this.currentBlock = top.parent;
        this.blockStack.pop();
        return true;
      }
      case 'for': {
        this.next();
        if (this.kind() !== Tok.Id) this.fail(`expected id, got '${this.describe()}'`);
        let valueTok = this.tok;
        let keyTok: Token | null = null;
        this.next();
        if (this.kind() === Tok.Comma) {
          this.next();
          if (this.kind() !== Tok.Id) this.fail(`expected id, got '${this.describe()}'`);
          keyTok = valueTok;
          valueTok = this.tok;
          this.next();
        }
        const node: ForNode = {
          t: 'for',
          pos: this.tok.start + this.base,
          key: keyTok ? this.text(keyTok) : null,
          value: this.text(valueTok),
          cond: { pos: 0, root: null },
          body: { nodes: [] },
          parent: this.currentBlock,
        };
        this.currentBlock.nodes.push(node);
        this.forStack.push(node);
        this.currentBlock = node.body;
        this.currentList = node.cond;
        if (this.kind() !== Tok.Id || this.text() !== 'in') this.fail(`expected 'in', got '${this.describe()}'`);
        this.next();
        return this.parseExpressionInto(closing);
      }
      case 'endfor': {
        if (this.forStack.length === 0) this.fail('endfor without matching for');
        const top = this.forStack[this.forStack.length - 1];
        this.next();
        this.currentBlock = top.parent;
        this.forStack.pop();
        return true;
      }
      case 'include':
      case 'extends': {
        const t = this.text() as 'include' | 'extends';
        this.next();
        if (this.kind() !== Tok.String) this.fail(`expected string, got '${this.describe()}'`);
        const raw = this.text();
        if (raw.length < 2) this.fail(`expected filename, got '${raw}'`);
        this.currentBlock.nodes.push({ t, pos: this.tok.start + this.base, file: raw.slice(1, -1) });
        this.next();
        return true;
      }
      case 'set': {
        this.next();
        if (this.kind() !== Tok.Id) this.fail(`expected variable name, got '${this.describe()}'`);
        const key = this.text();
        this.next();
        const expr: ExprList = { pos: 0, root: null };
        this.currentBlock.nodes.push({ t: 'set', pos: this.tok.start + this.base, key, expr });
        this.currentList = expr;
        if (this.text() !== '=') this.fail(`expected '=', got '${this.describe()}'`);
        this.next();
        return this.parseExpressionInto(closing);
      }
      default:
        return false;
    }
  }
}
