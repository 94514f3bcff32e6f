// The stats page's options against real HAProxy 2.6, on a `listen stats` section of its own: `stats auth` and
// `stats realm` (the 401, byte for byte), `stats admin if COND` (the forms' POST: 303 with the outcome, the server
// really changing, its log sentence), `stats refresh` (the refresh header), `stats scope` (the CSV lists only the
// named proxies), and the CSV's values after admin actions.
import { describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange, normalize, normalizeLog, settle, startRawServer } from '../helpers/raw-http.ts';

const CONFIG = (srv: number) => `
global
    log stdout format raw local0
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 1s
listen stats
    bind 127.0.0.1:{{port0}}
    stats enable
    stats uri /stats
    stats realm Lab\\ Stats
    stats auth admin:secret
    stats auth ops:pw2
    stats refresh 5s
    stats admin if { src 127.0.0.1 } { req.hdr(authorization) -m sub YWRtaW46 }
    stats hide-version
    stats show-legends
    stats show-node labnode
listen scoped
    bind 127.0.0.1:{{port1}}
    stats enable
    stats uri /s
    stats scope be
backend be
    server s1 127.0.0.1:${srv}
    server s2 127.0.0.1:${srv}
    server s3 127.0.0.1:${srv}
`;

const ADMIN = 'Authorization: Basic YWRtaW46c2VjcmV0\r\n';
const OPS = 'Authorization: Basic b3BzOnB3Mg==\r\n';
const post = (auth: string, form: string) => `POST /stats HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`;
const get = (path: string, auth = ADMIN) => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`;

interface Step {
  readonly name: string;
  readonly send: string;
  readonly port?: number;
  /** What of the answer is compared: all of it, its head only (the HTML pages differ), or the CSV without chunk sizes. */
  readonly compare: 'bytes' | 'head' | 'csv' | 'form';
}

const STEPS: Step[] = [
  { name: 'no credentials: the 401 with the realm', send: get('/stats', ''), compare: 'bytes' },
  { name: 'a wrong password: the same 401', send: get('/stats;csv', 'Authorization: Basic YWRtaW46d3Jvbmc=\r\n'), compare: 'bytes' },
  { name: 'a malformed Authorization: the same 401', send: get('/stats', 'Authorization: Bearer x\r\n'), compare: 'bytes' },
  { name: 'the page: no-cache, text/html, refresh, chunked', send: get('/stats'), compare: 'head' },
  { name: 'an admin sees the form to change each server of a backend', send: get('/stats;norefresh'), compare: 'form' },
  { name: 'a user the admin condition refuses sees no form', send: get('/stats;norefresh', OPS), compare: 'form' },
  { name: 'the CSV with the refresh header', send: get('/stats;csv'), compare: 'csv' },
  { name: ';norefresh drops the refresh header', send: get('/stats;csv;norefresh'), compare: 'csv' },
  { name: 'a user the admin condition refuses: DENY, nothing changes', send: post(OPS, 's=s1&action=maint&b=%233'), compare: 'bytes' },
  { name: 'drain one server: DONE', send: post(ADMIN, 's=s1&action=drain&b=%233'), compare: 'bytes' },
  { name: 'maint two servers and an unknown one: PART, the last one first', send: post(ADMIN, 's=s2&s=s3&s=nosuch&action=maint&b=%233'), compare: 'bytes' },
  { name: 'the CSV after drain and maint', send: get('/stats;csv;norefresh'), compare: 'csv' },
  { name: 'ready again: DONE', send: post(ADMIN, 's=s2&action=ready&b=%233'), compare: 'bytes' },
  { name: 'ready on a server already ready: DONE', send: post(ADMIN, 's=s2&action=ready&b=%233'), compare: 'bytes' },
  { name: 'no server checked: NONE', send: post(ADMIN, 'action=ready&b=%233'), compare: 'bytes' },
  { name: 'an unknown action: ERRP', send: post(ADMIN, 's=s2&action=bogus&b=%233'), compare: 'bytes' },
  { name: 'an unknown backend id: ERRP', send: post(ADMIN, 's=s2&action=ready&b=%239'), compare: 'bytes' },
  { name: 'the backend by name works too', send: post(ADMIN, 's=s3&action=ready&b=be'), compare: 'bytes' },
  { name: 'the CSV after ready', send: get('/stats;csv;norefresh'), compare: 'csv' },
  { name: 'stats scope: only the named backend in the CSV', send: get('/s;csv', ''), port: 1, compare: 'csv' },
];

// CSV rows without what differs between two processes: lastchg and downtime (seconds), pid, addresses' ports,
// and the byte/session counters of the stats proxies themselves (their own traffic differs in HTML size).
function csvRows(text: string): string[] {
  return text.split('\n').filter((l) => l !== '').map((line) => {
    const f = line.split(',');
    if (f[0] === 'stats' || f[0] === 'scoped') return `${f[0]},${f[1]},${f[17]}`;
    f[23] = 'LASTCHG';
    if (f[24] !== '') f[24] = 'DOWNTIME'; // seconds, like lastchg
    f[26] = 'PID';
    f[73] = (f[73] ?? '').replace(/:\d+$/, ':PORT');
    return f.join(',');
  });
}

function view(step: Step, raw: string): string {
  const s = normalize(raw);
  const end = s.indexOf('\r\n\r\n');
  if (step.compare === 'bytes') return s;
  const head = s.slice(0, end + 4);
  if (step.compare === 'head') return head;
  // the page's admin form: its server checkboxes, the action list and the backend's hidden id, as HAProxy names them
  if (step.compare === 'form') return [...s.matchAll(/<input class='be-checkbox'[^>]*>|<select name=action>|<option value="[a-z]*">|<input type="hidden" name="b"[^>]*>/g)].map((m) => m[0]).join('\n') || 'no form';
  const body = s.slice(end + 4).replace(/^[0-9A-F]+\r\n/gm, '').replace(/\r\n0\r\n\r\n$/, '').replace(/\r\n/g, '');
  return `${head}${csvRows(body).join('\n')}`;
}

// Log lines of the stats applet: bytes are HTX sizes of pages that differ (the HTML), so they are masked. So are
// actconn/feconn: each step's connection is closed before the next opens, but under load haproxy may not have
// counted the previous close yet (it logged 2/2 instead of 1/1 in some runs), which says nothing about the page.
const logView = (l: string) => normalizeLog(l).replace(/ (\d{3}) \d+ - - /, ' $1 BYTES - - ').replace(/ LR-- \d+\/\d+\//, ' LR-- C/C/');

async function play(proxy: { ports: readonly number[]; logs: string[] }): Promise<{ answers: string[]; logs: string[] }> {
  const answers: string[] = [];
  const before = proxy.logs.length;
  for (const step of STEPS) {
    answers.push(view(step, await exchange(proxy.ports[step.port ?? 0]!, step.send)));
  }
  await settle();
  const logs = proxy.logs.slice(before).filter((l) => !l.startsWith('[')).map(logView);
  return { answers, logs };
}

describe.skipIf(!hasHaproxy)('the stats page options act as in HAProxy 2.6', () => {
  it('gives the same answers, server states, CSV values and log lines for every step', async () => {
    const srv = await startRawServer({ '/ok11': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' });
    try {
      const real = await startHaproxy(CONFIG(srv.port), { ports: 2 });
      let expected: Awaited<ReturnType<typeof play>>;
      try {
        expected = await play(real);
      } finally {
        await real.stop();
      }
      const ours = await startEngine(CONFIG(srv.port), { ports: 2 });
      let got: Awaited<ReturnType<typeof play>>;
      try {
        got = await play(ours);
      } finally {
        await ours.stop();
      }
      STEPS.forEach((step, i) => expect(got.answers[i], step.name).toBe(expected.answers[i]));
      expect(got.logs).toEqual(expected.logs);
    } finally {
      await srv.close();
    }
  }, 60_000);
});
