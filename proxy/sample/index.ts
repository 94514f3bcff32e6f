// Public surface of the sample layer: what fetches read, where they work, format strings, the tcp buffer's
// request view. ACLs (proxy/acl/), rules, log lines and balancers all build on it.
export { usableAt, CHECK_PLACES, type CheckPlace } from './places.ts';
export { bufferedRequest, withBufferedRequest } from './buffered-http.ts';
export { fetchNames } from './fetches/index.ts';
export { checkFormatString, compileFormat, compileRuleFormat, type FormatPlace, type Formatter } from './format-string.ts';
export { compileSampleExpr, type SampleExpr } from './sample-expr.ts';
export type { NamedId, ProxyStateView, SampleContext } from './context.ts';
