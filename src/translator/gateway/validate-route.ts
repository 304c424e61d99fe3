/**
 * Gateway-side route validation: every regex a route carries (path, header and query matchers,
 * regex rewrites) must compile as RE2, as Envoy would compile it. Results are cached by pattern
 * (the cache is bounded: patterns come from config, not from requests, but stay safe anyway).
 */
import RE2 from 're2';
import type { GatewayRoute } from '../../api/types/route.js';
import type { Matcher } from '../../api/types/matchers.js';

const MAX_CACHED = 10_000;
const compiled = new Map<string, string | null>();

/** null when `pattern` compiles as RE2, else Go-style error text (`error parsing regexp: …`). */
export function regexError(pattern: string): string | null {
  const hit = compiled.get(pattern);
  if (hit !== undefined) return hit;
  let err: string | null = null;
  try {
    new RE2(pattern);
  } catch (e) {
    err = `error parsing regexp: ${(e as Error).message.replace(/\\\//g, "/")}`;
  }
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(pattern, err);
  return err;
}

/** The regex patterns of one matcher. */
export function matcherRegexes(m: Matcher): string[] {
  const out: string[] = [];
  if (m.regex !== undefined) out.push(m.regex);
  for (const h of m.headers ?? []) if (h.regex && h.value) out.push(h.value);
  for (const q of m.queryParameters ?? []) if (q.regex && q.value) out.push(q.value);
  return out;
}

function rewritePattern(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const pattern = (v as { pattern?: unknown }).pattern;
  if (typeof pattern !== 'object' || pattern === null) return undefined;
  const regex = (pattern as { regex?: unknown }).regex;
  return typeof regex === 'string' ? regex : undefined;
}

/** Every regex pattern of a route: matchers, `regexRewrite`, `hostRewritePathRegex`, redirect regex rewrite. */
export function routeRegexes(route: GatewayRoute): string[] {
  const out = (route.matchers ?? []).flatMap(matcherRegexes);
  for (const v of [route.options?.regexRewrite, route.options?.hostRewritePathRegex, route.redirectAction?.regexRewrite]) {
    const p = rewritePattern(v);
    if (p !== undefined) out.push(p);
  }
  return out;
}

/**
 * The reasons `route` is invalid, in Gloo's words, for a route of `owner`: `virtual service [ns.name]
 * has a regex matcher with invalid regex, …` (a RouteTable's route says `route table [ns.name]`).
 */
export function validateRoute(route: GatewayRoute, owner: { kind: string; metadata: { name: string; namespace: string } }): string[] {
  const errors: string[] = [];
  const what = owner.kind === 'RouteTable' ? 'route table' : 'virtual service';
  const key = `${owner.metadata.namespace}.${owner.metadata.name}`;
  for (const pattern of routeRegexes(route)) {
    const err = regexError(pattern);
    if (err) errors.push(`${what} [${key}] has a regex matcher with invalid regex, ${err}`);
  }
  const hasAction =
    route.routeAction !== undefined ||
    route.redirectAction !== undefined ||
    route.directResponseAction !== undefined ||
    route.delegateAction !== undefined ||
    route.graphqlApiRef !== undefined;
  if (!hasAction) errors.push('invalid route: route must specify an action');
  return errors;
}
