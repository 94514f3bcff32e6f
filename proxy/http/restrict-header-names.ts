// option http-restrict-req-hdr-names delete|reject (http_req_restrict_header_names): after a proxy's http-request
// rules, a request header whose name has a character other than [0-9A-Za-z-] is removed, or the request is
// refused with a 403 as a deny rule refuses it.
import type { ProxySpec } from '../config/model.ts';
import type { FinalRule } from './actions/final-actions.ts';

const ALLOWED = /^[0-9A-Za-z-]*$/;

// Applies the proxy's option to the header list in place; returns the deny to answer with when it rejects.
export function restrictHeaderNames(spec: ProxySpec, headers: string[]): FinalRule | null {
  const opt = spec.options.restrictReqHdrNames;
  if (!opt) return null;
  for (let i = 0; i < headers.length; i += 2) {
    if (ALLOWED.test(headers[i]!)) continue;
    if (opt.how === 'reject') return { action: 'deny', reply: { kind: 'errmsg', status: 403 }, loc: opt.loc, text: opt.text };
    headers.splice(i, 2);
    i -= 2;
  }
  return null;
}
