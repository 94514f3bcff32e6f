// The stats applet's answer framed as the exchange's response: marked as the applet's for the log, edited by the
// http-after-response rules (haproxy 2.6.12 runs them on the stats page too), chunked or with its length.
import type { StatsAnswer } from '../stats/handler.ts';
import type { AfterResponseHead } from './actions/run-rules.ts';
import { afterResponseSpecs, applyAfterResponseRules } from './exchange-rules.ts';
import type { Txn } from './exchange.ts';
import type { OwnAnswer } from './local-answers.ts';
import { htxSize, reasonPhrase } from './status-pages.ts';

export function statsAnswer(t: Txn, a: StatsAnswer): OwnAnswer {
  t.stats = { logStatus: a.logStatus ?? a.status };
  t.termination = 'LR--';
  const edited: AfterResponseHead = { status: a.status, reason: reasonPhrase(a.status), headers: [...a.headers] };
  applyAfterResponseRules(t, edited, { version: '1.1' });
  const { status, reason, headers } = edited;
  const lower = afterResponseSpecs(t) !== null; // a rule's "X-After" leaves in HTX's lower case
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${lower ? headers[i]!.toLowerCase() : headers[i]}: ${headers[i + 1]}\r\n`;
  if (a.chunked) head += 'transfer-encoding: chunked\r\n';
  if (t.closeClient) head += 'connection: close\r\n';
  const body = Buffer.from(a.body, 'latin1');
  const wire = a.chunked
    ? Buffer.concat([Buffer.from(`${head}\r\n${body.length.toString(16).toUpperCase()}\r\n`, 'latin1'), body, Buffer.from('\r\n0\r\n\r\n', 'latin1')])
    : Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), body]);
  return { status, wire, size: htxSize(status, reason, headers, body.length) };
}
