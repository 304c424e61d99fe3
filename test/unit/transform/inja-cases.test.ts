/**
 * Gloo's template language, case by case: template + context → expected output or expected error.
 *
 * Each row of GROUPS was checked against the engine Gloo runs — solo-io/inja v3.4.0-patch3 (the fork
 * envoy-gloo builds) on nlohmann::json 3.11.2, compiled with the same callbacks for header(),
 * request_header(), extraction(), env(), data_source(), body(), context(), raw_string() and trim() —
 * and the outputs and error messages below are that engine's, except two C++-library texts taken
 * from libc++ (Envoy's standard library): `stoi: no conversion` / `stoi: out of range` (libstdc++
 * says just `stoi`). The groups after GROUPS cover Gloo's other functions (base64, substring,
 * word_count, replace_with_random, metadata) with envoy-gloo's documented results.
 *
 * A context is a request body (parsed as the template context, as with `parseBodyBehavior:
 * ParseAsJson`), headers, request headers (response transformations), extractions, environment
 * variables and data sources.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InjaEnvironment,
  InjaRenderError,
  TemplateError,
  parseJson,
  setExtraction,
  type FilterMetadata,
  type InjaContext,
  type InjaOptions,
  type JsonValue,
} from '../../../src/transform/inja/index.js';

type Expect = { out: string } | { syntax: string } | { fails: string };
const ok = (out: string): Expect => ({ out });
/** A config-time error (TemplateError) with this message. */
const syntax = (message: string): Expect => ({ syntax: message });
/** A render-time error (InjaRenderError) with this message; envoy-gloo answers `400 bad request: <message>`. */
const fails = (message: string): Expect => ({ fails: message });

interface Group {
  group: string;
  /** The body, parsed as the JSON context; none when absent. */
  body?: string;
  headers?: Record<string, string>;
  requestHeaders?: Record<string, string>;
  extractions?: Record<string, string>;
  env?: Record<string, string>;
  dataSources?: Record<string, string>;
  options?: InjaOptions;
  cases: [name: string, template: string, expect: Expect][];
}


// ---- contexts ----------------------------------------------------------------------------------

const PERSON = '{"name": "Peter", "city": "Brunswick", "age": 29, "names": ["Jeff", "Seb"], "brother": {"name": "Chris", "daughters": ["Maria", "Helen"], "daughter0": {"name": "Maria"}}, "is_happy": true, "is_sad": false, "@name": "@name", "$name": "$name", "relatives": {"mother": "Maria", "brother": "Chris", "sister": "Jenny"}, "vars": [2, 3, 4, 0, -1, -2, -3], "temperature": 25.6789, "property": "name", "i": 1, "list_of_objects": [{"a": 2}, {"b": 3}, {"c": 4}, {"d": 5}]}';
const TYPES = '{"int": 1, "float": 1.5, "whole": 1.0, "neg": -2, "big": 12345678901234567890, "min": -9223372036854775808, "str": "s", "empty": "", "t": true, "f": false, "n": null, "arr": [1, "a", null, true, 2.5, {"k": "v"}, [1]], "obj": {"b": 1, "a": [1, 2], "c": {"y": null, "x": "\\u00e9"}}, "earr": [], "eobj": {}, "quote": "say \\"hi\\"\\n\\\\end", "u": "h\\u00e9llo"}';
const JP = '{"json_pointers": {"example.com": "online", "and/or": "slash", "and~or": "tilde"}, "a.b": "dotted key", "a": {"b": "nested"}, "list": [10, 20]}';
const ESC = '{"value": "\\"foo\\"", "ctl": "a\\tb\\nc\\u0001", "list": ["\\"x\\""]}';
const ERR = '{"data": {"error": {"message": "quota exceeded"}}}';
const NOERR = '{"data": {"error": {"message": ""}}}';
const NODATA = '{"other": 1}';
const EXTRACTED = '{"foo": "foo-value", "bar": "bar-value"}';
const PET = '{"id": 1, "name": "Dog", "tag": "dogs"}';
const ARRAY = '[3,2,1]';
const WS = '{"value": "\\t  foo \\"bar\\" \\r\\n"}';


/** Checked against Inja (see the header). */
const GROUPS: Group[] = [
  {
    group: 'variables and JSON access',
    body: PERSON,
    cases: [
      ['a variable', 'Hello {{ name }}!', ok('Hello Peter!')],
      ['no spaces needed', '{{name}}', ok('Peter')],
      ['several', '{{ name }} is {{ age }} years old.', ok('Peter is 29 years old.')],
      ['array element by dotted index', 'Hello {{ names.1 }}!', ok('Hello Seb!')],
      ['array element by slash (JSON pointer) index', 'Hello {{ names/1 }}!', ok('Hello Seb!')],
      ['nested object', 'Hello {{ brother.name }}!', ok('Hello Chris!')],
      ['deeper', 'Hello {{ brother.daughter0.name }}!', ok('Hello Maria!')],
      ['names may start with @ and $', '{{ @name }} {{ $name }}', ok('@name $name')],
      ['an index out of range is missing', '{{ names.2 }}', fails('[inja.exception.render_error] (at 1:4) variable \'names.2\' not found')],
      ['a non-canonical index (01) is missing', '{{ names.01 }}', fails('[inja.exception.render_error] (at 1:4) variable \'names.01\' not found')],
      ['a missing variable is a render error at its position', 'Hi {{ unknown }}', fails('[inja.exception.render_error] (at 1:7) variable \'unknown\' not found')],
      ['a missing nested key', '{{ brother.age }}', fails('[inja.exception.render_error] (at 1:4) variable \'brother.age\' not found')],
      ['stepping into a string finds nothing', '{{ name.first }}', fails('[inja.exception.render_error] (at 1:4) variable \'name.first\' not found')],
      ['a dash belongs to the name (a-b is one variable)', '{{ a-b }}', fails('[inja.exception.render_error] (at 1:4) variable \'a-b\' not found')],
      ['so subtraction needs spaces', '{{ age - 1 }}', ok('28')],
      ['a slash belongs to the name (age/2 is a path)', '{{ age/2 }}', fails('[inja.exception.render_error] (at 1:4) variable \'age/2\' not found')],
      ['so division needs spaces', '{{ age / 2 }}', ok('14.5')],
      ['member access on a function result', '{{ last(list_of_objects).d * 2}}', ok('10')],
      ['member access on an at() result', '{{ at(list_of_objects, 1).b }}', ok('3')],
      ['member access needs a name that is not a variable', '{{ (brother).name }}', fails('[inja.exception.render_error] (at 1:13) could not find element with given name')],
      ['…which age also is', '{{ (brother).age }}', fails('[inja.exception.render_error] (at 1:13) could not find element with given name')],
      ['member access on a missing key', '{{ (brother).nickname }}', fails('[json.exception.out_of_range.403] key \'nickname\' not found')],
      ['member access on an array', '{{ (names).x }}', fails('[json.exception.type_error.304] cannot use at() with array')],
      ['inherited JS property names are not variables', '{{ toString }}', fails('[inja.exception.render_error] (at 1:4) variable \'toString\' not found')],
      ['nor is __proto__', '{{ __proto__ }}', fails('[inja.exception.render_error] (at 1:4) variable \'__proto__\' not found')],
    ],
  },
  {
    group: 'printing values',
    body: TYPES,
    cases: [
      ['an integer', '{{ int }}', ok('1')],
      ['a float', '{{ float }}', ok('1.5')],
      ['a float with an integral value keeps its .0', '{{ whole }}', ok('1.0')],
      ['a negative integer', '{{ neg }}', ok('-2')],
      ['a 64-bit unsigned integer above INT64_MAX prints as the signed value (Inja casts it)', '{{ big }}', ok('-6101065172474983726')],
      ['INT64_MIN', '{{ min }}', ok('-9223372036854775808')],
      ['but inside JSON it prints unsigned', '{{ [big] }}', syntax('[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing value - invalid literal; last read: \'[b\'')],
      ['a string is printed raw', '{{ quote }}', ok('say "hi"\n\\end')],
      ['null prints nothing', '[{{ n }}]', ok('[]')],
      ['booleans', '{{ t }} {{ f }}', ok('true false')],
      ['an array prints as compact JSON', '{{ arr }}', ok('[1,"a",null,true,2.5,{"k":"v"},[1]]')],
      ['an object prints as JSON with sorted keys', '{{ obj }}', ok('{"a":[1,2],"b":1,"c":{"x":"é","y":null}}')],
      ['empty containers', '{{ earr }}{{ eobj }}', ok('[]{}')],
      ['non-ASCII text', '{{ u }}', ok('héllo')],
      ['float literal 1e3', '{{ 1e3 }}', ok('1000.0')],
      ['float literal 1e-3', '{{ 1e-3 }}', ok('0.001')],
      ['float literal 1.0', '{{1.0}}', ok('1.0')],
      ['float literal 1e0', '{{1e0}}', ok('1.0')],
      ['integral floats print in full up to 15 digits, then with an exponent', '{{ 123456789012345.0 }} {{ 1e15 }} {{ 1e16 }}', ok('123456789012345.0 1e+15 1e+16')],
      ['small floats: 0.0001 and 1e-5', '{{ 0.0001 }} {{ 1e-5 }}', ok('0.0001 1e-05')],
      ['negative zero', '{{ -0.0 }}', ok('-0.0')],
      ['a float that overflows prints null', '{{ 1e300 * 1e300 }}', ok('null')],
      ['0.1 + 0.2', '{{ 0.1 + 0.2 }}', ok('0.30000000000000004')],
      ['a literal string containing braces', '{{ "{{ no_value }}" }}', ok('{{ no_value }}')],
      ['a string literal with JSON escapes', '{{ "tab\\there \\u00e9" }}', ok('tab\there é')],
      ['an object literal (printed with sorted keys)', '{{ {"b": 2, "a": [1, 2.0]} }}', ok('{"a":[1,2.0],"b":2}')],
      ['true, false and null literals', '{{ true }}{{ false }}{{ null }}', ok('truefalse')],
    ],
  },
  {
    group: 'operators',
    body: PERSON,
    cases: [
      ['addition of integers stays integer', '{{ 1 + 1 }}', ok('2')],
      ['no spaces', '{{ 1+3 }}', ok('4')],
      ['subtraction', '{{ 1-3 }} {{ 3 - 21 }}', ok('-2 -18')],
      ['precedence', '{{ 1 + 1 * 3 }}', ok('4')],
      ['parentheses', '{{ (1 + 1) * 3 }}', ok('6')],
      ['division always gives a float', '{{ 5 / 2 }} {{ 4 / 2 }}', ok('2.5 2.0')],
      ['power of integers is an integer', '{{ 5^3 }}', ok('125')],
      ['power with a negative exponent is a float', '{{ 2^-1 }}', ok('0.5')],
      ['power is right-associative and binds tighter than *', '{{ 2^3^2 }} {{ 2 * 3^2 }}', ok('512 18')],
      ['a long expression', '{{ 5 + 12 + 4 * (4 - (1 + 1))^2 - 75 * 1 }}', ok('-42')],
      ['modulo', '{{ 7 % 3 }} {{ -7 % 3 }} {{ 7.9 % 3 }}', syntax('[inja.exception.parser_error] (at 1:23) too few arguments')],
      ['mixed integer and float arithmetic', '{{ 2.5 * 2 }} {{ 3 * 1.5 }} {{ length(name) * 2.5 }}', ok('5.0 4.5 12.5')],
      ['string concatenation', '{{ "a" + "b" + name }}', ok('abPeter')],
      ['a string plus a number is a type error', '{{ name + 1 }}', fails('[json.exception.type_error.302] type must be number, but is string')],
      ['a boolean is not a number', '{{ true + 1 }}', fails('[json.exception.type_error.302] type must be number, but is boolean')],
      ['division by zero', '{{ 1 / 0 }}', fails('[inja.exception.render_error] (at 1:6) division by zero')],
      ['comparisons', '{{ age == 29 }} {{ age != 28 }} {{ age > 29 }} {{ age >= 29 }} {{ age < 30 }} {{ age <= 28 }}', ok('true true false true true false')],
      ['an integer equals the same float', '{{ 1 == 1.0 }} {{ 1 != 1.0 }}', ok('true false')],
      ['strings compare by bytes', '{{ "a" < "b" }} {{ "B" < "a" }}', ok('true true')],
      ['arrays and objects compare by value', '{{ [1,2] == [1,2] }} {{ [1,2] < [1,3] }} {{ {"a":1} == {"a":1} }}', ok('true true true')],
      ['mixed types order: null < boolean < number < object < array < string', '{{ null < false }} {{ true < 0 }} {{ 0 < {} }} {{ {} < [] }} {{ [] < "" }}', ok('true true true true true')],
      ['in: array membership', '{{ age in [28, 29, 30] }} {{ 5 in vars }}', ok('true false')],
      ['in: object values', '{{ "Maria" in relatives }}', ok('true')],
      ['in: a string is a single value, not a substring', '{{ "a" in "a" }} {{ "a" in "abc" }}', ok('true false')],
      ['and / or / not', '{{ true and false }} {{ true or false }} {{ not true }} {{ not (true) }} {{ true or (true or true) }}', ok('false true false false true')],
      ['and and or have the same precedence, left to right', '{{ true or true and false }}', ok('false')],
      ['short circuit: the right side is not evaluated', '{% if 0 and undefined %}do{% else %}nothing{% endif %}', ok('nothing')],
      ['without short circuit the missing variable is an error', '{% if 1 and undefined %}do{% else %}nothing{% endif %}', fails('[inja.exception.render_error] (at 1:13) variable \'undefined\' not found')],
      ['both operands are evaluated; the last missing one is reported', '{{ a + b }}', fails('[inja.exception.render_error] (at 1:8) variable \'b\' not found')],
    ],
  },
  {
    group: 'truthiness',
    body: TYPES,
    cases: [
      ['true / false', '{% if t %}T{% else %}F{% endif %}{% if f %}T{% else %}F{% endif %}', ok('TF')],
      ['numbers: zero is false', '{% if int %}T{% else %}F{% endif %}{% if 0 %}T{% else %}F{% endif %}{% if 0.0 %}T{% else %}F{% endif %}', ok('TFF')],
      ['null is false', '{% if n %}T{% else %}F{% endif %}', ok('F')],
      ['an empty string is TRUE (only null and empty arrays/objects are empty)', '{% if empty %}T{% else %}F{% endif %}', ok('T')],
      ['empty array and object are false', '{% if earr %}T{% else %}F{% endif %}{% if eobj %}T{% else %}F{% endif %}', ok('FF')],
      ['non-empty containers are true', '{% if arr %}T{% else %}F{% endif %}{% if obj %}T{% else %}F{% endif %}', ok('TT')],
    ],
  },
  {
    group: 'conditionals',
    body: PERSON,
    cases: [
      ['if', '{% if is_happy %}Yeah!{% endif %}', ok('Yeah!')],
      ['empty branch', '{% if is_happy %}{% endif %}', ok('')],
      ['else', '{% if is_sad %}Yeah!{% else %}Nooo...{% endif %}', ok('Nooo...')],
      ['else if', '{% if age == 28 %}28{% else if age == 29 %}29{% endif %}', ok('29')],
      ['else if chain with else', '{% if age == 26 %}26{% else if age == 27 %}27{% else if age == 28 %}28{% else %}29{% endif %}', ok('29')],
      ['successive ifs', '{% if age == 25 %}+{% endif %}{% if age == 29 %}+{% else %}-{% endif %}', ok('+')],
      ['nested', '{% if is_happy %}{% if age > 20 %}adult{% endif %}{% endif %}', ok('adult')],
      ['a condition on a function', '{% if upper("Peter") == "PETER" %}TRUE{% endif %}', ok('TRUE')],
      ['not / or', '{% if not is_happy or age > 26 %}TRUE{% endif %}', ok('TRUE')],
      ['a second else adds to the else branch', '{% if false %}a{% else %}b{% else %}c{% endif %}', ok('bc')],
      ['a missing variable in a condition is an error', '{% if predefined %}{% endif %}', fails('[inja.exception.render_error] (at 1:7) variable \'predefined\' not found')],
      ['an empty condition is an error at 1:1 (Inja does not position it)', 'x{% if %}y{% endif %}', fails('[inja.exception.render_error] (at 1:1) empty expression')],
    ],
  },
  {
    group: 'loops',
    body: PERSON,
    cases: [
      ['over an array', '{% for name in names %}a{% endfor %}', ok('aa')],
      ['the loop variable', 'Hello {% for name in names %}{{ name }} {% endfor %}!', ok('Hello Jeff Seb !')],
      ['loop.index', '{% for name in names %}{{ loop.index }}: {{ name }}, {% endfor %}', ok('0: Jeff, 1: Seb, ')],
      ['loop.index1, is_first, is_last', '{% for n in vars %}{{ loop.index1 }}{% if loop.is_first %}F{% endif %}{% if loop.is_last %}L{% endif %} {% endfor %}', ok('1F 2 3 4 5 6 7L ')],
      ['not loop.is_last', '{% for name in names %}{{ name }}{% if not loop.is_last %}, {% endif %}{% endfor %}!', ok('Jeff, Seb!')],
      ['over an object: key and value, in key order', '{% for type, name in relatives %}{{ loop.index1 }}: {{ type }}: {{ name }}{% if loop.is_last == false %}, {% endif %}{% endfor %}', ok('1: brother: Chris, 2: mother: Maria, 3: sister: Jenny')],
      ['a condition inside', '{% for v in vars %}{% if v > 0 %}+{% endif %}{% endfor %}', ok('+++')],
      ['over an empty array', '{% for name in [] %}a{% endfor %}', ok('')],
      ['over range()', '{% for i in range(4) %}{{ loop.index1 }}{% endfor %}', ok('1234')],
      ['at() with the loop variable', '{% for i in range(2) %}{{ at(names, i) }}{% endfor %}', ok('JeffSeb')],
      ['nested loops and loop.parent', '{% for a in [[1,2],[3]] %}{% for b in a %}{{ loop.parent.index }}{{ loop.index }}{{ loop.is_last }} {% endfor %}{% endfor %}', ok('00false 01true 10true ')],
      ['an object loop inside an array loop', '{% for a in [1,2] %}{% for k, v in brother %}{{ loop.parent.index }}{{ k }} {% endfor %}{% endfor %}', ok('0daughter0 0daughters 0name 1daughter0 1daughters 1name ')],
      ['over the whole context()', '{% for k, v in context() %}{% if isString(v) %}{{ k }} {% endif %}{% endfor %}', ok('$name @name city name property ')],
      ['an array loop over an object is an error at `in`', '{% for name in relatives %}{{ name }}{% endfor %}', fails('[inja.exception.render_error] (at 1:13) object must be an array')],
      ['an object loop over an array is an error', '{% for k, v in names %}{{ k }}{% endfor %}', fails('[inja.exception.render_error] (at 1:13) object must be an object')],
      ['a missing array', '{% for name in empty_loop %}a{% endfor %}', fails('[inja.exception.render_error] (at 1:16) variable \'empty_loop\' not found')],
      ['after a loop its variable holds the cleared last value (Inja)', '{% for x in [1,2] %}{% endfor %}[{{ x }}]', ok('[0]')],
      ['after a loop, loop keeps its last data with parent null (Inja)', '{% for x in [1,2] %}{% endfor %}{{ loop }}', ok('{"index":1,"index1":2,"is_first":false,"is_last":true,"parent":null}')],
      ['a later loop sees the earlier one as loop.parent (Inja)', '{% for x in [1] %}{% endfor %}{% for y in [1,2] %}{{ loop.parent.index1 }}{% endfor %}', ok('11')],
      ['loop is null outside loops', '[{{ loop }}]', ok('[]')],
    ],
  },
  {
    group: 'set',
    body: PERSON,
    cases: [
      ['a value', '{% set new_hour=23 %}{{ new_hour }}', ok('23')],
      ['an expression', '{% set age=2+3 %}{{age}}', ok('5')],
      ['shadows the context', '{% set age=30 %}{{age}}', ok('30')],
      ['a boolean', '{% set predefined=true %}{% if predefined %}a{% endif %}', ok('a')],
      ['a nested path creates objects', '{% set time.start=18 %}{{ time.start }}pm', ok('18pm')],
      ['existsIn sees it', '{% set predefined.value=1 %}{% if existsIn(predefined, "value") %}{{predefined.value}}{% endif %}', ok('1')],
      ['concatenated strings', '{% set v1 = "a" %}{% set v2 = "b" %}{% set var = v1 + v2 %}{{ var }}', ok('ab')],
      ['setting into a copy leaves the context unchanged', '{% set x = brother %}{% set x.name = "Bob" %}{{ x.name }} {{ brother.name }}', ok('Bob Chris')],
      ['a numeric path segment makes an array', '{% set a.1 = "x" %}{{ a }}', ok('[null,"x"]')],
      ['setting inside a number is an error', '{% set a = 1 %}{% set a.b = 2 %}', fails('[json.exception.out_of_range.404] unresolved reference token \'b\'')],
      ['set values are variables for later expressions only', '{{ default(later, "none") }}{% set later = 1 %}{{ later }}', ok('none1')],
    ],
  },
  {
    group: 'comments and whitespace control (Gloo: trim_blocks and lstrip_blocks off)',
    body: PERSON,
    cases: [
      ['a comment', 'Hello{# This is a comment #}!', ok('Hello!')],
      ['a comment with # inside', '{# --- #Todo --- #}', ok('')],
      ['blocks keep surrounding whitespace', '   {% if is_happy %}{{ name }}{% endif %}   ', ok('   Peter   ')],
      ['and the newline after them', '   {% if is_happy %}{{ name }}{% endif %}\n ', ok('   Peter\n ')],
      ['{%- strips spaces before it on its own line', 'Test\n   {%- if is_happy %}{{ name }}{% endif %}   ', ok('Test\nPeter   ')],
      ['{%+ is a plain open without lstrip_blocks', '   {%+ if is_happy %}{{ name }}{% endif %}', ok('   Peter')],
      ['-%} strips all whitespace after, newlines included', '   {%- if is_happy %}{{ name }}{% endif -%}   \n   ', ok('Peter')],
      ['{{- and -}}', '   {{- name -}}   \n   ', ok('Peter')],
      ['{{- keeps the newline', 'Test\n   {{- name }}   ', ok('Test\nPeter   ')],
      ['nothing is stripped when other text precedes on the line', '.  {%- if is_happy %}{{ name }}{% endif -%}\n', ok('.  Peter')],
      ['a comment with -#} strips up to the first newline', '{{ name }}{# name -#}    !', ok('Peter!')],
      ['{#- and -#}', '   {#- name -#}    !', ok('!')],
      ['comment lstrip needs the line to be blank', '.  {#- comment -#}\n.', ok('.  .')],
      ['a multi-line template keeps its newlines', 'a\n{% if is_happy %}\nb\n{% endif %}\nc', ok('a\n\nb\n\nc')],
      ['-%} … {%- trims inside blocks', '{% if is_happy -%}\n  a\n{%- endif %}', ok('a\n')],
    ],
  },
  {
    group: 'line statements (## at the start of a line)',
    body: PERSON,
    cases: [
      ['if', '## if is_happy\nYeah!\n## endif', ok('Yeah!\n')],
      ['nested', '## if is_happy\n## if is_happy\nYeah!\n## endif\n## endif    ', ok('Yeah!\n')],
      ['a loop', '## for n in names\n{{ n }}\n## endfor\n', ok('Jeff\nSeb\n')],
      ['## after indentation is text', 'a\n  ## if x\nb', ok('a\n  ## if x\nb')],
      ['a markdown heading at the start of a line is a statement error', '## Heading\ntext', syntax('[inja.exception.parser_error] (at 1:4) expected statement, got \'Heading\'')],
    ],
  },
  {
    group: 'built-in functions',
    body: PERSON,
    cases: [
      ['upper', '{{ upper(name) }} {{ upper(  city  ) }} {{ upper(upper(name)) }}', ok('PETER BRUNSWICK PETER')],
      ['upper changes ASCII letters only', '{{ upper("héllo") }}', ok('HéLLO')],
      ['upper of a number', '{{ upper(5) }}', fails('[json.exception.type_error.302] type must be string, but is number')],
      ['lower', '{{ lower(name) }}', ok('peter')],
      ['lower of a float', '{{ lower(5.45) }}', fails('[json.exception.type_error.302] type must be string, but is number')],
      ['length of an array, a string (bytes), an object, a number, null', '{{ length(names) }} {{ length(name) }} {{ length("é") }} {{ length(brother) }} {{ length(5) }} {{ length(null) }}', ok('2 5 2 3 1 0')],
      ['range', '{{ range(2) }} {{ range(0) }} {{ range(2.7) }}', ok('[0,1] [] [0,1]')],
      ['range of a string', '{{ range(name) }}', fails('[json.exception.type_error.302] type must be number, but is string')],
      ['first and last', '{{ first(names) }} {{ last(names) }} {{ first(relatives) }} {{ last(relatives) }} {{ first(5) }}', ok('Jeff Seb Chris Jenny 5')],
      ['first of null', '{{ first(null) }}', fails('[json.exception.invalid_iterator.214] cannot get value')],
      ['sort', '{{ sort([3, 2, 1]) }} {{ sort(["bob", "charlie", "alice"]) }}', ok('[1,2,3] ["alice","bob","charlie"]')],
      ['sort of mixed types', '{{ sort([3, "a", null, true, 1.5, {"k": 1}, [1]]) }}', ok('[null,true,1.5,3,{"k":1},[1],"a"]')],
      ['sort of a number', '{{ sort(5) }}', fails('[json.exception.type_error.302] type must be array, but is number')],
      ['round', '{{ round(4, 0) }} {{ round(temperature, 2) }} {{ round(2.5, 0) }} {{ round(-2.5, 0) }} {{ round(-0.4, 1) }}', ok('4 25.68 3 -3 -0.4')],
      ['round of a string', '{{ round(name, 2) }}', fails('[json.exception.type_error.302] type must be number, but is string')],
      ['odd / even', '{{ odd(11) }} {{ odd(12) }} {{ even(11) }} {{ even(12) }} {{ odd(-3) }} {{ even(3.5) }}', ok('true false false true true false')],
      ['odd of a string', '{{ odd(name) }}', fails('[json.exception.type_error.302] type must be number, but is string')],
      ['divisibleBy', '{{ divisibleBy(50, 5) }} {{ divisibleBy(12, 3) }} {{ divisibleBy(11, 3) }} {{ divisibleBy(11, 0) }}', ok('true true false false')],
      ['max / min', '{{ max([1, 2, 3]) }} {{ max([-5.2, 100.2, 2.4]) }} {{ min([1, 2, 3]) }} {{ min([-5.2, 100.2, 2.4]) }} {{ max(relatives) }}', ok('3 100.2 1 -5.2 Maria')],
      ['max of mixed types follows the type order', '{{ max([3, "a", null]) }} {{ min([3, "a", null]) }}', ok('a ')],
      ['max of a string is the string', '{{ max(name) }}', ok('Peter')],
      ['int', '{{ int("2") == 2 }} {{ int("-1.25") }} {{ int("  42abc") }} {{ int("+7") }}', ok('true -1 42 7')],
      ['int of a non-number string', '{{ int("abc") }}', fails('stoi: no conversion')],
      ['int out of range', '{{ int("99999999999") }}', fails('stoi: out of range')],
      ['int of a number', '{{ int(5) }}', fails('[json.exception.type_error.303] incompatible ReferenceType for get_ref, actual type is number')],
      ['float', '{{ float("2.2") == 2.2 }} {{ float("-1.25") }} {{ float("1") }} {{ float("  3.5xyz") }}', ok('true -1.25 1.0 3.5')],
      ['float of a non-number string', '{{ float("abc") }}', fails('stod: no conversion')],
      ['default', '{{ default(11, 0) }} {{ default(nothing, 0) }} {{ default(name, "nobody") }} {{ default(surname, "nobody") }}', ok('11 0 Peter nobody')],
      ['default does not render its fallback', '{{ default(surname, "{{ surname }}") }}', ok('{{ surname }}')],
      ['default keeps a null that exists', '[{{ default(brother.nothing, "x") }}] [{{ default(null, "x") }}]', ok('[x] []')],
      ['a missing fallback is an error', '{{ default(surname, lastname) }}', fails('[inja.exception.render_error] (at 1:21) variable \'lastname\' not found')],
      ['exists (names are dotted paths in the context)', '{{ exists("name") }} {{ exists("zipcode") }} {{ exists(name) }} {{ exists(property) }} {{ exists("brother.name") }} {{ exists("names.1") }}', ok('true false false true true true')],
      ['exists does not see set variables', '{% set x = 1 %}{{ exists("x") }}', ok('false')],
      ['existsIn', '{{ existsIn(brother, "name") }} {{ existsIn(brother, "parents") }} {{ existsIn(brother, property) }} {{ existsIn(brother, name) }} {{ existsIn(names, "0") }}', ok('true false true false false')],
      ['existsIn on a missing object', '{{ existsIn(sister, "lastname") }}', fails('[inja.exception.render_error] (at 1:13) variable \'sister\' not found')],
      ['existsIn with a missing key variable', '{{ existsIn(brother, sister) }}', fails('[inja.exception.render_error] (at 1:22) variable \'sister\' not found')],
      ['at', '{{ at(names, 0) }} {{ at(names, i) }} {{ at(brother, "name") }} {{ at(at(brother, "daughters"), 0) }}', ok('Jeff Seb Chris Maria')],
      ['at out of range', '{{ at(names, 45) }}', fails('[json.exception.out_of_range.401] array index 45 is out of range')],
      ['at with a negative index', '{{ at(names, -1) }}', fails('[json.exception.out_of_range.401] array index 18446744073709551615 is out of range')],
      ['at with a missing key', '{{ at(brother, "age") }}', fails('[json.exception.out_of_range.403] key \'age\' not found')],
      ['at on a string', '{{ at(name, 0) }}', fails('[json.exception.type_error.304] cannot use at() with string')],
      ['join', '{{ join(names, " | ") }} / {{ join(vars, ", ") }} / {{ join([1, "a", null, [2]], ";") }}', ok('Jeff | Seb / 2, 3, 4, 0, -1, -2, -3 / 1;a;null;[2]')],
      ['is… type tests', '{{ isBoolean(is_happy) }} {{ isNumber(age) }} {{ isInteger(age) }} {{ isFloat(temperature) }} {{ isFloat(1.0) }} {{ isObject(brother) }} {{ isArray(vars) }} {{ isString(name) }}', ok('true true true true true true true true')],
      ['is… negative', '{{ isBoolean(vars) }} {{ isNumber(name) }} {{ isInteger(is_happy) }} {{ isFloat(age) }} {{ isObject(vars) }} {{ isArray(name) }} {{ isString(names) }}', ok('false false false false false false false')],
      ['combined', '{{ upper(first(sort(brother.daughters)) + "_test") }} {{ upper(last(brother.daughters)) }} {{ last(range(5 * 2)) }}', ok('HELEN_TEST HELEN 9')],
      ['replace and capitalize are not Inja 3.4 functions', '{{ capitalize(name) }}', syntax('[inja.exception.parser_error] (at 1:19) unknown function capitalize')],
    ],
  },
  {
    group: 'bare names fall back to zero-argument functions',
    body: PERSON,
    cases: [
      ['{{ context }} is context()', '{{ context.name }}{{ isObject(context) }}', fails('[inja.exception.render_error] (at 1:4) variable \'context.name\' not found')],
    ],
  },
  {
    group: 'advanced templates (JSON pointer variables)',
    body: JP,
    options: { advancedTemplates: true },
    cases: [
      ['pointer paths; dots are part of keys; ~1 and ~0 escape / and ~', '{{ json_pointers/example.com }}--{{ json_pointers/and~1or }}--{{ json_pointers/and~0or }}', ok('online--slash--tilde')],
      ['a dotted name is one key', '{{ a.b }}', ok('dotted key')],
      ['array index', '{{ list/0 }}', ok('10')],
      ['loop data is addressed with /', '{% for x in list %}{{ loop/index }}{% endfor %}', ok('01')],
      ['set paths still split on dots', '{% set x.y = 1 %}{{ x/y }}', ok('1')],
      ['exists() still takes a dotted path', '{{ exists("json_pointers.example.com") }} {{ exists("json_pointers/example.com") }}', ok('false false')],
      ['a ~ not followed by 0 or 1 is a config-time error', '{{ a~2 }}', syntax('[json.exception.parse_error.108] parse error: escape character \'~\' must be followed with \'0\' or \'1\'')],
    ],
  },
  {
    group: 'escapeCharacters',
    body: ESC,
    options: { escapeCharacters: true },
    cases: [
      ['strings are JSON-escaped, without quotes', '{"Value":"{{ value }}"}', ok('{"Value":"\\"foo\\""}')],
      ['control characters', '{{ ctl }}', ok('a\\tb\\nc\\u0001')],
      ['raw_string is escaped once more', '{"Value":"{{ raw_string(value) }}"}', ok('{"Value":"\\\\\\"foo\\\\\\""}')],
      ['arrays, numbers and literals print as usual', '{{ list }} {{ 5 }} {{ "a\\"b" }}', ok('["\\"x\\""] 5 a\\"b')],
    ],
  },
  {
    group: 'escapeCharacters off (the default)',
    body: ESC,
    cases: [
      ['quotes break the JSON', '{"Value":"{{ value }}"}', ok('{"Value":""foo""}')],
      ['raw_string escapes one value', '{"Value":"{{ raw_string(value) }}"}', ok('{"Value":"\\"foo\\""}')],
      ['raw_string of a number is a type error', '{{ raw_string(5) }}', fails('[json.exception.type_error.303] incompatible ReferenceType for get_ref, actual type is number')],
    ],
  },
  {
    group: 'syntax errors (config time)',
    body: PERSON,
    cases: [
      ['unclosed expression', '{{', syntax('[inja.exception.parser_error] (at 1:3) expected expression close, got \'<eof>\'')],
      ['unknown statement', '{% foo %}', syntax('[inja.exception.parser_error] (at 1:4) expected statement, got \'foo\'')],
      ['statement typo', '{% if is_happy %}{% else if is_happy %}{% end if %}', syntax('[inja.exception.parser_error] (at 1:43) expected statement, got \'end\'')],
      ['unmatched if', '{% if is_happy %}{% if is_happy %}{% endif %}', syntax('[inja.exception.parser_error] (at 1:46) unmatched if')],
      ['unmatched for', '{% for x in names %}', syntax('[inja.exception.parser_error] (at 1:21) unmatched for')],
      ['endif without if', 'x{% endif %}', syntax('[inja.exception.parser_error] (at 1:5) endif without matching if')],
      ['else without if', '{% else %}', syntax('[inja.exception.parser_error] (at 1:4) else without matching if')],
      ['endfor without for', '{% endfor %}', syntax('[inja.exception.parser_error] (at 1:4) endfor without matching for')],
      ['expected in', '{% for name ins names %}a{% endfor %}', syntax('[inja.exception.parser_error] (at 1:13) expected \'in\', got \'ins\'')],
      ['for without a name', '{% for %}', syntax('[inja.exception.parser_error] (at 1:8) expected id, got \'%}\'')],
      ['unknown function', '{{ uppr(name) }}', syntax('[inja.exception.parser_error] (at 1:13) unknown function uppr')],
      ['wrong argument count is an unknown function', '{{ upper(name, city) }}', syntax('[inja.exception.parser_error] (at 1:20) unknown function upper')],
      ['missing closing parenthesis', '{{ upper(name }}', syntax('[inja.exception.parser_error] (at 1:15) expected right parenthesis, got \'}}\'')],
      ['unary plus', '{{ +1 }}', syntax('[inja.exception.parser_error] (at 1:7) too few arguments')],
      ['dangling operator', '{{ 1 + }}', syntax('[inja.exception.parser_error] (at 1:8) too few arguments')],
      ['two values without an operator', '{{ name city }}', syntax('[inja.exception.parser_error] (at 1:14) malformed expression')],
      ['unexpected ]', '{{ ] }}', syntax('[inja.exception.parser_error] (at 1:4) unexpected \']\'')],
      ['unexpected :', '{{ a : b }}', syntax('[inja.exception.parser_error] (at 1:6) unexpected \':\'')],
      ['empty parentheses', '{{ () }}', syntax('[inja.exception.parser_error] (at 1:5) empty expression in parentheses')],
      ['set without =', '{% set x 1 %}', syntax('[inja.exception.parser_error] (at 1:10) expected \'=\', got \'1\'')],
      ['set without a name', '{% set %}', syntax('[inja.exception.parser_error] (at 1:8) expected variable name, got \'%}\'')],
      ['unclosed comment', '{# unclosed', syntax('[inja.exception.parser_error] (at 1:3) expected comment close, got \'<eof>\'')],
      ['include needs a string', '{% include does-not-exist %}!', syntax('[inja.exception.parser_error] (at 1:12) expected string, got \'does-not-exist\'')],
      ['duplicate block', '{% block b %}{% endblock %}{% block b %}{% endblock %}', syntax('[inja.exception.parser_error] (at 1:37) block with the name \'b\' does already exist')],
      ['position on a later line', 'line one\nline two {% foo %}', syntax('[inja.exception.parser_error] (at 2:13) expected statement, got \'foo\'')],
      ['columns count UTF-8 bytes, as Inja does', 'é {% foo %}', syntax('[inja.exception.parser_error] (at 1:7) expected statement, got \'foo\'')],
      ['a minus after an expression ends as an operator (Inja keeps the state across tags)', '{{ name }}{{ -1 }}', syntax('[inja.exception.parser_error] (at 1:17) too few arguments')],
      ['a bad array literal is a JSON parse error', '{{ [1, x] }}', syntax('[json.exception.parse_error.101] parse error at line 1, column 5: syntax error while parsing value - invalid literal; last read: \'1, x\'')],
      ['a number with a leading zero', '{{ 01 }}', syntax('[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing value - unexpected number literal; expected end of input')],
      ['an unterminated string', '{{ "abc }}', syntax('[json.exception.parse_error.101] parse error at line 1, column 8: syntax error while parsing value - invalid string: missing closing quote; last read: \'"abc }}\'')],
      ['an invalid string escape', '{{ "a\\d" }}', syntax('[json.exception.parse_error.101] parse error at line 1, column 4: syntax error while parsing value - invalid string: forbidden character after backslash; last read: \'"a\\d\'')],
      ['single quotes are not strings', '{{ \'a\' }}', syntax('[inja.exception.parser_error] (at 1:4) expected expression close, got \'\'\'')],
    ],
  },
  {
    group: 'render errors',
    body: PERSON,
    cases: [
      ['an empty expression', 'x{{ }}', fails('[inja.exception.render_error] (at 1:5) empty expression')],
      ['include has nothing to include in Gloo', 'a{% include "other" %}', fails('[inja.exception.render_error] (at 1:13) include \'other\' not found')],
      ['extends likewise', '{% extends "base" %}', fails('[inja.exception.render_error] (at 1:12) extends \'base\' not found')],
      ['a type error', '{{ upper(age) }}', fails('[json.exception.type_error.302] type must be string, but is number')],
      ['a missing variable in a function argument', '{{ upper(nickname) }}', fails('[inja.exception.render_error] (at 1:10) variable \'nickname\' not found')],
    ],
  },
  {
    group: 'blocks',
    body: PERSON,
    cases: [
      ['a block renders in place', '{% block b %}in{% endblock %}after', ok('inafter')],
      ['super() outside a block', '{{ super() }}', fails('[inja.exception.render_error] (at 1:4) super() call is not within a block')],
      ['super() in a block has no parent template', '{% block b %}{{ super() }}{% endblock %}', fails('[inja.exception.render_error] (at 1:17) level of super() call does not match parent templates (between 1 and 0)')],
    ],
  },
  {
    group: 'Gloo spec §4.6 / §7.3: status from the body',
    body: ERR,
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['an error message in the body gives 400', '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}', ok('400')],
    ],
  },
  {
    group: 'Gloo spec §4.6 / §7.3: status from the body, empty message',
    body: NOERR,
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['an empty message keeps the upstream status', '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}', ok('200')],
    ],
  },
  {
    group: 'Gloo spec §4.6 / §7.3: status from the body, no data',
    body: NODATA,
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['a body without data.error keeps the status (default() catches the missing path)', '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}', ok('200')],
    ],
  },
  {
    group: 'Gloo spec §4.6 / §7.3: status from the body, no body',
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['no body at all keeps the status', '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}', ok('200')],
    ],
  },
  {
    group: 'Gloo spec §4.6 / §7.3: status from the body, no :status header',
    body: NODATA,
    headers: {},
    cases: [
      ['without a :status header it renders empty (the header is then removed)', '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}', ok('')],
    ],
  },
  {
    group: 'Gloo spec §7.3: extracted query parameters (extractors merged into the context)',
    body: EXTRACTED,
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['headers foo: {text: \'{{ foo }}\'}', '{{ foo }}', ok('foo-value')],
      ['headers bar: {text: \'{{ bar }}\'}', '{{ bar }}', ok('bar-value')],
    ],
  },
  {
    group: 'Gloo spec §4.4 / §7.3: plain and empty templates',
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['headers foo: {text: bar} — a constant', 'bar', ok('bar')],
      ['content-type: {} — an empty template renders empty (the header is removed)', '', ok('')],
    ],
  },
  {
    group: 'Gloo spec §4.6: header(":status") == "404" in a response transformation',
    headers: { ':status': '404' },
    requestHeaders: { ':path': '/missing', ':method': 'GET' },
    cases: [
      ['rewrite a 404 body', '{% if header(":status") == "404" %}{"error": "not found", "path": "{{ request_header(":path") }}"}{% else %}{{ body() }}{% endif %}', ok('{"error": "not found", "path": "/missing"}')],
    ],
  },
  {
    group: 'Gloo petstore function templates (spec §7.1 / §7.2, discovered from Swagger)',
    body: PET,
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['addPet body', '{"id": {{ default(id, "") }},"name": "{{ default(name, "")}}","tag": "{{ default(tag, "")}}"}', ok('{"id": 1,"name": "Dog","tag": "dogs"}')],
      ['findPetById :path', '/api/pets/{{ default(id, "") }}', ok('/api/pets/1')],
    ],
  },
  {
    group: 'Gloo petstore function templates without a body',
    headers: { ':status': '200', ':path': '/get?foo=foo-value&bar=bar-value', ':method': 'GET', ':authority': 'example.com' },
    cases: [
      ['findPets :path with no parameters', '/api/pets?tags={{default(tags, "")}}&limit={{default(limit, "")}}', ok('/api/pets?tags=&limit=')],
      ['addPet body with no parameters (invalid JSON, as in Gloo)', '{"id": {{ default(id, "") }},"name": "{{ default(name, "")}}","tag": "{{ default(tag, "")}}"}', ok('{"id": ,"name": "","tag": ""}')],
    ],
  },
  {
    group: 'Gloo functions: header, request_header, extraction, env, data_source',
    headers: { ':path': '/users/123', ':method': 'POST', 'x-test': '789', 'x-empty': '' },
    requestHeaders: { ':method': 'GET' },
    extractions: { 'id': '123' },
    env: { 'REGION': 'eu-west-1' },
    dataSources: { 'greeting': 'hello' },
    cases: [
      ['header of a pseudo-header', '{{ header(":path") }}', ok('/users/123')],
      ['header names are case-insensitive', '{{ header("X-Test") }}', ok('789')],
      ['a missing header renders empty', '[{{ header("x-missing") }}]', ok('[]')],
      ['an empty header', '[{{ header("x-empty") }}]', ok('[]')],
      ['header of a variable name', '{% set h = "x-test" %}{{ header(h) }}', ok('789')],
      ['header of a number is a type error', '{{ header(1) }}', fails('[json.exception.type_error.303] incompatible ReferenceType for get_ref, actual type is number')],
      ['a missing header is an empty string, which is truthy', '{% if header("x-missing") %}T{% endif %}', ok('T')],
      ['compare with "" to test presence', '{% if header("x-missing") != "" %}present{% else %}absent{% endif %}', ok('absent')],
      ['request_header', '{{ request_header(":method") }} [{{ request_header("x-nope") }}]', ok('GET []')],
      ['extraction', '{{ extraction("id") }} [{{ extraction("nope") }}]', ok('123 []')],
      ['extraction of a number is a type error', '{{ extraction(5) }}', fails('[json.exception.type_error.303] incompatible ReferenceType for get_ref, actual type is number')],
      ['env', '{{ env("REGION") }} [{{ env("NOT_SET") }}]', ok('eu-west-1 []')],
      ['data_source', '{{ data_source("greeting") }} [{{ data_source("nope") }}]', ok('hello []')],
      ['header() with no argument is an unknown function', '{{ header() }}', syntax('[inja.exception.parser_error] (at 1:11) unknown function header')],
    ],
  },
  {
    group: 'Gloo functions: body() and context()',
    body: PERSON,
    cases: [
      ['body() is the raw text', '{{ length(body()) > 10 }}', ok('true')],
      ['context() is the parsed body', '{{ at(context(), "name") }} {{ isObject(context()) }}', ok('Peter true')],
      ['member access on context() always fails for an object body: its keys are top-level variables (Inja)', '{{ context().name }}', fails('[inja.exception.render_error] (at 1:13) could not find element with given name')],
      ['…and a key it lacks is not found', '{{ context().nickname }}', fails('[json.exception.out_of_range.403] key \'nickname\' not found')],
      ['{{ body }} calls body() when the body has no "body" key', '{{ isString(body) }}', ok('true')],
    ],
  },
  {
    group: 'Gloo functions: context() of a non-object body',
    body: ARRAY,
    cases: [
      ['variables see an empty object, context() the array', '{% for i in context() %}{{ i }}{% endfor %} {{ length(context()) }}', ok('321 3')],
      ['a variable lookup fails', '{{ 0 }}{{ x }}', fails('[inja.exception.render_error] (at 1:11) variable \'x\' not found')],
    ],
  },
  {
    group: 'Gloo functions: trim and raw_string',
    body: WS,
    cases: [
      ['trim strips ASCII whitespace', '[{{ trim(value) }}]', ok('[foo "bar"]')],
      ['trim of all-space text', '[{{ trim("  \\t ") }}]', ok('[]')],
      ['trim keeps inner spaces', '[{{ trim(" a b ") }}]', ok('[a b]')],
      ['raw_string of a string with quotes and a newline', '"{{ raw_string(value) }}"', ok('"\\t  foo \\"bar\\" \\r\\n"')],
      ['raw_string with too many arguments is an unknown function', '{{ raw_string(value, value) }}', syntax('[inja.exception.parser_error] (at 1:27) unknown function raw_string')],
    ],
  },
];

// ---- running a case --------------------------------------------------------------------------------

class TestContext implements InjaContext {
  readonly json: JsonValue;
  requestHeader?: (name: string) => string | undefined;
  clusterMetadata?: () => FilterMetadata | undefined;
  dynamicMetadata?: () => FilterMetadata | undefined;
  hostMetadata?: () => FilterMetadata | undefined;

  constructor(
    private readonly bodyText: string | undefined,
    private readonly headers: Record<string, string> = {},
    requestHeaders?: Record<string, string>,
    private readonly extractions: Record<string, string> = {},
    /** `DontParse`: the body is not the context. */
    dontParse = false,
  ) {
    this.json = bodyText === undefined || dontParse ? null : parseJson(bodyText);
    if (requestHeaders) this.requestHeader = (name) => requestHeaders[name];
  }

  header(name: string): string | undefined {
    return Object.hasOwn(this.headers, name) ? this.headers[name] : undefined;
  }

  extraction(name: string): string | undefined {
    return Object.hasOwn(this.extractions, name) ? this.extractions[name] : undefined;
  }

  body(): string {
    return this.bodyText ?? '';
  }
}

function environment(g: Partial<Group>): InjaEnvironment {
  return new InjaEnvironment({
    ...g.options,
    environ: new Map(Object.entries(g.env ?? {})),
    dataSources: new Map(Object.entries(g.dataSources ?? {})),
  });
}

function position(message: string): [number, number] | null {
  const m = /\(at (\d+):(\d+)\)/.exec(message);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function check(g: Group, template: string, expect: Expect, ctx = new TestContext(g.body, g.headers, g.requestHeaders, g.extractions)): void {
  const env = environment(g);
  if ('syntax' in expect) {
    assert.throws(
      () => env.compile(template),
      (err: unknown) => {
        assert.ok(err instanceof TemplateError, `expected a TemplateError, got ${String(err)}`);
        assert.equal(err.message, expect.syntax);
        const at = position(expect.syntax);
        if (at) assert.deepEqual([err.line, err.column], at, 'line and column');
        return true;
      },
    );
    return;
  }
  const compiled = env.compile(template);
  if ('out' in expect) {
    assert.equal(compiled.render(ctx), expect.out);
    // rendering again gives the same (no state leaks between renders)
    assert.equal(compiled.render(ctx), expect.out);
    return;
  }
  assert.throws(
    () => compiled.render(ctx),
    (err: unknown) => {
      assert.ok(err instanceof InjaRenderError, `expected an InjaRenderError, got ${String(err)}`);
      assert.equal(err.message, expect.fails);
      const at = position(expect.fails);
      if (at) assert.deepEqual([err.line, err.column], at, 'line and column');
      return true;
    },
  );
}

for (const g of GROUPS) {
  describe(g.group, () => {
    for (const [name, template, expect] of g.cases) it(name, () => check(g, template, expect));
  });
}

// ---- Gloo functions with envoy-gloo's results -------------------------------------------------------

/** Renders with a body (not parsed: `parseBodyBehavior: DontParse`); returns the output or the error message. */
function render(template: string, body?: string, options: InjaOptions & { ctx?: Partial<InjaContext> } = {}): string {
  const env = new InjaEnvironment(options);
  const ctx = new TestContext(body, {}, undefined, {}, true);
  Object.assign(ctx, options.ctx ?? {});
  try {
    return env.compile(template).render(ctx);
  } catch (err) {
    if (err instanceof InjaRenderError || err instanceof TemplateError) return `error: ${err.message}`;
    throw err;
  }
}

describe('Gloo functions: base64', () => {
  it('encodes with padding, url-safe without', () => {
    assert.equal(render('{{ base64_encode("test") }}'), 'dGVzdA==');
    assert.equal(render('{{ base64_encode(body()) }}', 'é?>'), 'w6k/Pg==');
    assert.equal(render('{{ base64url_encode(body()) }}', 'é?>'), 'w6k_Pg');
    assert.equal(render('[{{ base64_encode("") }}]'), '[]');
  });

  it('decodes', () => {
    assert.equal(render('{{ base64_decode("dGVzdA==") }}'), 'test');
    assert.equal(render('{{ base64_decode(base64_encode(body())) }}', '1'), '1');
    assert.equal(render('{{ base64url_decode("eyJzdWIiOiJhYW_DsCJ9") }}'), '{"sub":"aaoð"}', "a JWT segment with '_'");
    assert.equal(render('{{ base64url_decode("QQ") }}'), 'A');
  });

  it('returns "" for anything Envoy rejects', () => {
    assert.equal(render('[{{ base64_decode("INVALID BASE64") }}]'), '[]');
    assert.equal(render('[{{ base64_decode("QQ") }}]'), '[]', 'standard base64 must be padded to a multiple of 4');
    assert.equal(render('[{{ base64_decode("QR==") }}]'), '[]', 'non-zero unused bits');
    assert.equal(render('[{{ base64_decode("Q===") }}]'), '[]', 'at most two =');
    assert.equal(render('[{{ base64_decode("QQ=A") }}]'), '[]', '= inside');
    assert.equal(render('[{{ base64_decode("") }}]'), '[]');
    assert.equal(render('[{{ base64url_decode("QQ==") }}]'), '[]', 'no padding in base64url');
    assert.equal(render('[{{ base64url_decode("Q") }}]'), '[]', 'a lone sixth character');
    assert.equal(render('[{{ base64_decode("w6k/Pg==") }}] [{{ base64url_decode("w6k/Pg") }}]'), '[é?>] []', "'/' is not url-safe");
  });

  it('needs a string', () => {
    assert.equal(render('{{ base64_encode(1) }}'), 'error: [json.exception.type_error.303] incompatible ReferenceType for get_ref, actual type is number');
    assert.equal(render('{{ base64_decode() }}'), 'error: [inja.exception.parser_error] (at 1:18) unknown function base64_decode');
  });
});

describe('Gloo functions: substring (byte offsets)', () => {
  const cases: [string, string][] = [
    ['{{ substring(body(), 1, 2) }}', '23'],
    ['{{ substring(body(), 1) }}', '23'],
    ['[{{ substring(body(), 10, 1) }}]', '[]'],
    ['[{{ substring(body(), 3) }}]', '[]'],
    ['[{{ substring(body(), -1, 1) }}]', '[]'],
    ['{{ substring(body(), 0, 10) }}', '123'],
    ['{{ substring(body(), 0, -1) }}', '123'],
    ['{{ substring(body(), 0, 0) }}', '123'],
    ['[{{ substring(body(), "a", 1) }}]', '[]'],
    ['[{{ substring(body(), 0, "a") }}]', '[]'],
    ['[{{ substring(body(), 1.5) }}]', '[]'],
  ];
  for (const [t, want] of cases) it(`${t} of "123" is ${want}`, () => assert.equal(render(t, '123'), want));

  it('counts UTF-8 bytes', () => {
    assert.equal(render('{{ substring("héllo", 1, 2) }}'), 'é');
    assert.equal(render('{{ substring("héllo", 3) }}'), 'llo');
  });

  it('needs a string and two or three arguments', () => {
    assert.equal(render('{{ substring(5, 1) }}'), 'error: [json.exception.type_error.303] incompatible ReferenceType for get_ref, actual type is number');
    assert.match(render('{{ substring("abc") }}'), /unknown function substring/);
    assert.match(render('{{ substring("abc", 1, 2, 3) }}'), /unknown function substring/);
  });
});

describe('Gloo functions: word_count', () => {
  it('counts words of a string', () => {
    assert.equal(render('{{ word_count(body()) }}', "why don't you accept me"), '5');
    assert.equal(render('{{ word_count(body()) }}', "  why  don't   you \t\t accept me   "), '5');
    assert.equal(render('{{ word_count("one") }} {{ word_count(" one") }} {{ word_count("one ") }}'), '1 1 1');
  });

  it('counts words, keys and scalars of JSON', () => {
    const body = '{"a": "Hal, what\'s the meaning of life?", "b": "I don\'t know John"}';
    assert.equal(render('{{ word_count(body()) }}', body), '12', 'the raw text');
    const env = new InjaEnvironment();
    assert.equal(env.compile('{{ word_count(context()) }}').render(new TestContext(body)), '12', 'keys and string values');
    assert.equal(render('{{ word_count([1, true, null, "a b", {"k": 2.5}]) }}'), '6');
  });

  it('keeps envoy-gloo\'s edge cases', () => {
    assert.equal(render('{{ word_count("   ") }}'), '1', 'all-space text counts one word');
    assert.equal(render('{{ word_count("") }}'), '0', 'envoy-gloo reads out of bounds here; 0');
  });
});

describe('Gloo functions: replace_with_random', () => {
  const counting = () => {
    let n = 0;
    return (len: number) => Uint8Array.from({ length: len }, () => n++ & 0xff);
  };

  it('replaces every occurrence with one 128-bit base64 token per pattern', () => {
    const out = render('{{ replace_with_random(body(), "replace-me") }}', 'test-replace-me and replace-me', { randomBytes: counting() });
    assert.equal(out, 'test-AAECAwQFBgcICQoLDA0ODw and AAECAwQFBgcICQoLDA0ODw');
  });

  it('keeps a token per pattern for the life of the transformation (envoy-gloo TransformerInstance)', () => {
    const env = new InjaEnvironment({ randomBytes: counting() });
    const a = env.compile('{{ replace_with_random("x-P-x", "P") }}');
    const b = env.compile('{{ replace_with_random("P", "P") }}|{{ replace_with_random("Q", "Q") }}');
    const first = a.render(new TestContext(undefined));
    assert.equal(first, 'x-AAECAwQFBgcICQoLDA0ODw-x');
    assert.equal(a.render(new TestContext(undefined)), first, 'the next request');
    assert.equal(b.render(new TestContext(undefined)), 'AAECAwQFBgcICQoLDA0ODw|EBESExQVFhcYGRobHB0eHw', 'another template of the same transformation');
    const other = new InjaEnvironment({ randomBytes: () => new Uint8Array(16).fill(255) });
    assert.equal(other.compile('{{ replace_with_random("P", "P") }}').render(new TestContext(undefined)), '/////////////////////w', 'another transformation');
  });

  it('random tokens are 22 characters (27 with "test-")', () => {
    const out = render('{{ replace_with_random(body(), "replace-me") }}', 'test-replace-me');
    assert.match(out, /^test-[A-Za-z0-9+/]{22}$/);
  });

  it('leaves text without the pattern, and an empty pattern, alone', () => {
    assert.equal(render('{{ replace_with_random("nothing-to-replace-here", "replace-me") }}'), 'nothing-to-replace-here');
    assert.equal(render('{{ replace_with_random("abc", "") }}'), 'abc');
  });
});

describe('Gloo functions: metadata', () => {
  const md: FilterMetadata = {
    'io.solo.transformation': {
      fields: {
        key: { stringValue: 'val' },
        num: { numberValue: 123 },
        half: { numberValue: 0.5 },
        flag: { boolValue: true },
        list: { listValue: { values: [{ numberValue: 1 }, { numberValue: 2 }] } },
        mixed: { listValue: { values: [{ stringValue: 'a' }, { numberValue: 1234567 }, { boolValue: false }, { nullValue: 'NULL_VALUE' }] } },
        nested: { structValue: { fields: { b: { stringValue: 'deep' }, a: { listValue: { values: [{ stringValue: 'x"y' }] } } } } },
        nothing: { nullValue: 'NULL_VALUE' },
        'io.solo.hostname': { stringValue: 'foo.example.com' },
      },
    },
    custom: { fields: { key: { stringValue: 'custom-val' } } },
  };
  const withMd = { ctx: { clusterMetadata: () => md, dynamicMetadata: () => md, hostMetadata: () => md } };

  it('reads strings, numbers (as floats), booleans, lists and structs', () => {
    assert.equal(render('{{ cluster_metadata("key") }}', undefined, withMd), 'val');
    assert.equal(render('{{ cluster_metadata("num") }} {{ cluster_metadata("half") }}', undefined, withMd), '123.0 0.5');
    assert.equal(render('{{ cluster_metadata("flag") }}', undefined, withMd), 'true');
    assert.equal(render('{{ dynamic_metadata("list") }}', undefined, withMd), '[1,2]');
    assert.equal(render('{{ dynamic_metadata("nested") }}', undefined, withMd), '{"a":["x\\"y"],"b":"deep"}');
    assert.equal(render('{{ host_metadata("nested:b") }}', undefined, withMd), 'deep', 'a `:` path into structs');
  });

  it('takes a namespace as second argument', () => {
    assert.equal(render('{{ dynamic_metadata("key", "custom") }}', undefined, withMd), 'custom-val');
    assert.equal(render('[{{ dynamic_metadata("key", "nope") }}]', undefined, withMd), '[]');
  });

  it('renders "" for what is missing', () => {
    assert.equal(render('[{{ cluster_metadata("nope") }}|{{ cluster_metadata("nothing") }}|{{ cluster_metadata("key:deeper") }}]', undefined, withMd), '[||]');
    assert.equal(render('[{{ cluster_metadata("key") }}|{{ dynamic_metadata("key") }}|{{ host_metadata("key") }}]'), '[||]', 'no cluster, no metadata, no host');
    assert.equal(render('[{{ cluster_metadata(5) }}]', undefined, withMd), '[]', 'a non-string key');
  });

  it('uses the configured delimiter', () => {
    assert.equal(render('{{ cluster_metadata("nested.b") }}', undefined, { ...withMd, metadataDelimiter: '.' }), 'deep');
    assert.throws(() => new InjaEnvironment({ metadataDelimiter: '::' }), /single character/);
  });

  it('clusterMetadata(key), deprecated: one key, lists joined with commas', () => {
    assert.equal(render('{{ clusterMetadata("io.solo.hostname") }}', undefined, withMd), 'foo.example.com', 'dots are part of the key');
    assert.equal(render('{{ clusterMetadata("list") }}', undefined, withMd), '1,2');
    assert.equal(render('{{ clusterMetadata("mixed") }}', undefined, withMd), 'a,1.23457e+06,false,');
    assert.equal(render('[{{ clusterMetadata("nested") }}]', undefined, withMd), '[]');
    assert.equal(render('[{{ clusterMetadata("key") }}]'), '[]', 'no cluster');
  });

  it('needs arguments', () => {
    assert.match(render('{{ dynamic_metadata() }}'), /unknown function dynamic_metadata/);
    assert.equal(render('{{ dynamic_metadata("key", 5) }}', undefined, withMd), 'error: [json.exception.type_error.303] incompatible ReferenceType for get_ref, actual type is number');
  });
});

describe('Gloo spec §7.3: query parameters extracted from :path into headers', () => {
  // extractors foo/bar: {header: ':path', regex: '(.*foo=([^&]*).*)', subgroup: 2} (bar alike); the
  // transformation filter runs them (ECMAScript regex, whole-value match) and merges them into the
  // context without advanced templates; the headers foo and bar render `{{ foo }}` / `{{ bar }}`.
  const path = '/get?foo=foo-value&bar=bar-value';
  const extract = (regex: string, subgroup: number) => new RegExp(`^(?:${regex})$`).exec(path)?.[subgroup] ?? '';

  it('renders the extracted values', () => {
    let json: JsonValue = null;
    json = setExtraction(json, 'foo', extract('(.*foo=([^&]*).*)', 2));
    json = setExtraction(json, 'bar', extract('(.*bar=([^&]*).*)', 2));
    const env = new InjaEnvironment();
    const ctx: InjaContext = { json, header: () => undefined, extraction: () => undefined, body: () => '' };
    assert.equal(env.compile('{{ foo }}').render(ctx), 'foo-value');
    assert.equal(env.compile('{{ bar }}').render(ctx), 'bar-value');
  });

  it('extraction() gives them with advanced templates', () => {
    const env = new InjaEnvironment({ advancedTemplates: true });
    const values: Record<string, string> = { foo: 'foo-value' };
    const ctx: InjaContext = { json: null, header: () => undefined, extraction: (n) => values[n], body: () => '' };
    assert.equal(env.compile('{{ extraction("foo") }}').render(ctx), 'foo-value');
  });
});

describe('compiled templates', () => {
  it('plain text is a constant the filter need not render', () => {
    const env = new InjaEnvironment();
    assert.equal(env.compile('bar').constant, 'bar');
    assert.equal(env.compile('').constant, '');
    assert.equal(env.compile('a{# comment #}b').constant, 'ab');
    assert.equal(env.compile('{{ 1 }}').constant, null);
  });

  it('a template compiles once and renders for many requests', () => {
    const t = new InjaEnvironment().compile('{{ header(":method") }} {{ user }}');
    for (const [method, user] of [['GET', 'a'], ['POST', 'b'], ['PUT', 'c']]) {
      const ctx: InjaContext = { json: { user }, header: (n) => (n === ':method' ? method : undefined), extraction: () => undefined, body: () => '' };
      assert.equal(t.render(ctx), `${method} ${user}`);
    }
  });

  it('a syntax error names the line, the column, the token and the line text', () => {
    assert.throws(
      () => new InjaEnvironment().compile('first line\nsecond {{ uppr(x) }} line'),
      (err: unknown) => {
        assert.ok(err instanceof TemplateError);
        assert.equal(err.code, 'INJA_ERR_PARSE');
        assert.equal(err.message, '[inja.exception.parser_error] (at 2:17) unknown function uppr');
        assert.equal(err.reason, 'unknown function uppr');
        assert.deepEqual([err.line, err.column, err.near, err.lineText], [2, 17, ')', 'second {{ uppr(x) }} line']);
        return true;
      },
    );
  });

  it('a bad literal is a JSON error positioned at the literal', () => {
    assert.throws(
      () => new InjaEnvironment().compile('ok\n  {{ [1, x] }}'),
      (err: unknown) => {
        assert.ok(err instanceof TemplateError);
        assert.equal(err.code, 'INJA_ERR_JSON');
        assert.deepEqual([err.line, err.column, err.near], [2, 6, '[1, x]']);
        return true;
      },
    );
  });

  it('render errors carry a code', () => {
    const env = new InjaEnvironment();
    const ctx = new TestContext('{"a": "x"}');
    const codeOf = (t: string) => {
      try {
        env.compile(t).render(ctx);
      } catch (err) {
        return (err as InjaRenderError).code;
      }
      return 'none';
    };
    assert.equal(codeOf('{{ b }}'), 'INJA_ERR_RENDER');
    assert.equal(codeOf('{{ a + 1 }}'), 'INJA_ERR_JSON');
    assert.equal(codeOf('{{ int(a) }}'), 'INJA_ERR_STD');
    assert.equal(codeOf('{{ range(10000000) }}'), 'INJA_ERR_LIMIT');
    assert.equal(codeOf('{{ 5 % 0 }}'), 'INJA_ERR_RENDER', 'C++ would trap; we report division by zero');
  });

  it('bounds: absurd nesting is a config-time error, huge templates and deep values are handled', () => {
    const env = new InjaEnvironment();
    assert.throws(() => env.compile('{{ ' + '('.repeat(100_000) + '1' + ')'.repeat(100_000) + ' }}'), (err: unknown) => err instanceof TemplateError && err.code === 'INJA_ERR_LIMIT');
    const parts = Array.from({ length: 5000 }, (_, i) => (i % 2 ? `<${i}>` : '{{ a }}')).join('');
    const expected = Array.from({ length: 5000 }, (_, i) => (i % 2 ? `<${i}>` : '1')).join('');
    assert.equal(env.compile(parts).render(new TestContext('{"a": 1}')), expected);
    let deep: JsonValue = 1.5;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const ctx: InjaContext = { json: deep, header: () => undefined, extraction: () => undefined, body: () => '' };
    assert.throws(() => env.compile('{{ context() }}').render(ctx), (err: unknown) => err instanceof InjaRenderError && err.code === 'INJA_ERR_LIMIT');
  });

  it('a BOM is skipped, as Inja does (render positions still count its 3 bytes)', () => {
    const env = new InjaEnvironment();
    assert.equal(env.compile('\ufeff{{ a }}').render(new TestContext('{"a": 1}')), '1');
    assert.throws(() => env.compile('\ufeffx{{ b }}').render(new TestContext('{}')), /\(at 1:8\) variable 'b' not found/);
    assert.throws(() => env.compile('\ufeff{% foo %}'), /\(at 1:4\) expected statement, got 'foo'/);
  });
});
