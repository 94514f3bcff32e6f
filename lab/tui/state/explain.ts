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

type BalanceEvent = RequestTrace['balances'][number];

// The balancer's choice in plain words first, for a learner; the numbers follow in the view.
export function plainWhy(b: BalanceEvent): string {
  const servers = b.before.servers;
  const usable = servers.filter((s) => s.usable);
  if (!b.server) {
    if (b.reason === 'all-full') return 'No server was chosen: every usable server was at its maxconn, so the request had to wait or be refused.';
    return usable.length === 0
      ? 'No server was chosen: none is usable (all are DOWN, stopped or in maintenance), so the proxy answers 503 itself.'
      : `No server was chosen: ${b.reason}.`;
  }
  const me = servers.find((s) => s.name === b.server);
  const weights = usable.map((s) => `${s.name} ${s.weight}`).join(', ');
  const turns = usable.reduce((a, s) => a + s.weight, 0);
  switch (b.algorithm) {
    case 'roundrobin':
    case 'static-rr':
      return usable.length <= 1
        ? `round robin: ${b.server} is the only usable server, so it gets every request.`
        : `round robin: each round of ${turns} turns is shared by weight (${weights}); ${b.server}’s turn came up next in this round${me ? `, its ${me.weight} of ${turns}` : ''}.`;
    case 'leastconn':
      return `least connections: ${b.server} had the fewest connections in progress${usable.length > 1 ? ' (ties go round robin, by weight)' : ''}.`;
    case 'first':
      return `first: ${b.server} is the first server (by id) that still has room below its maxconn.`;
    case 'random':
      return `random: ${b.server} was drawn, with chances in proportion to the weights (${weights}).`;
    case 'source':
      return `source: the client address is hashed, so this client keeps landing on ${b.server} while the servers stay the same.`;
    case 'uri':
      return `uri: the path is hashed, so this URI keeps landing on ${b.server} while the servers stay the same.`;
    default:
      return `${b.algorithm}: the request’s ${b.algorithm.replace(/^(hdr|url_param|rdp-cookie)\b.*$/, '$1 value')} is hashed, so requests with the same value keep landing on ${b.server}.`;
  }
}

// ACL names a rule's condition mentions that were not evaluated: the condition was decided before them.
export function unevaluated(rule: string, evaluated: readonly string[]): string[] {
  const m = /\b(?:if|unless)\s+(.*)$/.exec(rule);
  if (!m) return [];
  const names = m[1]!
    .replace(/\{[^}]*\}/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^!/, ''))
    .filter((w) => w !== '' && w !== 'or' && w !== '||' && w !== '!' && /^[A-Za-z0-9_.:-]+$/.test(w));
  return [...new Set(names)].filter((n) => !evaluated.includes(n));
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
      const skipped = unevaluated(rule.rule, rule.acls.map((a) => a.name));
      if (skipped.length > 0) {
        push(
          `${skipped.join(', ')} not tested: the condition was already decided (ACLs side by side mean AND, which stops at the first false one; “or” stops at the first true one).`,
          { tone: 'dim' },
          '      ',
        );
      }
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
    const idx0 = b.server ? serverIndex(`${b.backend}/${b.server}`) : undefined;
    push(`Why ${b.server ?? 'no server'}: ${plainWhy(b)}`, { bold: true, tone: b.server ? 'ok' : 'bad', ...(idx0 !== undefined ? { server: idx0 } : {}) }, '  ');
    push(`The numbers, balancer ${b.algorithm} in backend ${b.backend}: ${b.before.summary}`, { tone: 'dim' }, '  ');
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
    const said = x.status === 0 ? `Connection through ${who} (mode tcp: no HTTP status)` : `Answer ${x.status} from ${who}`;
    const normal = x.termination.startsWith('--');
    push(
      `${said} in ${tm.tt} ms, ${normal ? 'ended normally' : `ended abnormally (termination ${x.termination})`}${x.retries ? `, after ${x.retries} retries` : ''}. l explains every field of its log line.`,
      { tone: x.status === 0 || x.status < 400 ? 'ok' : 'bad' },
      '  ',
    );
    push(`timers TR ${tm.tq} Tw ${tm.tw} Tc ${tm.tc} Tr ${tm.tr} Ta ${tm.tt} ms (-1: that phase did not happen)`, { tone: 'dim' }, '    ');
  } else {
    push('No answer yet.', { tone: 'dim' }, '  ');
  }
  return out;
}
