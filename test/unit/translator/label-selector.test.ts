/**
 * Kubernetes label selection (src/translator/label-selector.ts): equality selection, every
 * requirement operator, and validation errors in Kubernetes' words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesExpressions, matchesLabels, type LabelExpression } from '../../../src/translator/label-selector.js';

const gold = { tier: 'gold', size: '5' };
const silver = { tier: 'silver', size: '10' };
const bare = {};

function matches(labels: Record<string, string>, e: LabelExpression): boolean {
  const m = matchesExpressions(labels, [e]);
  assert.equal(typeof m, 'boolean', `expected a boolean, got ${String(m)}`);
  return m as boolean;
}

test('equality selection needs every selector label with the same value', () => {
  assert.equal(matchesLabels(gold, { tier: 'gold' }), true);
  assert.equal(matchesLabels(gold, { tier: 'gold', size: '5' }), true);
  assert.equal(matchesLabels(gold, { tier: 'silver' }), false);
  assert.equal(matchesLabels(gold, { team: 'a' }), false);
  assert.equal(matchesLabels(undefined, {}), true);
  assert.equal(matchesLabels({ empty: '' }, { empty: '' }), true);
  assert.equal(matchesLabels({}, { empty: '' }), false);
});

test('Equals, DoubleEquals and an omitted operator need the label with that value', () => {
  for (const operator of ['Equals', 'DoubleEquals', undefined] as const) {
    assert.equal(matches(gold, { key: 'tier', operator, values: ['gold'] }), true);
    assert.equal(matches(silver, { key: 'tier', operator, values: ['gold'] }), false);
    assert.equal(matches(bare, { key: 'tier', operator, values: ['gold'] }), false);
  }
});

test('NotEquals and NotIn also match tables without the label', () => {
  assert.equal(matches(gold, { key: 'tier', operator: 'NotEquals', values: ['gold'] }), false);
  assert.equal(matches(silver, { key: 'tier', operator: 'NotEquals', values: ['gold'] }), true);
  assert.equal(matches(bare, { key: 'tier', operator: 'NotEquals', values: ['gold'] }), true);
  assert.equal(matches(gold, { key: 'tier', operator: 'NotIn', values: ['gold', 'silver'] }), false);
  assert.equal(matches(bare, { key: 'tier', operator: 'NotIn', values: ['gold', 'silver'] }), true);
  assert.equal(matches({ tier: 'bronze' }, { key: 'tier', operator: 'NotIn', values: ['gold', 'silver'] }), true);
});

test('In needs one of the values', () => {
  assert.equal(matches(gold, { key: 'tier', operator: 'In', values: ['gold', 'silver'] }), true);
  assert.equal(matches(silver, { key: 'tier', operator: 'In', values: ['gold', 'silver'] }), true);
  assert.equal(matches(bare, { key: 'tier', operator: 'In', values: ['gold'] }), false);
});

test('Exists and DoesNotExist look at the key only', () => {
  assert.equal(matches(gold, { key: 'size', operator: 'Exists' }), true);
  assert.equal(matches(bare, { key: 'size', operator: 'Exists' }), false);
  assert.equal(matches({ size: '' }, { key: 'size', operator: 'Exists' }), true);
  assert.equal(matches(gold, { key: 'size', operator: 'DoesNotExist' }), false);
  assert.equal(matches(bare, { key: 'size', operator: 'DoesNotExist' }), true);
});

test('GreaterThan and LessThan compare integers strictly; non-integer labels never match', () => {
  assert.equal(matches(silver, { key: 'size', operator: 'GreaterThan', values: ['6'] }), true);
  assert.equal(matches(gold, { key: 'size', operator: 'GreaterThan', values: ['6'] }), false);
  assert.equal(matches(gold, { key: 'size', operator: 'GreaterThan', values: ['5'] }), false);
  assert.equal(matches(gold, { key: 'size', operator: 'LessThan', values: ['6'] }), true);
  assert.equal(matches({ size: '3' }, { key: 'size', operator: 'LessThan', values: ['4'] }), true);
  // As in Kubernetes, a negative bound is not a valid label value.
  assert.ok(matchesExpressions(gold, [{ key: 'size', operator: 'LessThan', values: ['-2'] }]) instanceof Error);
  assert.equal(matches({ size: 'big' }, { key: 'size', operator: 'GreaterThan', values: ['1'] }), false);
  assert.equal(matches(bare, { key: 'size', operator: 'LessThan', values: ['1'] }), false);
  // int64, compared exactly (beyond Number's precision)
  assert.equal(matches({ size: '9007199254740993' }, { key: 'size', operator: 'GreaterThan', values: ['9007199254740992'] }), true);
});

test('requirements are ANDed; none matches everything', () => {
  const both: LabelExpression[] = [
    { key: 'tier', operator: 'In', values: ['gold', 'silver'] },
    { key: 'size', operator: 'GreaterThan', values: ['7'] },
  ];
  assert.equal(matchesExpressions(silver, both), true);
  assert.equal(matchesExpressions(gold, both), false);
  assert.equal(matchesExpressions(bare, []), true);
  assert.equal(matchesExpressions(undefined, [{ key: 'x', operator: 'DoesNotExist' }]), true);
});

function errorOf(e: LabelExpression): string {
  const m = matchesExpressions(gold, [e]);
  assert.ok(m instanceof Error, 'expected an Error');
  return m.message;
}

test('invalid requirements are Errors in Kubernetes words', () => {
  assert.equal(
    errorOf({ key: 'tier', operator: 'In' }),
    "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
  );
  assert.equal(
    errorOf({ key: 'tier', operator: 'Equals', values: ['a', 'b'] }),
    'values: Invalid value: []string{"a", "b"}: exact-match compatibility requires one single value',
  );
  assert.equal(
    errorOf({ key: 'tier', operator: 'Exists', values: ['a'] }),
    'values: Invalid value: []string{"a"}: values set must be empty for exists and does not exist',
  );
  assert.equal(
    errorOf({ key: 'size', operator: 'LessThan', values: ['1.5'] }),
    `values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`,
  );
  assert.match(errorOf({ key: 'bad key', operator: 'Exists' }), /^key: Invalid value: "bad key": name part must consist of alphanumeric characters/);
  assert.match(errorOf({ key: 'Example.com/team', operator: 'Exists' }), /^key: Invalid value: "Example.com\/team": prefix part a lowercase RFC 1123 subdomain/);
  assert.equal(errorOf({ key: '', operator: 'Exists' }), 'key: Invalid value: "": name part must be non-empty');
  assert.match(errorOf({ key: 'tier', operator: 'In', values: ['no spaces'] }), /^values\[0\]: Invalid value: "no spaces": a valid label must be an empty string/);
  // Several problems of one requirement are aggregated.
  assert.match(errorOf({ key: 'size', operator: 'GreaterThan', values: ['a', 'b'] }), /^\[values: Invalid value: \[\]string\{"a", "b"\}: for 'Gt', 'Lt' operators, exactly one value is required, values\[0\]/);
});

test('a later invalid requirement is reported even when an earlier one already fails to match', () => {
  const m = matchesExpressions(bare, [
    { key: 'tier', operator: 'Exists' },
    { key: 'tier', operator: 'In' },
  ]);
  assert.ok(m instanceof Error);
});

test('qualified keys with a DNS prefix are valid', () => {
  assert.equal(matches({ 'example.com/team': 'a' }, { key: 'example.com/team', operator: 'Equals', values: ['a'] }), true);
});
