// capture request|response header, declare capture (src/cfgparse-listen.c, proxy_parse_declare in src/proxy.c)
// and unique-id-format / unique-id-header: what a frontend records of each stream, with HAProxy's messages.
import type { ProxyLineContext } from './context.ts';
import type { SourceLoc } from './diagnostics.ts';
import type { TcpRequestRule } from './model.ts';
import { usableAt } from '../sample/places.ts';
import { compileLogFormat, UNIQUE_ID } from '../log/log-format.ts';
import { FormatError } from '../sample/format-string.ts';

// "capture cookie NAME len N" | "capture request header NAME len N" | "capture response header NAME len N"
export function parseCapture(c: ProxyLineContext): void {
  c.notCap('frontend', 'capture');
  const what = c.arg(1);
  if (what === 'cookie') {
    if (c.isDefaults) return c.alert(`'capture cookie' not allowed in 'defaults' section.`);
    if (c.tooManyArgs(4, 1)) return;
    if (c.arg(4) === '') return c.alert(`'capture' expects 'cookie' <cookie_name> 'len' <len>.`);
    // atol(): leading digits; the length is cut to the capture pool's size once the section is read
    c.proxy.captureCookie = { name: c.arg(2), len: Number.parseInt(c.arg(4), 10) || 0 };
    return;
  }
  const side = what === 'request' && c.arg(2) === 'header' ? 'req' : what === 'response' && c.arg(2) === 'header' ? 'res' : null;
  if (!side) return c.alert(`'capture' expects 'cookie' or 'request header' or 'response header'.`);
  if (c.isDefaults) return c.alert(`'capture ${what}' not allowed in 'defaults' section.`);
  if (c.tooManyArgs(4, 1)) return;
  if (c.arg(3) === '' || c.arg(4) !== 'len' || c.arg(5) === '') return c.alert(`'capture ${what}' expects 'header' <header_name> 'len' <len>.`);
  // atol(): leading digits; HAProxy accepts 0 (the slot then keeps an empty string)
  const len = Math.max(0, Number.parseInt(c.arg(5), 10) || 0);
  c.proxy.captures[side].push({ header: c.arg(3).toLowerCase(), len });
}

// "declare capture request|response len N": a slot for http-request/http-response capture ... id N
export function parseDeclare(c: ProxyLineContext): void {
  const fail = (msg: string): void => c.alert(msg);
  if (c.isDefaults) return fail(`'${c.arg(0)}' not available in default section`);
  if (!c.hasFrontend) return fail(`'${c.arg(0)}' only available in frontend or listen section`);
  const kind = c.arg(1);
  if (kind === '') return fail(`'${c.arg(0)}' needs a second keyword that specify the type of declaration ('capture')`);
  if (kind !== 'capture') return fail(`unknown declaration type '${kind}' (supports 'capture')`);
  const dir = c.arg(2);
  if (dir !== 'request' && dir !== 'response') return fail(`'declare capture' requires a direction ('request' or 'response')`);
  if (c.arg(3) !== 'len') return fail(`'declare capture' requires a capture length ('len')`);
  const text = c.arg(4);
  if (text === '') return fail(`'declare capture': 'len' requires a numeric value that represents the capture length`);
  // strtol() must read the whole word; HAProxy's message names args[3] ('len'), not the value
  if (!/^\s*[+-]?\d+$/.test(text)) return fail(`'declare capture': cannot parse the length 'len'.`);
  const len = Number.parseInt(text, 10);
  if (len <= 0) return fail(`length must be > 0`);
  c.proxy.captures[dir === 'request' ? 'req' : 'res'].push({ len });
}

// "unique-id-format FMT": the stream's id, made from log-format variables (LOG_OPT_HTTP: absent is empty)
export function parseUniqueIdFormat(c: ProxyLineContext): void {
  if (c.arg(1) === '') return c.alert(`unique-id-format expects an argument.`);
  if (c.count > 2) return c.alert(`unique-id-format expects only one argument, don't forget to escape spaces!`);
  let formatter;
  try {
    // its %[samples] are read at the request (SMP_VAL_FE/BE_HRQ_HDR)
    const checkAt = c.proxy.kind === 'backend' ? (['backend http-request'] as const) : (['http-request'] as const);
    formatter = compileLogFormat(c.arg(1), { ...c.sampleScope, checkAt }, UNIQUE_ID);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    c.alert(`failed to parse unique-id : ${err.message}.`, { form: 'Parsing-tight' });
    return;
  }
  c.proxy.uniqueIdFormat = { format: c.arg(1), formatter, loc: c.loc };
}

// "unique-id-header NAME": the request header that carries the id to the server
export function parseUniqueIdHeader(c: ProxyLineContext): void {
  if (c.arg(1) === '') return c.alert(`unique-id-header expects an argument.`);
  c.proxy.uniqueIdHeader = c.arg(1);
}

// global.tune.cookie_len's default (CAPTURE_LEN): a captured cookie keeps at most one byte less
const COOKIE_CAPTURE_POOL = 64;

/** The post-parse check of "capture cookie ... len N": a length the pool cannot hold is cut, with HAProxy's warning. */
export function captureCookieWarning(p: { name: string; kind: string; captureCookie?: { len: number } }, typeStr: string): string | null {
  const cc = p.captureCookie;
  if (!cc || cc.len < COOKIE_CAPTURE_POOL) return null;
  cc.len = COOKIE_CAPTURE_POOL - 1;
  return `truncating capture length to ${COOKIE_CAPTURE_POOL - 1} bytes for ${typeStr} '${p.name}'.`;
}

/** check_capture: a frontend's tcp-request content capture that reads the request's contents needs an inspect delay. */
export function tcpCaptureWarnings(p: { name: string; kind: string; tcpInspectDelay?: number; tcpRequestRules: readonly TcpRequestRule[] }, typeStr: string): { message: string; loc: SourceLoc }[] {
  if (p.kind === 'backend' || p.tcpInspectDelay) return [];
  return p.tcpRequestRules
    .filter((r) => r.stage === 'content' && r.action === 'capture' && !usableAt(r.expr.source, 'tcp-request session'))
    .map((r) => ({
      message: `${typeStr} '${p.name}' : a 'tcp-request capture' rule explicitly depending on request contents without any 'tcp-request inspect-delay' setting. This means that this rule will randomly find its contents. This can be fixed by setting the tcp-request inspect-delay.`,
      loc: r.loc,
    }));
}

/** check_http_req_capture / check_http_res_capture: each "capture ... id N" names a declared slot. */
export function captureIdAlerts(p: { name: string; kind: string; captures: { req: readonly unknown[]; res: readonly unknown[] }; captureIds: readonly { side: 'req' | 'res'; index: number }[] }): string[] {
  if (p.kind === 'backend') return [];
  return p.captureIds
    .filter((r) => r.index >= p.captures[r.side].length || r.index < 0)
    .map((r) => `Proxy '${p.name}': unable to find capture id '${r.index}' referenced by http-${r.side === 'req' ? 'request' : 'response'} capture rule.`);
}
