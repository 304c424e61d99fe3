/**
 * The template context as nlohmann::json builds and prints it: parsing request bodies (types, 64-bit
 * integers, key order, accepted oddities, and nlohmann's exact error messages — envoy-gloo answers a
 * body that does not parse `400 bad request: <message>`), float printing (Grisu2), `dumpJson`
 * (mergeExtractorsToBody) and `setExtraction`. Expected values were checked against nlohmann::json
 * 3.11.2, the version envoy-gloo builds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InjaRenderError, JsonFloat, dumpJson, parseJson, setExtraction, type JsonValue } from '../../../src/transform/inja/index.js';
import { formatFloat } from '../../../src/transform/inja/json-value.js';

describe('parseJson: values', () => {
  const cases: [string, string][] = [
    ['{"a": 1, "b": 1.0, "c": 1.5, "d": -0, "e": -0.0, "f": 1e2, "g": 1E-2}', '{"a":1,"b":1.0,"c":1.5,"d":0,"e":-0.0,"f":100.0,"g":0.01}'],
    [
      '[18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, 12345678901234567]',
      '[18446744073709551615,1.8446744073709552e+19,-9223372036854775808,-9.223372036854776e+18,12345678901234567]',
    ],
    ['{"b": 1, "a": 2, "B": 3, "é": 4, "_": 5}', '{"B":3,"_":5,"a":2,"b":1,"é":4}'],
    ['{"a": 1, "a": 2}', '{"a":2}'],
    ['"\\u00e9\\ud83d\\ude00 \\" \\\\ \\/ \\b\\f\\n\\r\\t"', '"é😀 \\" \\\\ / \\b\\f\\n\\r\\t"'],
    ['\ufeff{"bom": true}', '{"bom":true}'],
    ['{"nul": 1}\u0000 ignored', '{"nul":1}'],
    ['  [ 1 , 2 ]  ', '[1,2]'],
    ['{"__proto__": {"x": 1}, "constructor": 2}', '{"__proto__":{"x":1},"constructor":2}'],
  ];
  for (const [body, dumped] of cases) {
    it(`${JSON.stringify(body)} → ${dumped}`, () => {
      assert.equal(dumpJson(parseJson(body)), dumped);
      assert.equal(dumpJson(parseJson(Buffer.from(body, 'utf8'))), dumped, 'from bytes');
    });
  }

  it('keeps integers and floats apart', () => {
    const v = parseJson('{"i": 1, "f": 1.0, "h": 0.5, "big": 9007199254740993}') as Record<string, JsonValue>;
    assert.equal(v.i, 1);
    assert.ok(v.f instanceof JsonFloat && v.f.value === 1);
    assert.equal(v.h, 0.5);
    assert.equal(v.big, 9007199254740993n);
  });

  it('gives own properties for keys Object.prototype has', () => {
    const v = parseJson('{"__proto__": 1, "toString": 2}') as Record<string, JsonValue>;
    assert.ok(Object.hasOwn(v, '__proto__'));
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(v.toString, 2);
  });

  it('parses deep nesting', () => {
    const depth = 50_000;
    const v = parseJson('['.repeat(depth) + ']'.repeat(depth));
    let d = 0;
    for (let x: JsonValue = v; Array.isArray(x) && x.length > 0; x = x[0]) d++;
    assert.equal(d, depth - 1);
    const withFloat = parseJson('['.repeat(depth) + '1.5' + ']'.repeat(depth));
    let x: JsonValue = withFloat;
    for (let i = 0; i < depth; i++) x = (x as JsonValue[])[0];
    assert.equal(x, 1.5, 'the recursive tier gives way to the iterative one');
  });
});

describe('parseJson: nlohmann errors', () => {
  const cases: [string, string][] = [
    ['not json', "parse error at line 1, column 2: syntax error while parsing value - invalid literal; last read: 'no'"],
    ['{"a":}', "parse error at line 1, column 6: syntax error while parsing value - unexpected '}'; expected '[', '{', or a literal"],
    ['{"a" 1}', "parse error at line 1, column 6: syntax error while parsing object separator - unexpected number literal; expected ':'"],
    ['{"a":1,}', "parse error at line 1, column 8: syntax error while parsing object key - unexpected '}'; expected string literal"],
    ['[1,2,]', "parse error at line 1, column 6: syntax error while parsing value - unexpected ']'; expected '[', '{', or a literal"],
    ['[1 2]', "parse error at line 1, column 4: syntax error while parsing array - unexpected number literal; expected ']'"],
    ['{"a":1', "parse error at line 1, column 7: syntax error while parsing object - unexpected end of input; expected '}'"],
    [
      '"\\ud800"',
      "parse error at line 1, column 8: syntax error while parsing value - invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF; last read: '\"\\ud800\"'",
    ],
    ['"\\udc00"', "parse error at line 1, column 7: syntax error while parsing value - invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF; last read: '\"\\udc00'"],
    [
      '"\t"',
      "parse error at line 1, column 2: syntax error while parsing value - invalid string: control character U+0009 (HT) must be escaped to \\u0009 or \\t; last read: '\"<U+0009>'",
    ],
    ['"\\x"', "parse error at line 1, column 3: syntax error while parsing value - invalid string: forbidden character after backslash; last read: '\"\\x'"],
    ['tru', "parse error at line 1, column 4: syntax error while parsing value - invalid literal; last read: 'tru'"],
    ['-', "parse error at line 1, column 2: syntax error while parsing value - invalid number; expected digit after '-'; last read: '-'"],
    ['1.', "parse error at line 1, column 3: syntax error while parsing value - invalid number; expected digit after '.'; last read: '1.'"],
    ['1e+', "parse error at line 1, column 4: syntax error while parsing value - invalid number; expected digit after exponent sign; last read: '1e+'"],
    ['01', 'parse error at line 1, column 2: syntax error while parsing value - unexpected number literal; expected end of input'],
    ['{}x', "parse error at line 1, column 3: syntax error while parsing value - invalid literal; last read: '{}x'; expected end of input"],
    ['[\n1,\n x]', "parse error at line 3, column 2: syntax error while parsing value - invalid literal; last read: '1,<U+000A> x'"],
    ["{'a': 1}", "parse error at line 1, column 2: syntax error while parsing object key - invalid literal; last read: '{''; expected string literal"],
    ['{"a": NaN}', "parse error at line 1, column 7: syntax error while parsing value - invalid literal; last read: '\"a\": N'"],
    [' ', "parse error at line 1, column 2: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"],
    ['"abc', "parse error at line 1, column 5: syntax error while parsing value - invalid string: missing closing quote; last read: '\"abc'"],
    ['{"k": "\\u12"}', "parse error at line 1, column 12: syntax error while parsing value - invalid string: '\\u' must be followed by 4 hex digits; last read: '\"\\u12\"'"],
  ];
  for (const [body, what] of cases) {
    it(JSON.stringify(body), () => {
      for (const input of [body, Buffer.from(body, 'utf8')]) {
        assert.throws(
          () => parseJson(input),
          (err: unknown) => err instanceof InjaRenderError && err.code === 'INJA_ERR_JSON' && err.message === `[json.exception.parse_error.101] ${what}`,
        );
      }
    });
  }

  it('a number too large for a double', () => {
    assert.throws(() => parseJson('1e400'), { message: "[json.exception.out_of_range.406] number overflow parsing '1e400'" });
  });

  it('ill-formed UTF-8 in a string (bytes as received)', () => {
    assert.throws(() => parseJson(Buffer.from([0x22, 0x61, 0xff, 0x22])), /parse error at line 1, column 3: syntax error while parsing value - invalid string: ill-formed UTF-8 byte/);
    assert.throws(() => parseJson(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])), /ill-formed UTF-8 byte/, 'an encoded surrogate');
    assert.throws(() => parseJson(Buffer.from([0x22, 0xc0, 0xaf, 0x22])), /ill-formed UTF-8 byte/, 'an overlong encoding');
    assert.equal(parseJson(Buffer.from([0x22, 0xf0, 0x9f, 0x98, 0x80, 0x22])), '😀');
  });
});

describe('float printing (nlohmann: Grisu2 digits)', () => {
  const cases: [number, string][] = [
    [1.0, '1.0'],
    [0.1, '0.1'],
    [0.3, '0.3'],
    [1e21, '1e+21'],
    [1e15, '1e+15'],
    [1e16, '1e+16'],
    [123456789012345.0, '123456789012345.0'],
    [5e-324, '5e-324'],
    [2.2250738585072014e-308, '2.2250738585072014e-308'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-218.49512, '-218.49511999999999'],
    [1 / 3, '0.3333333333333333'],
    [123.456, '123.456'],
    [9.223372036854776e18, '9.223372036854776e+18'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [0.00012, '0.00012'],
    [-0, '-0.0'],
    [25.68, '25.68'],
    [19.99, '19.99'],
    [1e100, '1e+100'],
    [1.5e-7, '1.5e-07'],
    [4.35, '4.35'],
    [NaN, 'null'],
    [-Infinity, 'null'],
  ];
  for (const [x, want] of cases) it(`${x} → ${want}`, () => assert.equal(formatFloat(x), want));

  it('reads back as the same double', () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 5000; i++) {
      view.setUint32(0, Math.floor(next() * 2 ** 32));
      view.setUint32(4, Math.floor(next() * 2 ** 32));
      const x = view.getFloat64(0);
      if (!Number.isFinite(x)) continue;
      assert.equal(Number(formatFloat(x)), x, `${x}`);
    }
  });
});

describe('dumpJson (mergeExtractorsToBody writes the context with it)', () => {
  it('is compact, with sorted keys and nlohmann escapes', () => {
    const v: JsonValue = { z: [1, new JsonFloat(2), 2.5, null, true], a: 'tab\t"q" \u0001 é /', m: { y: {}, x: [] } };
    assert.equal(dumpJson(v), '{"a":"tab\\t\\"q\\" \\u0001 é /","m":{"x":[],"y":{}},"z":[1,2.0,2.5,null,true]}');
  });

  it('prints big integers exactly', () => {
    assert.equal(dumpJson([18446744073709551615n, -9223372036854775808n]), '[18446744073709551615,-9223372036854775808]');
  });
});

describe('setExtraction (extractors without advanced templates)', () => {
  it('writes a value at a dotted name, creating objects', () => {
    assert.deepEqual(setExtraction(null, 'user.id', '123'), { user: { id: '123' } });
    const body = parseJson('{"user": {"name": "Ada"}, "x": 1}');
    const out = setExtraction(body, 'user.id', '123');
    assert.equal(dumpJson(out), '{"user":{"id":"123","name":"Ada"},"x":1}');
    assert.equal(dumpJson(setExtraction(out, 'x', 'replaced')), '{"user":{"id":"123","name":"Ada"},"x":"replaced"}');
    assert.equal(dumpJson(setExtraction({}, 'a..b', 'v')), '{"a":{"":{"b":"v"}}}', 'an empty segment is a key');
  });

  it('fails as nlohmann does through a non-object (envoy-gloo answers 400)', () => {
    assert.throws(() => setExtraction(parseJson('[1, 2]'), 'id', '1'), { message: '[json.exception.type_error.305] cannot use operator[] with a string argument with array' });
    assert.throws(() => setExtraction(parseJson('{"user": "Ada"}'), 'user.id', '1'), { message: '[json.exception.type_error.305] cannot use operator[] with a string argument with string' });
  });
});
