/**
 * The template lexer: Inja 3.4's state machine, token for token, so templates split exactly as in
 * Gloo — including its quirks, which users' templates may rely on:
 * - identifiers may contain `.`, `/` and `-` (`a-b` is one variable; `x/2` is a path in dot notation);
 * - a `-` right after an identifier, number, `)`, `]` or `}` is the minus operator, otherwise the sign
 *   of a number — and that state carries over from one `{{ }}` to the next;
 * - `{{-` / `{%-` / `{#-` strip the spaces and tabs before them only when they are alone on their line
 *   (the newline stays); `-}}` / `-%}` strip all following whitespace, `-#}` up to the first newline;
 * - `##` at the start of a line opens a line statement that ends at the newline (Gloo keeps Inja's
 *   defaults: line statements on, `trim_blocks` and `lstrip_blocks` off).
 * Positions are indices into the template text (after a leading BOM, which Inja skips).
 */

export const enum Tok {
  Text,
  ExpressionOpen,
  ExpressionClose,
  LineStatementOpen,
  LineStatementClose,
  StatementOpen,
  StatementClose,
  CommentOpen,
  CommentClose,
  Id,
  Number,
  String,
  Plus,
  Minus,
  Times,
  Slash,
  Percent,
  Power,
  Comma,
  Dot,
  Colon,
  LeftParen,
  RightParen,
  LeftBracket,
  RightBracket,
  LeftBrace,
  RightBrace,
  Equal,
  NotEqual,
  GreaterThan,
  GreaterEqual,
  LessThan,
  LessEqual,
  Unknown,
  Eof,
}

export interface Token {
  kind: Tok;
  start: number;
  end: number;
}

const enum State {
  Text,
  ExpressionStart,
  ExpressionStartForceLstrip,
  ExpressionBody,
  LineStart,
  LineBody,
  StatementStart,
  StatementStartNoLstrip,
  StatementStartForceLstrip,
  StatementBody,
  CommentStart,
  CommentStartForceLstrip,
  CommentBody,
}

export interface LexerOptions {
  /** Advanced templates: JSON pointer paths, so `~` may appear in identifiers. */
  pointerNotation: boolean;
  trimBlocks: boolean;
  lstripBlocks: boolean;
}

const isAlpha = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

export class Lexer {
  private state = State.Text;
  private minusIsOperator = false;
  /** Start of the token being scanned (Inja reports parser errors here). */
  tokStart = 0;
  private pos = 0;

  constructor(
    readonly input: string,
    private readonly opts: LexerOptions,
  ) {}

  /** The token's text; Inja's `describe()` gives `<text>`, `<eol>`, `<eof>` for those. */
  text(t: Token): string {
    return this.input.slice(t.start, t.end);
  }

  describe(t: Token): string {
    if (t.kind === Tok.Text) return '<text>';
    if (t.kind === Tok.LineStatementClose) return '<eol>';
    if (t.kind === Tok.Eof) return '<eof>';
    return this.text(t);
  }

  private make(kind: Tok): Token {
    const len = this.input.length;
    const start = Math.min(this.tokStart, len);
    return { kind, start, end: Math.min(Math.max(start, this.pos), len) };
  }

  scan(): Token {
    const s = this.input;
    this.tokStart = this.pos;
    for (;;) {
      if (this.tokStart >= s.length) return this.make(Tok.Eof);
      switch (this.state) {
        case State.Text: {
          let open = this.pos;
          while (open < s.length) {
            const c = s.charCodeAt(open);
            if (c === 0x7b /* { */ || c === 0x23 /* # */) break;
            open++;
          }
          if (open >= s.length) {
            this.pos = s.length;
            return this.make(Tok.Text);
          }
          this.pos = open;
          let mustLstrip = false;
          if (s.startsWith('{{', open)) {
            if (s.startsWith('{{-', open)) {
              this.state = State.ExpressionStartForceLstrip;
              mustLstrip = true;
            } else this.state = State.ExpressionStart;
          } else if (s.startsWith('{%', open)) {
            if (s.startsWith('{%+', open)) this.state = State.StatementStartNoLstrip;
            else if (s.startsWith('{%-', open)) {
              this.state = State.StatementStartForceLstrip;
              mustLstrip = true;
            } else {
              this.state = State.StatementStart;
              mustLstrip = this.opts.lstripBlocks;
            }
          } else if (s.startsWith('{#', open)) {
            if (s.startsWith('{#-', open)) {
              this.state = State.CommentStartForceLstrip;
              mustLstrip = true;
            } else {
              this.state = State.CommentStart;
              mustLstrip = this.opts.lstripBlocks;
            }
          } else if ((open === 0 || s.charCodeAt(open - 1) === 0x0a) && s.startsWith('##', open)) {
            this.state = State.LineStart;
          } else {
            this.pos = open + 1; // not an opening sequence
            continue;
          }
          let end = open;
          if (mustLstrip) end = clearFinalLineIfWhitespace(s, this.tokStart, end);
          if (end === this.tokStart) continue; // no empty text tokens
          return { kind: Tok.Text, start: this.tokStart, end };
        }
        case State.ExpressionStart:
          return this.open(State.ExpressionBody, 2, Tok.ExpressionOpen);
        case State.ExpressionStartForceLstrip:
          return this.open(State.ExpressionBody, 3, Tok.ExpressionOpen);
        case State.LineStart:
          return this.open(State.LineBody, 2, Tok.LineStatementOpen);
        case State.StatementStart:
          return this.open(State.StatementBody, 2, Tok.StatementOpen);
        case State.StatementStartNoLstrip:
        case State.StatementStartForceLstrip:
          return this.open(State.StatementBody, 3, Tok.StatementOpen);
        case State.CommentStart:
          return this.open(State.CommentBody, 2, Tok.CommentOpen);
        case State.CommentStartForceLstrip:
          return this.open(State.CommentBody, 3, Tok.CommentOpen);
        case State.ExpressionBody:
          return this.scanBody('}}', Tok.ExpressionClose, '-}}', false);
        case State.LineBody:
          return this.scanBody('\n', Tok.LineStatementClose, '', false);
        case State.StatementBody:
          return this.scanBody('%}', Tok.StatementClose, '-%}', this.opts.trimBlocks);
        case State.CommentBody: {
          const end = s.indexOf('#}', this.pos);
          if (end < 0) {
            this.pos = s.length;
            return this.make(Tok.Eof);
          }
          const mustRstrip = end > 0 && s.startsWith('-#}', end - 1);
          this.state = State.Text;
          this.pos = end + 2;
          const tok = this.make(Tok.CommentClose);
          if (mustRstrip || this.opts.trimBlocks) this.skipWhitespacesAndFirstNewline();
          return tok;
        }
      }
    }
  }

  private open(next: State, len: number, kind: Tok): Token {
    this.state = next;
    this.pos += len;
    return this.make(kind);
  }

  private scanBody(close: string, closeKind: Tok, closeTrim: string, trim: boolean): Token {
    const s = this.input;
    for (;;) {
      if (this.tokStart >= s.length) return this.make(Tok.Eof);
      const ch = s.charCodeAt(this.tokStart);
      if (ch === 0x20 || ch === 0x09 || ch === 0x0d) {
        this.tokStart++;
        continue;
      }
      if (closeTrim !== '' && s.startsWith(closeTrim, this.tokStart)) {
        this.state = State.Text;
        this.pos = this.tokStart + closeTrim.length;
        const tok = this.make(closeKind);
        this.skipWhitespacesAndNewlines();
        return tok;
      }
      if (s.startsWith(close, this.tokStart)) {
        this.state = State.Text;
        this.pos = this.tokStart + close.length;
        const tok = this.make(closeKind);
        if (trim) this.skipWhitespacesAndFirstNewline();
        return tok;
      }
      if (ch === 0x0a) {
        this.tokStart++;
        continue;
      }
      this.pos = this.tokStart + 1;
      if (isAlpha(ch) || ch === 0x7e /* ~ */) {
        this.minusIsOperator = true;
        return this.scanId();
      }
      const minusWasOperator = this.minusIsOperator;
      this.minusIsOperator = false;
      switch (ch) {
        case 0x2b:
          return this.make(Tok.Plus);
        case 0x2d:
          return minusWasOperator ? this.make(Tok.Minus) : this.scanNumber();
        case 0x2a:
          return this.make(Tok.Times);
        case 0x2f:
          return this.make(Tok.Slash);
        case 0x5e:
          return this.make(Tok.Power);
        case 0x25:
          return this.make(Tok.Percent);
        case 0x2e:
          return this.make(Tok.Dot);
        case 0x2c:
          return this.make(Tok.Comma);
        case 0x3a:
          return this.make(Tok.Colon);
        case 0x28:
          return this.make(Tok.LeftParen);
        case 0x29:
          this.minusIsOperator = true;
          return this.make(Tok.RightParen);
        case 0x5b:
          return this.make(Tok.LeftBracket);
        case 0x5d:
          this.minusIsOperator = true;
          return this.make(Tok.RightBracket);
        case 0x7b:
          return this.make(Tok.LeftBrace);
        case 0x7d:
          this.minusIsOperator = true;
          return this.make(Tok.RightBrace);
        case 0x3e:
          return this.twoChar(Tok.GreaterEqual, Tok.GreaterThan);
        case 0x3c:
          return this.twoChar(Tok.LessEqual, Tok.LessThan);
        case 0x3d:
          return this.twoChar(Tok.Equal, Tok.Unknown);
        case 0x21:
          return this.twoChar(Tok.NotEqual, Tok.Unknown);
        case 0x22:
          return this.scanString();
        case 0x5f: // _
        case 0x40: // @
        case 0x24: // $
          this.minusIsOperator = true;
          return this.scanId();
        default:
          if (isDigit(ch)) {
            this.minusIsOperator = true;
            return this.scanNumber();
          }
          return this.make(Tok.Unknown);
      }
    }
  }

  /** `>=` / `<=` / `==` / `!=` when followed by `=`, else the one-character token. */
  private twoChar(withEquals: Tok, alone: Tok): Token {
    if (this.pos < this.input.length && this.input.charCodeAt(this.pos) === 0x3d) {
      this.pos++;
      return this.make(withEquals);
    }
    return this.make(alone);
  }

  private scanId(): Token {
    const s = this.input;
    const tilde = this.opts.pointerNotation;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (!(isAlpha(c) || isDigit(c) || c === 0x2e || c === 0x2f || c === 0x5f || c === 0x2d || (tilde && c === 0x7e))) break;
      this.pos++;
    }
    return this.make(Tok.Id);
  }

  private scanNumber(): Token {
    const s = this.input;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      const prev = this.pos === 0 ? -1 : s.charCodeAt(this.pos - 1);
      const afterE = this.pos === 0 || prev === 0x65 || prev === 0x45;
      if (!(isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || ((c === 0x2b || c === 0x2d) && afterE))) break;
      this.pos++;
    }
    return this.make(Tok.Number);
  }

  private scanString(): Token {
    const s = this.input;
    const quote = s.charCodeAt(this.tokStart);
    let escape = false;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos++);
      if (c === 0x5c) escape = !escape;
      else if (!escape && c === quote) break;
      else escape = false;
    }
    return this.make(Tok.String);
  }

  private skipWhitespacesAndNewlines(): void {
    const s = this.input;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  private skipWhitespacesAndFirstNewline(): void {
    const s = this.input;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09) break;
      this.pos++;
    }
    if (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x0a) this.pos++;
      else if (c === 0x0d) {
        this.pos++;
        if (this.pos < s.length && s.charCodeAt(this.pos) === 0x0a) this.pos++;
      }
    }
  }
}

/** The end of `s[start, end)` without its last line's spaces and tabs — if that line holds nothing else. */
function clearFinalLineIfWhitespace(s: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = s.charCodeAt(e - 1);
    if (c === 0x20 || c === 0x09) e--;
    else if (c === 0x0a || c === 0x0d) break;
    else return end;
  }
  return e;
}
