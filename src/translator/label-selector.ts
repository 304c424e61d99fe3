/**
 * Label selection as Kubernetes does it (k8s.io/apimachinery `labels`), which Gloo uses for
 * RouteTable selectors (`delegateAction.selector`) and Gateway `virtualServiceExpressions`:
 * equality selection from a label map, and set-based requirements `{key, operator, values[]}`.
 *
 * Example:
 *   matchesExpressions({tier: 'gold'}, [{key: 'tier', operator: 'In', values: ['gold', 'silver']}])  // true
 *   matchesExpressions({}, [{key: 'tier', operator: 'Equals', values: []}])
 *   // Error: values: Invalid value: []string(nil): exact-match compatibility requires one single value
 */

/** Operators in protobuf enum order (`Equals` is the zero value, so an omitted operator means Equals). */
export type LabelOperator =
  | 'Equals'
  | 'DoubleEquals'
  | 'NotEquals'
  | 'In'
  | 'NotIn'
  | 'Exists'
  | 'DoesNotExist'
  | 'GreaterThan'
  | 'LessThan';

/** One requirement, as RouteTableSelector.Expression and the Gateway's selector expressions spell it. */
export interface LabelExpression {
  key?: string | undefined;
  operator?: LabelOperator | undefined;
  values?: string[] | undefined;
}

export type Labels = Readonly<Record<string, string>>;

/** Equality selection (`labels.SelectorFromSet`): every selector label present with the same value. */
export function matchesLabels(labels: Labels | undefined, selector: Labels): boolean {
  const have = labels ?? {};
  return Object.entries(selector).every(([k, v]) => Object.hasOwn(have, k) && have[k] === v);
}

// ---- validation, in Kubernetes' words (labels.NewRequirement) -------------------------------------

const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const QUALIFIED_NAME_FMT =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_FMT =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const DNS1123_FMT =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Go's `%q` of a string (close enough: JSON string syntax). */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%#v` of a `[]string`. */
function goStringSlice(values: readonly string[]): string {
  return values.length === 0 ? '[]string(nil)' : `[]string{${values.map(quote).join(', ')}}`;
}

/** `validation.IsQualifiedName`: `[prefix/]name`, name ≤ 63 chars, prefix a DNS-1123 subdomain. */
function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > DNS1123_SUBDOMAIN_MAX) errs.push(`prefix part must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
      if (!dns1123Subdomain.test(prefix)) errs.push(`prefix part ${DNS1123_FMT}`);
    }
  } else {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX) errs.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
  if (name.length > 0 && !qualifiedNamePart.test(name)) errs.push(QUALIFIED_NAME_FMT);
  return errs;
}

function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errs.push(`must be no more than ${LABEL_VALUE_MAX} characters`);
  if (!labelValue.test(value)) errs.push(LABEL_VALUE_FMT);
  return errs;
}

/** `strconv.ParseInt(s, 10, 64)`: an optional sign and decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

const OPERATORS: readonly LabelOperator[] = [
  'Equals',
  'DoubleEquals',
  'NotEquals',
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
  'GreaterThan',
  'LessThan',
];

/**
 * The problems of one requirement, as Kubernetes words them (`field.Invalid` texts), or an empty
 * list when it is valid.
 */
export function expressionErrors(e: LabelExpression): string[] {
  const key = e.key ?? '';
  const op = e.operator ?? 'Equals';
  const values = e.values ?? [];
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length > 0) errs.push(`key: Invalid value: ${quote(key)}: ${keyErrs.join('; ')}`);
  const invalidValues = (detail: string) => `values: Invalid value: ${goStringSlice(values)}: ${detail}`;
  switch (op) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(invalidValues("for 'in', 'notin' operators, values set can't be empty"));
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (values.length !== 1) errs.push(invalidValues('exact-match compatibility requires one single value'));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) errs.push(invalidValues('values set must be empty for exists and does not exist'));
      break;
    case 'GreaterThan':
    case 'LessThan':
      if (values.length !== 1) errs.push(invalidValues("for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errs.push(`values[${i}]: Invalid value: ${quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
    default:
      errs.push(`operator: Unsupported value: ${quote(String(op))}: supported values: ${OPERATORS.map(quote).join(', ')}`);
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length > 0) errs.push(`values[${i}]: Invalid value: ${quote(v)}: ${valueErrs.join('; ')}`);
  });
  return errs;
}

/** Kubernetes' `Requirement.Matches`, on a requirement already validated. */
function matchesExpression(labels: Labels, e: LabelExpression): boolean {
  const key = e.key ?? '';
  const values = e.values ?? [];
  const has = Object.hasOwn(labels, key);
  const value = labels[key];
  switch (e.operator ?? 'Equals') {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return has && values.includes(value!);
    case 'NotIn':
    case 'NotEquals':
      return !has || !values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'GreaterThan':
    case 'LessThan': {
      if (!has || values.length !== 1) return false;
      const actual = parseInt64(value!);
      const bound = parseInt64(values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return e.operator === 'GreaterThan' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/**
 * Whether `labels` satisfy every requirement (logical AND; no requirements ⇒ true), or an Error
 * naming the first invalid requirement's problems in Kubernetes' words (several problems of one
 * requirement are joined as Kubernetes aggregates them: `[a, b]`). Callers wrap the message in
 * their own reason, e.g. "…: the route table selector expression is invalid".
 */
export function matchesExpressions(labels: Labels | undefined, expressions: readonly LabelExpression[]): boolean | Error {
  for (const e of expressions) {
    const errs = [...new Set(expressionErrors(e))];
    if (errs.length === 1) return new Error(errs[0]);
    if (errs.length > 1) return new Error(`[${errs.join(', ')}]`);
  }
  const have = labels ?? {};
  return expressions.every((e) => matchesExpression(have, e));
}
