// http-request capture EXPR len N | id N, http-response (and http-after-response) capture EXPR id N, and
// tcp-request content capture EXPR len N
// (parse_http_req_capture / parse_http_res_capture in src/http_act.c): the sample, as a string, goes into one of
// the frontend's capture slots. "len" declares a new request slot; "id" names one declared elsewhere.
import type { ProxyLineContext } from '../../config/context.ts';
import type { CaptureRule } from '../../config/model.ts';
import { usableAt } from '../../sample/places.ts';
import { compileSampleExpr } from '../../sample/sample-expr.ts';
import type { SampleContext } from '../../sample/context.ts';
import type { Parsed } from './common.ts';
import { sourceName } from './var-actions.ts';

const isCond = (w: string): boolean => w === 'if' || w === 'unless';

/** Parses the words from `at` (the expression) for "http-request capture" (`side` req) or the response rules (res). */
export function parseCaptureAction(c: ProxyLineContext, at: number, side: 'req' | 'res'): Parsed<CaptureRule> {
  let i = at;
  while (i < at + 3 && c.arg(i) !== '' && !isCond(c.arg(i))) i++;
  if (i < at + 3) return { error: side === 'req' ? "expects <expression> [ 'len' <length> | id <idx> ]" : 'expects <expression> id <idx>' };
  const text = c.arg(at);
  const expr = compileSampleExpr(text, c.sampleScope);
  if ('error' in expr) return expr;
  if (expr.end !== text.length) return { error: `missing comma after fetch keyword '${expr.fetch}'` };
  if (!usableAt(expr.source, side === 'req' ? 'http-request' : 'http-response')) {
    return { error: `fetch method '${text}' extracts information from '${sourceName(expr.source)}', none of which is available here` };
  }
  const kw = c.arg(at + 1);
  if (kw === '') return { error: side === 'req' ? "expects 'len or 'id'" : "expects 'id'" };
  if (kw === 'len' && side === 'req') {
    if (!c.hasFrontend) return { error: `proxy '${c.proxy.name}' has no frontend capability` };
    // atoi(): leading digits, anything else is 0
    const len = Number.parseInt(c.arg(at + 2), 10) || 0;
    if (len <= 0) return { error: 'length must be > 0' };
    const slots = c.proxy.captures.req;
    slots.push({ len });
    return { rule: { action: 'capture', expr, index: slots.length - 1 }, next: at + 3 };
  }
  if (kw !== 'id') return { error: side === 'req' ? `expects 'len' or 'id', found '${kw}'` : `expects 'id', found '${kw}'` };
  const idText = c.arg(at + 2);
  // strtol() with a check that it read everything: "" reads as 0
  if (!/^\s*[+-]?\d*$/.test(idText)) return { error: `cannot parse id '${idText}'` };
  const index = Number.parseInt(idText, 10) || 0;
  // checked once the section is read (check_http_req_capture): slots may be declared after the rule
  if (c.hasFrontend) c.proxy.captureIds.push({ side, index, loc: c.loc });
  return { rule: { action: 'capture', expr, index }, next: at + 3 };
}

// "tcp-request content capture EXPR len N" (tcp_parse_request_rule): a request capture slot of its own, in a
// frontend's content rules only.
export function parseTcpCaptureAction(c: ProxyLineContext, stage: string): Parsed<CaptureRule> {
  const kw = `'tcp-request ${stage} capture'`;
  if (!c.hasFrontend) return { error: `${kw} : proxy '${c.proxy.name}' has no frontend capability` };
  if (stage !== 'content') return { error: `'capture ${c.arg(3)}' is not allowed in 'tcp-request ${stage}' rules in ${c.proxyType} '${c.proxy.name}'` };
  const text = c.arg(3);
  const expr = compileSampleExpr(text, c.sampleScope);
  if ('error' in expr) return { error: `${kw} : ${expr.error}` };
  if (expr.end !== text.length) return { error: `${kw} : missing comma after fetch keyword '${expr.fetch}'` };
  if (!usableAt(expr.source, 'tcp-request content')) {
    return { error: `${kw} : fetch method '${text}' extracts information from '${sourceName(expr.source)}', none of which is available here` };
  }
  let next = 4;
  let len = 0;
  if (c.arg(4) === 'len') {
    // atoi(): leading digits, anything else is 0
    len = Number.parseInt(c.arg(5), 10) || 0;
    if (len <= 0) return { error: `${kw} : length must be > 0` };
    next = 6;
  }
  if (len === 0) return { error: `${kw} : a positive 'len' argument is mandatory` };
  const slots = c.proxy.captures.req;
  slots.push({ len });
  return { rule: { action: 'capture', expr, index: slots.length - 1 }, next };
}

/** Runs a capture rule into the stream's slots; no sample, or no such slot, stores nothing. */
export function applyCaptureRule(rule: CaptureRule, ctx: SampleContext, side: 'req' | 'res'): void {
  const caps = ctx.captures;
  if (!caps) return;
  const v = rule.expr.evaluate(ctx);
  if (v !== undefined) caps.store(side, rule.index, v);
}
