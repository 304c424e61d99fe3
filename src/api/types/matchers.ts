/**
 * Request matchers (matchers.core.gloo.solo.io): the path, header, query and method criteria of a
 * route, also used by transformation matchers.
 */
import { obj, str, bool, arr, empty, type Infer } from '../schema.js';

/** `{name, value?, regex?, invertMatch?}`: no value ⇒ presence match; regex ⇒ full-match RE2. */
export const HeaderMatcher = obj({
  name: str().supported(),
  value: str().supported(),
  regex: bool().supported(),
  invertMatch: bool().supported(),
});
export type HeaderMatcher = Infer<typeof HeaderMatcher>;

export const QueryParameterMatcher = obj({
  name: str().supported(),
  value: str().supported(),
  regex: bool().supported(),
});
export type QueryParameterMatcher = Infer<typeof QueryParameterMatcher>;

/** One route matcher; all criteria are ANDed. Path oneof: prefix | exact | regex | connectMatcher. */
export const Matcher = obj(
  {
    prefix: str().supported(),
    exact: str().supported(),
    regex: str().supported(),
    connectMatcher: empty().notYet('the route is translated but CONNECT requests are not proxied'),
    caseSensitive: bool().supported(),
    headers: arr(HeaderMatcher).supported(),
    queryParameters: arr(QueryParameterMatcher).supported(),
    methods: arr(str()).supported(),
  },
  { oneofs: [['prefix', 'exact', 'regex', 'connectMatcher']] },
);
export type Matcher = Infer<typeof Matcher>;
