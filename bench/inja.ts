/**
 * Micro-benchmark of the template engine (`node dist/bench/inja.js [renders]`, default 100,000):
 * a transformation as Gloo users write them (without advanced templates) — headers from an extracted
 * value and request headers, a JSON body built from the parsed request body with a loop and a
 * conditional — rendered over a realistic context (the parsed body with the extraction merged in).
 * Prints ns per render for each template and for the whole transformation, the cost of parsing the
 * JSON body (with `JSON.parse` of the same text as a yardstick for the machine) and of compiling
 * (once, at config time). Not part of `npm run bench`: the transformation filter's benchmark measures
 * the request path end to end.
 */
import { performance } from 'node:perf_hooks';
import { InjaEnvironment, parseJson, setExtraction, type InjaContext, type JsonValue } from '../src/transform/inja/index.js';

const N = Number(process.argv[2] ?? 100_000);

const TEMPLATES: Record<string, string> = {
  'x-user-id (extracted)': '{{ user_id }}',
  'x-tenant (header + default)': '{{ default(tenant, header("x-tenant")) }}',
  ':path (extracted + header)': '/api/v2/users/{{ user_id }}/orders?region={{ lower(header("x-region")) }}',
  'x-status (spec §7.3 idiom)': '{% if default(data.error.message, "") != "" %}400{% else %}{{ header(":status") }}{% endif %}',
  body: [
    '{"user": "{{ user_id }}", "name": "{{ upper(customer.name) }}", "total": {{ order.total * 1.2 }},',
    ' "items": [{% for item in order.items %}{"sku": "{{ item.sku }}", "qty": {{ item.qty }}}{% if not loop.is_last %},{% endif %}{% endfor %}],',
    ' "priority": {% if order.total > 100 %}true{% else %}false{% endif %}, "trace": "{{ header("x-request-id") }}"}',
  ].join(''),
};

const BODY = JSON.stringify({
  customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
  order: {
    total: 129.5,
    items: [
      { sku: 'A-100', qty: 2 },
      { sku: 'B-200', qty: 1 },
      { sku: 'C-300', qty: 5 },
    ],
  },
  data: { error: {} },
});

const HEADERS: Record<string, string> = {
  ':path': '/users/12345/orders',
  ':method': 'POST',
  ':status': '200',
  'x-tenant': 'acme',
  'x-region': 'EU-West',
  'x-request-id': '6f1c2a9e-8d4b-4a43-9d7e-7b2f3c1e0a55',
};

class BenchContext implements InjaContext {
  constructor(readonly json: JsonValue) {}
  header(name: string) {
    return HEADERS[name];
  }
  extraction() {
    return undefined; // without advanced templates extractions are in the context
  }
  body() {
    return BODY;
  }
}

function measure(label: string, fn: () => void, n = N): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ns = ((performance.now() - t0) * 1e6) / n;
  console.log(`${label.padEnd(34)} ${ns.toFixed(0).padStart(7)} ns`);
  return ns;
}

const env = new InjaEnvironment();
const compiled = Object.entries(TEMPLATES).map(([name, text]) => [name, env.compile(text)] as const);
// the filter's work per request: parse the body, merge the extractor's value (from :path) into it
const ctx = new BenchContext(setExtraction(parseJson(BODY), 'user_id', '12345'));

console.log(`inja templates, ${N} renders each (ns per operation)`);
let sink = 0;
for (const [name, t] of compiled) measure(`render ${name}`, () => (sink += t.render(ctx).length));
measure('render all (one transformation)', () => {
  for (const [, t] of compiled) sink += t.render(ctx).length;
});
measure(`parse JSON body (${BODY.length} B)`, () => (sink += parseJson(BODY) === null ? 0 : 1));
measure('  + merge the extraction', () => (sink += setExtraction(parseJson(BODY), 'user_id', '12345') === null ? 0 : 1));
measure('  baseline: JSON.parse of it', () => (sink += JSON.parse(BODY) === null ? 0 : 1));
measure('compile all (config time)', () => {
  for (const text of Object.values(TEMPLATES)) sink += env.compile(text).source.length;
}, Math.max(1, Math.floor(N / 20)));
if (sink === 42) console.log('');
