// The response pane as lines: status line and who answered, the headers that matter first, the body cut to the
// pane; with haproxy beside the engine, its answer below and every difference marked.
import type { PlayAnswer } from '../../play/answer.ts';
import { orderedHeaders } from '../../play/answer.ts';
import type { Difference } from '../../play/compare.ts';
import { truncate, type Line } from './text.ts';

export interface ResponseView {
  readonly line: string;
  readonly sent: number;
  readonly engine: PlayAnswer;
  readonly haproxy?: PlayAnswer;
  readonly differences: readonly Difference[];
  readonly differing: number;
}

function whoText(a: PlayAnswer): string {
  if (a.status === 0) return 'no answer';
  const how = a.serverFrom === 'stand-in' ? 'its stand-in' : a.serverFrom === 'body' ? 'by its body' : 'the proxy says';
  return a.server === '<NOSRV>' ? '<NOSRV>: no server answered, the proxy did' : `${a.server} answered (${how})`;
}

function answerLines(side: string, a: PlayAnswer, diffs: readonly Difference[], width: number, bodyRows: number): Line[] {
  const out: Line[] = [];
  const differs = (field: string): boolean => diffs.some((d) => d.field === field);
  if (a.status === 0) {
    out.push({ text: truncate(`${side}no answer: ${a.error ?? 'connection failed'}`, width), tone: 'bad', bold: true });
    return out;
  }
  out.push({ text: truncate(`${side}HTTP/1.1 ${a.status} ${a.statusText} · ${whoText(a)} · ${a.ms} ms`, width), bold: true, ...(differs('status') || differs('server') ? { tone: 'bad' as const } : a.status >= 400 ? { tone: 'warn' as const } : {}) });
  for (const [n, v] of orderedHeaders(a.headers)) {
    out.push({ text: truncate(`  ${n}: ${v}`, width), ...(differs(`header ${n.toLowerCase()}`) ? { tone: 'bad' as const } : { tone: 'dim' as const }) });
  }
  // eslint-disable-next-line no-control-regex
  const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(a.body);
  const body = binary ? [`(${Buffer.byteLength(a.body)} bytes, not text)`] : a.body.replace(/\n$/, '').split('\n');
  const shown = body.slice(0, Math.max(1, bodyRows));
  for (const l of shown) out.push({ text: truncate(`  ${l}`, width), ...(differs('body') ? { tone: 'bad' as const } : {}) });
  if (body.length > shown.length) out.push({ text: `  … ${body.length - shown.length} more line(s)`, tone: 'dim' });
  return out;
}

// Lines for the pane, `height` rows high at most where the body is concerned.
export function responseLines(v: ResponseView | null, width: number, height: number, defaultRequest: string): Line[] {
  if (!v) {
    return [
      { text: 'No request yet. Press : and type one as curl, e.g.', tone: 'dim' },
      { text: `  ${defaultRequest}`, tone: 'accent' },
      { text: '  curl -H "X-Env: dev" -A "Mobile" http://localhost/api/users?id=7 -n 6', tone: 'accent' },
      { text: 'or press space to send the first. The answer shows here; x explains it.', tone: 'dim' },
    ];
  }
  const out: Line[] = [{ text: truncate(`$ ${v.line}${v.sent > 1 ? `   (last of ${v.sent})` : ''}`, width), tone: 'accent' }];
  if (v.haproxy) {
    out.push(v.differences.length === 0
      ? { text: truncate(`engine and haproxy agree${v.sent > 1 ? ` on all ${v.sent}` : ''}: status, server, body, headers, log fields`, width), tone: 'ok' }
      : { text: truncate(`engine and haproxy DIFFER (${v.differing} of ${v.sent}):`, width), tone: 'bad', bold: true });
    for (const d of v.differences) out.push({ text: truncate(`  ✗ ${d.field}: engine ${JSON.stringify(d.engine.slice(0, 60))} | haproxy ${JSON.stringify(d.haproxy.slice(0, 60))}`, width), tone: 'bad' });
    const half = Math.max(1, Math.floor((height - out.length) / 2) - 4);
    out.push(...answerLines('engine:  ', v.engine, v.differences, width, half));
    out.push(...answerLines('haproxy: ', v.haproxy, v.differences, width, half));
    return out;
  }
  // one answer: the whole body (up to 200 lines); the pane cuts it at its height and pgdn shows the rest
  void height;
  out.push(...answerLines('', v.engine, [], width, 200));
  return out;
}
