// Format strings read while a stream runs (header values, request-line rewrites, http-reply bodies, set-var-fmt,
// redirect, dynamic use_backend names, tcp-check payloads): the variables the engine fills from the sample
// context there. The others HAProxy accepts too; the compiler notes them (see FormatPlace.vars).
import { compileFormat, tryCompileFormat, type FormatPlace, type FormatScope, type FormatVar, type Formatter } from './format-string.ts';
import { beforeQuery, frontendXprtVar, HOSTNAME, ipVar, numVar, portVar, requestVar, textVar } from './format-vars.ts';
import type { SampleContext } from './context.ts';

const text = textVar<SampleContext>;
const request = requestVar<SampleContext>;

// %r: the request line as HAProxy rebuilds it for the log (method, target, version)
const requestLine = (ctx: SampleContext) => (ctx.req ? `${ctx.req.method} ${ctx.req.uri} HTTP/${ctx.req.version}` : '');

const VARS: Readonly<Record<string, FormatVar<SampleContext>>> = {
  ci: ipVar((ctx) => ctx.src),
  cp: portVar((ctx) => ctx.srcPort),
  fi: ipVar((ctx) => ctx.dst),
  fp: portVar((ctx) => ctx.dstPort),
  f: text((ctx) => ctx.frontend?.name),
  ft: frontendXprtVar((ctx) => ({ name: ctx.frontend?.name ?? '', tls: ctx.tls !== undefined })),
  // the backend is the frontend itself until the switching rules chose one
  b: text((ctx) => ctx.backend?.name ?? ctx.frontend?.name),
  s: text((ctx) => ctx.server?.name ?? '<NOSRV>'),
  H: text(() => HOSTNAME),
  pid: numVar(() => process.pid, 4),
  // the id exists once something asked for it (unique-id-header after the frontend's rules, %[unique-id])
  ID: text((ctx) => ctx.captures?.uniqueId),
  HM: request((ctx) => ctx.req?.method ?? ''),
  HU: request((ctx) => ctx.req?.uri ?? ''),
  HP: request((ctx) => beforeQuery(ctx.req?.uri ?? '')),
  HQ: request((ctx) => (ctx.req?.query != null ? `?${ctx.req.query}` : '')),
  HV: request((ctx) => (ctx.req ? `HTTP/${ctx.req.version}` : '')),
  r: request(requestLine),
};

const sampleContext = (ctx: SampleContext) => ctx;

/** HTTP rules' formats (LOG_OPT_HTTP): header values, request-line rewrites, http-reply, redirect. */
export const HTTP_RULE_FORMAT: FormatPlace<SampleContext> = { name: 'HTTP rules', vars: VARS, sampleContext, mandatory: false, mergeSpaces: false, http: true };

/** Formats HAProxy parses without options: set-var-fmt, dynamic use_backend/use-server names, tcp-check payloads. */
export const PLAIN_FORMAT: FormatPlace<SampleContext> = { name: 'set-var-fmt, use_backend and tcp-check', vars: VARS, sampleContext, mandatory: false, mergeSpaces: false, http: false };

/** A rule's format string, compiled once with the rule; throws a FormatError when it does not parse. */
export function compileRuleFormat(fmt: string, scope: FormatScope, place: FormatPlace<SampleContext> = HTTP_RULE_FORMAT): Formatter<SampleContext> {
  return compileFormat(fmt, place, scope);
}

/** A rule's format string compiled, or HAProxy's message when it does not parse. */
export function tryRuleFormat(fmt: string, scope: FormatScope, place: FormatPlace<SampleContext> = HTTP_RULE_FORMAT): { format: Formatter<SampleContext> } | { error: string } {
  const f = tryCompileFormat(fmt, place, scope);
  return typeof f === 'function' ? { format: f } : f;
}
