// Public surface of the sample layer: what fetches read, where they work, format strings, the tcp buffer's
// request view. ACLs (proxy/acl/), rules, log lines and balancers all build on it.
export { usableAt, CHECK_PLACES, type CheckPlace } from './places.ts';
export { bufferedRequest, withBufferedRequest } from './buffered-http.ts';
export { fetchNames } from './fetches/index.ts';
export { compileFormat, FormatError, tryCompileFormat, type FormatPlace, type FormatScope, type Formatter } from './format-string.ts';
export { compileRuleFormat, HTTP_RULE_FORMAT, PLAIN_FORMAT, tryRuleFormat } from './rule-format.ts';
export type { SampleScope } from './scope.ts';
export { compileSampleExpr, type SampleExpr } from './sample-expr.ts';
export type { NamedId, ProxyStateView, SampleContext } from './context.ts';
