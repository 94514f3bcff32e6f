// The "explain last request" view as lines: each rule with the ACLs it evaluated (the value each saw, its result),
// the rule that decided, the balancer's state and why this server, and the servers it skipped.
import type { AclTrace } from '../../../proxy/index.ts';
import type { RequestTrace } from './traffic.ts';
import { wrapText, type Line } from './text.ts';

function where(loc: { readonly file: string; readonly line: number } | undefined): string {
  return loc ? `${loc.file}:${loc.line}` : '';
}

function aclLine(a: AclTrace): string {
  const saw = a.values.length === 0 ? 'found nothing' : `saw ${a.values.map((v) => JSON.stringify(v)).join(', ')}`;
  const result = a.negated ? `${a.matched} → !${a.name} is ${!a.matched}` : String(a.matched);
  const pattern = a.pattern !== undefined ? ` (matched ${JSON.stringify(a.pattern)})` : '';
  return `${a.negated ? '!' : ''}${a.name}: ${a.fetch} ${saw}${pattern} → ${result}`;
}

// Lines explaining one request, wrapped to width; serverIndex gives each server's glyph index.
export function explainLines(t: RequestTrace | undefined, width: number, serverIndex: (key: string) => number | undefined): Line[] {
  if (!t) return [{ text: 'No request yet: press space to send one, then x to see why it went where it went.', tone: 'dim' }];
  const out: Line[] = [];
  const push = (text: string, extra: Omit<Line, 'text'> = {}, indent = ''): void => {
    for (const w of wrapText(indent + text, width)) out.push({ text: w, ...extra });
  };
  const r = t.request;
  push(
    r ? `Request #${t.id}: ${r.method} ${r.uri} from ${r.src}:${r.srcPort} into frontend ${r.frontend}` : `Request #${t.id}`,
    { bold: true },
  );
  if (t.acl && t.acl.rules.length > 0) {
    for (const rule of t.acl.rules) {
      push(`${where(rule.loc)} ${rule.rule} → ${rule.matched ? 'applies' : 'does not apply'}`, { tone: rule.matched ? 'ok' : 'dim' }, '  ');
      for (const a of rule.acls) push(aclLine(a), { tone: a.matched !== a.negated ? 'ok' : 'dim' }, '      ');
      if (rule.acls.length === 0 && rule.rule.includes(' if ')) push('(no ACL evaluated: short-circuited)', { tone: 'dim' }, '      ');
    }
  } else if (t.acl) {
    push('No rule in this frontend tests the request.', { tone: 'dim' }, '  ');
  }
  if (t.route) {
    const rt = t.route;
    const target = rt.backend ? ` → backend ${rt.backend}` : '';
    push(`Decided by ${rt.decidedBy}${rt.rule ? ` (${rt.rule}${rt.loc ? ` at ${where(rt.loc)}` : ''})` : ''}${target}`, { tone: 'accent', bold: true }, '  ');
  }
  for (const b of t.balances) {
    push(`Balancer ${b.algorithm} in backend ${b.backend}: ${b.before.summary}`, {}, '  ');
    const states = b.before.servers.map((s) => `${s.name} w${s.weight}${s.usable ? '' : ' (unusable)'}${s.detail ? ` ${s.detail}` : ''}`);
    if (states.length > 0) push(`servers: ${states.join(', ')}`, { tone: 'dim' }, '    ');
    const idx = b.server ? serverIndex(`${b.backend}/${b.server}`) : undefined;
    push(b.server ? `→ ${b.server}: ${b.reason}` : `→ no server: ${b.reason}`, { tone: b.server ? 'ok' : 'bad', ...(idx !== undefined ? { server: idx } : {}) }, '    ');
    for (const s of b.skipped) push(`skipped ${s.server}: ${s.why}`, { tone: 'warn' }, '    ');
  }
  if (t.response) {
    const x = t.response;
    const tm = x.timings;
    const who = x.server && x.server !== '<NOSRV>' ? `${x.backend}/${x.server}` : 'no server (<NOSRV>)';
    push(`Answer ${x.status} from ${who} in ${tm.tt} ms (Tq ${tm.tq} Tw ${tm.tw} Tc ${tm.tc} Tr ${tm.tr}), termination ${x.termination}${x.retries ? `, ${x.retries} retries` : ''}`, { tone: x.status < 400 ? 'ok' : 'bad' }, '  ');
  } else {
    push('No answer yet.', { tone: 'dim' }, '  ');
  }
  return out;
}
