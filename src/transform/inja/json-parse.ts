/**
 * JSON parsing with nlohmann::json's results and errors: the template context (a request or response
 * body with `parseBodyBehavior: ParseAsJson`) and the literals of templates (`{{ [1, 2] }}`).
 *
 * nlohmann keeps integers and floats apart (`1.0` stays a float), holds 64-bit integers exactly, rejects
 * lone surrogate escapes and ill-formed UTF-8, skips a UTF-8 BOM and stops at a NUL byte; its errors read
 * `[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing value -
 * invalid literal; last read: 'no'`. Three tiers give those results quickly:
 *   1. `JSON.parse`, when a cheap scan proves the text has none of the cases it gets wrong (no float
 *      literal — `1.0` must stay a float —, no integer of 16+ digits, no surrogate escape);
 *   2. `StrictParser`, a small strict parser that builds nlohmann's values from valid JSON and gives
 *      up on anything else;
 *   3. `NlohmannParser`, a byte-level port of nlohmann's lexer and parser state machines, for what
 *      tier 2 gave up on: it accepts what nlohmann accepts (a BOM, text after a NUL) and otherwise
 *      throws nlohmann's error, with the same position and message.
 */
import { isUtf8 } from 'node:buffer';
import { jsonError, type InjaRenderError } from './errors.js';
import { JsonFloat, mkFloat, normBig, putOwn, type JsonObject, type JsonValue } from './json-value.js';

const NEEDS_CAREFUL_PARSE = /[0-9][.eE]|[0-9]{16}|\\u[dD][89a-fA-F]/;

/**
 * Parses a body as nlohmann::json::parse does. Throws an InjaRenderError (code INJA_ERR_JSON) with
 * nlohmann's message when the text is not JSON. Example: `parseJson('{"a": 1.0}')` is
 * `{a: JsonFloat(1)}`.
 */
export function parseJson(text: string | Uint8Array): JsonValue {
  if (typeof text === 'string') {
    const v = parseValid(text);
    return v !== GIVE_UP ? v : new NlohmannParser(Buffer.from(text, 'utf8')).parse();
  }
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  if (isUtf8(bytes)) {
    const v = parseValid(bytes.toString('utf8'));
    if (v !== GIVE_UP) return v;
  }
  return new NlohmannParser(bytes).parse();
}

const GIVE_UP: unique symbol = Symbol('give up');

/** Tiers 1 and 2: the value of valid JSON text, or GIVE_UP. */
function parseValid(text: string): JsonValue | typeof GIVE_UP {
  if (!NEEDS_CAREFUL_PARSE.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return GIVE_UP; // not JSON: tier 3 finds nlohmann's error (or what JSON.parse rejects but nlohmann takes)
    }
  }
  try {
    return new StrictParser(text).parse();
  } catch (err) {
    if (err === GIVE_UP || err instanceof RangeError) return GIVE_UP;
    throw err;
  }
}

/** Tier 2: strict RFC 8259 JSON over a JS string, nlohmann's number types; throws GIVE_UP on anything else. */
class StrictParser {
  private i = 0;

  constructor(private readonly s: string) {}

  parse(): JsonValue {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) throw GIVE_UP;
    return v;
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  private value(): JsonValue {
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.i);
    switch (c) {
      case 0x7b: {
        this.i++;
        const obj: JsonObject = {};
        this.ws();
        if (s.charCodeAt(this.i) === 0x7d) {
          this.i++;
          return obj;
        }
        for (;;) {
          this.ws();
          if (s.charCodeAt(this.i) !== 0x22) throw GIVE_UP;
          const key = this.string();
          this.ws();
          if (s.charCodeAt(this.i) !== 0x3a) throw GIVE_UP;
          this.i++;
          const v = this.value();
          if (key === '__proto__') putOwn(obj, key, v);
          else obj[key] = v;
          this.ws();
          const d = s.charCodeAt(this.i++);
          if (d === 0x2c) continue;
          if (d === 0x7d) return obj;
          throw GIVE_UP;
        }
      }
      case 0x5b: {
        this.i++;
        const arr: JsonValue[] = [];
        this.ws();
        if (s.charCodeAt(this.i) === 0x5d) {
          this.i++;
          return arr;
        }
        for (;;) {
          arr.push(this.value());
          this.ws();
          const d = s.charCodeAt(this.i++);
          if (d === 0x2c) continue;
          if (d === 0x5d) return arr;
          throw GIVE_UP;
        }
      }
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  private literal(word: string, v: JsonValue): JsonValue {
    if (!this.s.startsWith(word, this.i)) throw GIVE_UP;
    this.i += word.length;
    return v;
  }

  private string(): string {
    const s = this.s;
    const start = ++this.i;
    let i = start;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.i = i + 1;
        return s.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20 || Number.isNaN(c)) throw GIVE_UP;
      i++;
    }
    let out = s.slice(start, i);
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.i = i + 1;
        return out;
      }
      if (c < 0x20 || Number.isNaN(c)) throw GIVE_UP;
      if (c !== 0x5c) {
        out += s[i++];
        continue;
      }
      const e = s.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const cp = this.hex4(i);
          i += 4;
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (s.charCodeAt(i) !== 0x5c || s.charCodeAt(i + 1) !== 0x75) throw GIVE_UP;
            const lo = this.hex4(i + 2);
            if (lo < 0xdc00 || lo > 0xdfff) throw GIVE_UP;
            i += 6;
            out += String.fromCharCode(cp, lo);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) throw GIVE_UP;
          else out += String.fromCharCode(cp);
          break;
        }
        default:
          throw GIVE_UP;
      }
    }
  }

  private hex4(at: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.s.charCodeAt(at + k);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
      if (d < 0) throw GIVE_UP;
      v = v * 16 + d;
    }
    return v;
  }

  private number(): JsonValue {
    const s = this.s;
    const start = this.i;
    let i = start;
    const digit = (c: number) => c >= 0x30 && c <= 0x39;
    if (s.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    if (s.charCodeAt(i) === 0x30) i++;
    else if (digit(s.charCodeAt(i))) while (digit(s.charCodeAt(i))) i++;
    else throw GIVE_UP;
    const intDigits = i - intStart;
    let isFloatLiteral = false;
    if (s.charCodeAt(i) === 0x2e) {
      i++;
      if (!digit(s.charCodeAt(i))) throw GIVE_UP;
      while (digit(s.charCodeAt(i))) i++;
      isFloatLiteral = true;
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!digit(s.charCodeAt(i))) throw GIVE_UP;
      while (digit(s.charCodeAt(i))) i++;
      isFloatLiteral = true;
    }
    this.i = i;
    const text = s.slice(start, i);
    if (isFloatLiteral) {
      const f = Number(text);
      if (!Number.isFinite(f)) throw GIVE_UP; // tier 3 reports the overflow
      return mkFloat(f);
    }
    if (intDigits < 16) {
      const n = Number(text);
      return n === 0 ? 0 : n;
    }
    const b = BigInt(text);
    if (b <= U64_MAX && b >= I64_MIN) return normBig(b);
    return mkFloat(Number(text));
  }
}

// ---------------------------------------------------------------------------------------------------

const enum T {
  Uninitialized,
  LiteralTrue,
  LiteralFalse,
  LiteralNull,
  ValueString,
  ValueUnsigned,
  ValueInteger,
  ValueFloat,
  BeginArray,
  BeginObject,
  EndArray,
  EndObject,
  NameSeparator,
  ValueSeparator,
  ParseError,
  EndOfInput,
  LiteralOrValue,
}

const TOKEN_NAMES = [
  '<uninitialized>',
  'true literal',
  'false literal',
  'null literal',
  'string literal',
  'number literal',
  'number literal',
  'number literal',
  "'['",
  "'{'",
  "']'",
  "'}'",
  "':'",
  "','",
  '<parse error>',
  'end of input',
  "'[', '{', or a literal",
];

const CONTROL_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
];
const CONTROL_SHORT: Record<number, string> = { 8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r' };

const EOF = -1;
const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);

/** A port of nlohmann's lexer + sax_parse_internal + DOM builder over UTF-8 bytes. */
class NlohmannParser {
  private i = 0;
  private current = EOF;
  private nextUnget = false;
  private total = 0;
  private line = 0;
  private col = 0;
  private tokenString: number[] = [];
  private tokenBuffer: number[] = [];
  private errorMessage = '';
  private stringValue = '';
  private numberText = '';
  private last: T = T.Uninitialized;

  constructor(private readonly input: Uint8Array) {}

  parse(): JsonValue {
    this.getToken();
    const result = this.parseValue();
    if (this.getToken() !== T.EndOfInput) throw this.syntaxError(T.EndOfInput, 'value');
    return result;
  }

  // ---- parser (sax_parse_internal, iterative) ---------------------------------------------------

  private parseValue(): JsonValue {
    // Each frame: the container being filled and, for objects, the pending key.
    const stack: { c: JsonValue[] | JsonObject; key: string }[] = [];
    let value: JsonValue;
    for (;;) {
      // parse one value starting at this.last
      let skipToState = false;
      switch (this.last) {
        case T.BeginObject: {
          const obj: JsonObject = {};
          if (this.getToken() === T.EndObject) {
            value = obj;
            break;
          }
          if (!this.lastIs(T.ValueString)) throw this.syntaxError(T.ValueString, 'object key');
          const key = this.stringValue;
          if (this.getToken() !== T.NameSeparator) throw this.syntaxError(T.NameSeparator, 'object separator');
          stack.push({ c: obj, key });
          this.getToken();
          continue;
        }
        case T.BeginArray: {
          const arr: JsonValue[] = [];
          if (this.getToken() === T.EndArray) {
            value = arr;
            break;
          }
          stack.push({ c: arr, key: '' });
          continue;
        }
        case T.ValueFloat: {
          const f = Number(this.numberText);
          if (!Number.isFinite(f)) throw jsonError('out_of_range.406', `number overflow parsing '${this.tokenText()}'`);
          value = mkFloat(f);
          break;
        }
        case T.LiteralFalse:
          value = false;
          break;
        case T.LiteralNull:
          value = null;
          break;
        case T.LiteralTrue:
          value = true;
          break;
        case T.ValueInteger:
        case T.ValueUnsigned:
          value = this.integerValue();
          break;
        case T.ValueString:
          value = this.stringValue;
          break;
        case T.ParseError:
          throw this.syntaxError(T.Uninitialized, 'value');
        default:
          throw this.syntaxError(T.LiteralOrValue, 'value');
      }
      // a complete value: add it to its container, then close finished containers
      for (;;) {
        if (stack.length === 0) return value;
        const top = stack[stack.length - 1];
        if (!skipToState) {
          if (Array.isArray(top.c)) top.c.push(value);
          else putOwn(top.c, top.key, value);
        }
        skipToState = false;
        if (Array.isArray(top.c)) {
          if (this.getToken() === T.ValueSeparator) {
            this.getToken();
            break;
          }
          if (this.lastIs(T.EndArray)) {
            stack.pop();
            value = top.c;
            continue;
          }
          throw this.syntaxError(T.EndArray, 'array');
        }
        if (this.getToken() === T.ValueSeparator) {
          if (this.getToken() !== T.ValueString) throw this.syntaxError(T.ValueString, 'object key');
          top.key = this.stringValue;
          if (this.getToken() !== T.NameSeparator) throw this.syntaxError(T.NameSeparator, 'object separator');
          this.getToken();
          break;
        }
        if (this.lastIs(T.EndObject)) {
          stack.pop();
          value = top.c;
          continue;
        }
        throw this.syntaxError(T.EndObject, 'object');
      }
    }
  }

  private integerValue(): JsonValue {
    const text = this.numberText;
    if (text.length < 16) {
      const n = Number(text);
      return n === 0 ? 0 : n;
    }
    const b = BigInt(text);
    if (this.lastIs(T.ValueUnsigned) ? b <= U64_MAX : b >= I64_MIN) return normBig(b);
    // does not fit 64 bits: nlohmann falls back to a float
    return mkFloat(Number(text));
  }

  private lastIs(t: T): boolean {
    return this.last === t;
  }

  private getToken(): T {
    this.last = this.scan();
    return this.last;
  }

  private syntaxError(expected: T, context: string): InjaRenderError {
    let msg = 'syntax error ' + (context ? `while parsing ${context} ` : '') + '- ';
    if (this.lastIs(T.ParseError)) msg += `${this.errorMessage}; last read: '${this.tokenText()}'`;
    else msg += `unexpected ${TOKEN_NAMES[this.last]}`;
    if (expected !== T.Uninitialized) msg += `; expected ${TOKEN_NAMES[expected]}`;
    return jsonError('parse_error.101', `parse error at line ${this.line + 1}, column ${this.col}: ${msg}`);
  }

  /** get_token_string(): the bytes read for the token, control characters as <U+XXXX>. */
  private tokenText(): string {
    const bytes: number[] = [];
    let out = '';
    const flush = () => {
      if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    };
    for (const b of this.tokenString) {
      if (b <= 0x1f) {
        flush();
        out += `<U+${b.toString(16).toUpperCase().padStart(4, '0')}>`;
      } else bytes.push(b);
    }
    flush();
    return out;
  }

  // ---- lexer -------------------------------------------------------------------------------------

  private get(): number {
    this.total++;
    this.col++;
    if (this.nextUnget) this.nextUnget = false;
    else this.current = this.i < this.input.length ? this.input[this.i++] : EOF;
    if (this.current !== EOF) this.tokenString.push(this.current);
    if (this.current === 0x0a) {
      this.line++;
      this.col = 0;
    }
    return this.current;
  }

  private unget(): void {
    this.nextUnget = true;
    this.total--;
    if (this.col === 0) {
      if (this.line > 0) this.line--;
    } else this.col--;
    if (this.current !== EOF) this.tokenString.pop();
  }

  private reset(): void {
    this.tokenBuffer = [];
    this.tokenString = [this.current];
  }

  private scan(): T {
    if (this.total === 0) {
      if (this.get() === 0xef) {
        if (!(this.get() === 0xbb && this.get() === 0xbf)) {
          this.errorMessage = 'invalid BOM; must be 0xEF 0xBB 0xBF if given';
          return T.ParseError;
        }
      } else this.unget();
    }
    do this.get();
    while (this.current === 0x20 || this.current === 0x09 || this.current === 0x0a || this.current === 0x0d);

    switch (this.current) {
      case 0x5b:
        return T.BeginArray;
      case 0x5d:
        return T.EndArray;
      case 0x7b:
        return T.BeginObject;
      case 0x7d:
        return T.EndObject;
      case 0x3a:
        return T.NameSeparator;
      case 0x2c:
        return T.ValueSeparator;
      case 0x74:
        return this.scanLiteral('true', T.LiteralTrue);
      case 0x66:
        return this.scanLiteral('false', T.LiteralFalse);
      case 0x6e:
        return this.scanLiteral('null', T.LiteralNull);
      case 0x22:
        return this.scanString();
      case 0x2d:
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
      case 0x38:
      case 0x39:
        return this.scanNumber();
      case 0x00:
      case EOF:
        return T.EndOfInput;
      default:
        this.errorMessage = 'invalid literal';
        return T.ParseError;
    }
  }

  private scanLiteral(text: string, type: T): T {
    // (no reset(): nlohmann's token string keeps what was read since the last string or number)
    for (let k = 1; k < text.length; k++) {
      if (this.get() !== text.charCodeAt(k)) {
        this.errorMessage = 'invalid literal';
        return T.ParseError;
      }
    }
    return type;
  }

  private getCodepoint(): number {
    let cp = 0;
    for (const factor of [12, 8, 4, 0]) {
      const c = this.get();
      if (c >= 0x30 && c <= 0x39) cp += (c - 0x30) << factor;
      else if (c >= 0x41 && c <= 0x46) cp += (c - 0x37) << factor;
      else if (c >= 0x61 && c <= 0x66) cp += (c - 0x57) << factor;
      else return -1;
    }
    return cp;
  }

  private addCodepoint(cp: number): void {
    const b = this.tokenBuffer;
    if (cp < 0x80) b.push(cp);
    else if (cp <= 0x7ff) b.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp <= 0xffff) b.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else b.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }

  private nextBytesInRange(ranges: readonly number[]): boolean {
    this.tokenBuffer.push(this.current);
    for (let r = 0; r < ranges.length; r += 2) {
      const c = this.get();
      if (c >= ranges[r] && c <= ranges[r + 1]) this.tokenBuffer.push(c);
      else {
        this.errorMessage = 'invalid string: ill-formed UTF-8 byte';
        return false;
      }
    }
    return true;
  }

  private scanString(): T {
    this.reset();
    for (;;) {
      const c = this.get();
      if (c === EOF) {
        this.errorMessage = 'invalid string: missing closing quote';
        return T.ParseError;
      }
      if (c === 0x22) {
        this.stringValue = Buffer.from(this.tokenBuffer).toString('utf8');
        return T.ValueString;
      }
      if (c === 0x5c) {
        const e = this.get();
        switch (e) {
          case 0x22:
          case 0x5c:
          case 0x2f:
            this.tokenBuffer.push(e);
            break;
          case 0x62:
            this.tokenBuffer.push(0x08);
            break;
          case 0x66:
            this.tokenBuffer.push(0x0c);
            break;
          case 0x6e:
            this.tokenBuffer.push(0x0a);
            break;
          case 0x72:
            this.tokenBuffer.push(0x0d);
            break;
          case 0x74:
            this.tokenBuffer.push(0x09);
            break;
          case 0x75: {
            const cp1 = this.getCodepoint();
            let cp = cp1;
            if (cp1 === -1) {
              this.errorMessage = "invalid string: '\\u' must be followed by 4 hex digits";
              return T.ParseError;
            }
            if (cp1 >= 0xd800 && cp1 <= 0xdbff) {
              if (this.get() === 0x5c && this.get() === 0x75) {
                const cp2 = this.getCodepoint();
                if (cp2 === -1) {
                  this.errorMessage = "invalid string: '\\u' must be followed by 4 hex digits";
                  return T.ParseError;
                }
                if (cp2 >= 0xdc00 && cp2 <= 0xdfff) cp = ((cp1 - 0xd800) << 10) + (cp2 - 0xdc00) + 0x10000;
                else {
                  this.errorMessage = 'invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF';
                  return T.ParseError;
                }
              } else {
                this.errorMessage = 'invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF';
                return T.ParseError;
              }
            } else if (cp1 >= 0xdc00 && cp1 <= 0xdfff) {
              this.errorMessage = 'invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF';
              return T.ParseError;
            }
            this.addCodepoint(cp);
            break;
          }
          default:
            this.errorMessage = 'invalid string: forbidden character after backslash';
            return T.ParseError;
        }
        continue;
      }
      if (c <= 0x1f) {
        const hex = c.toString(16).toUpperCase().padStart(4, '0');
        const short = CONTROL_SHORT[c];
        this.errorMessage = `invalid string: control character U+${hex} (${CONTROL_NAMES[c]}) must be escaped to \\u${hex}${short ? ` or \\${short}` : ''}`;
        return T.ParseError;
      }
      if (c < 0x80) {
        this.tokenBuffer.push(c);
        continue;
      }
      let ok: boolean;
      if (c >= 0xc2 && c <= 0xdf) ok = this.nextBytesInRange([0x80, 0xbf]);
      else if (c === 0xe0) ok = this.nextBytesInRange([0xa0, 0xbf, 0x80, 0xbf]);
      else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) ok = this.nextBytesInRange([0x80, 0xbf, 0x80, 0xbf]);
      else if (c === 0xed) ok = this.nextBytesInRange([0x80, 0x9f, 0x80, 0xbf]);
      else if (c === 0xf0) ok = this.nextBytesInRange([0x90, 0xbf, 0x80, 0xbf, 0x80, 0xbf]);
      else if (c >= 0xf1 && c <= 0xf3) ok = this.nextBytesInRange([0x80, 0xbf, 0x80, 0xbf, 0x80, 0xbf]);
      else if (c === 0xf4) ok = this.nextBytesInRange([0x80, 0x8f, 0x80, 0xbf, 0x80, 0xbf]);
      else {
        this.errorMessage = 'invalid string: ill-formed UTF-8 byte';
        return T.ParseError;
      }
      if (!ok) return T.ParseError;
    }
  }

  private scanNumber(): T {
    this.reset();
    let type = T.ValueUnsigned;
    let text = '';
    const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
    let c = this.current;
    text += String.fromCharCode(c);
    let state: 'minus' | 'zero' | 'any1' = c === 0x2d ? 'minus' : c === 0x30 ? 'zero' : 'any1';
    if (state === 'minus') {
      type = T.ValueInteger;
      c = this.get();
      if (c === 0x30) state = 'zero';
      else if (isDigit(c)) state = 'any1';
      else {
        this.errorMessage = "invalid number; expected digit after '-'";
        return T.ParseError;
      }
      text += String.fromCharCode(c);
    }
    c = this.get();
    if (state === 'any1') {
      while (isDigit(c)) {
        text += String.fromCharCode(c);
        c = this.get();
      }
    }
    if (c === 0x2e) {
      type = T.ValueFloat;
      text += '.';
      c = this.get();
      if (!isDigit(c)) {
        this.errorMessage = "invalid number; expected digit after '.'";
        return T.ParseError;
      }
      while (isDigit(c)) {
        text += String.fromCharCode(c);
        c = this.get();
      }
    }
    if (c === 0x65 || c === 0x45) {
      type = T.ValueFloat;
      text += 'e';
      c = this.get();
      if (c === 0x2b || c === 0x2d) {
        text += String.fromCharCode(c);
        c = this.get();
        if (!isDigit(c)) {
          this.errorMessage = 'invalid number; expected digit after exponent sign';
          return T.ParseError;
        }
      } else if (!isDigit(c)) {
        this.errorMessage = "invalid number; expected '+', '-', or digit after exponent";
        return T.ParseError;
      }
      while (isDigit(c)) {
        text += String.fromCharCode(c);
        c = this.get();
      }
    }
    this.unget();
    this.numberText = text;
    return type;
  }
}

/** A float literal's value as nlohmann keeps it (used by the template lexer's number literals). */
export function isIntegralFloat(v: JsonValue): v is JsonFloat {
  return v instanceof JsonFloat;
}
