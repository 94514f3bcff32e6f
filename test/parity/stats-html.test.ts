// The stats page's HTML against real HAProxy 2.6's, compared structurally: the title and headings, the legend and
// display options, and every proxy's tables cell by cell (classes, colspans, tips, number grouping), for servers
// UP, DOWN, without checks, in MAINT, drained by weight, backup, and a tcp proxy; the admin form's layout, the
// message after a POST, ";up", ";norefresh" and "?scope=". Masked: the pid, uptimes and durations (two processes
// never share them), check durations and whether a check is in flight, the process block's numbers, and the stats
// proxy's own counters.
import { describe, expect, it } from 'vitest';
import { startEngine } from '../helpers/engine.ts';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { exchange, serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

const CONFIG = (up: number, down: number) => `
global
    log stdout format raw local0
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 1s
listen stats
    bind 127.0.0.1:{{port0}}
    stats enable
    stats uri /stats
    stats refresh 5s
    stats admin if TRUE
    stats show-legends
    stats show-node labnode
    stats show-desc lab page
    stats hide-version
frontend fe
    bind 127.0.0.1:{{port1}}
    description the public side
    default_backend be
backend be
    balance leastconn
    cookie SRV insert indirect nocache
    server up1 127.0.0.1:${up} check inter 200 rise 1 fall 1 cookie u1
    server down1 127.0.0.1:${down} check inter 200 rise 1 fall 1
    server plain 127.0.0.1:${up} maxconn 30
    server off 127.0.0.1:${up} disabled
    server zero 127.0.0.1:${up} weight 0 check inter 200
    server spare 127.0.0.1:${up} backup check inter 200
listen raw
    mode tcp
    bind 127.0.0.1:{{port2}}
    server t1 127.0.0.1:${up}
`;

const H = '(?:\\d+[dhms]){1,2}';

// What two processes cannot share, masked; the stats proxy's own table keeps only its shape.
function normalize(page: string): string {
  const body = page.slice(page.indexOf('\r\n\r\n') + 4).replace(/^[0-9A-F]+\r\n/gm, '').replace(/\r\n/g, '');
  const start = body.indexOf('<h2>');
  let s = body.slice(start);
  // the process block's numbers are the process's own
  s = s.replace(/<p><b>pid = <\/b>[\s\S]*?<\/td><td align="center" nowrap>/, 'PROCESS</td><td align="center" nowrap>');
  s = s.replace(/Statistics Report for pid \d+/, 'Statistics Report for pid PID');
  // links to what the engine does not serve (the JSON export) or is not (a release of haproxy)
  s = s.replace(/<li><a href="[^"]*">Updates \(v[\d.]+\)<\/a><br>\n/, '').replace(/<li><a href="[^"]*;json[^>]*>JSON export<\/a> \(<a href="[^"]*">schema<\/a>\)<br>\n/, '');
  s = s.replace(new RegExp(`<td class=ac>${H} `, 'g'), '<td class=ac>T ').replace(new RegExp(`<td>${H}</td>`, 'g'), '<td>T</td>');
  s = s.replace(/ in \d+ms/g, ' in Nms');
  // "* " marks a check in flight at the instant the page is drawn (both draw it): timing, like the durations
  s = s.replace(/<td class=ac><u> \* /g, '<td class=ac><u> ');
  const first = s.indexOf('<a name="stats"></a>');
  const next = s.indexOf('<table class="tbl"', s.indexOf('</table><p>', first));
  s = s.slice(0, first) + s.slice(first, next).replace(/\d+/g, 'N').replace(/N(?:<span class="rls">N<\/span>N)+/g, 'N').replace(/<td>\?<\/td>/g, '<td>T</td>') + s.slice(next);
  // one table row, one cell per line: a difference names its place
  return s.replace(/<tr/g, '\n<tr').replace(/<td/g, '\n  <td');
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
const post = (form: string) => `POST /stats HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\nConnection: close\r\n\r\n${form}`;

const PAGES = [
  { name: 'the whole page', path: '/stats' },
  { name: 'hiding DOWN servers, without refresh', path: '/stats;up;norefresh' },
  { name: 'a one-letter scope, which HAProxy does not see', path: '/stats?scope=B' },
  { name: 'a scope, case-insensitive', path: '/stats?scope=Be' },
];

async function play(port: number): Promise<string[]> {
  // the checks settle: up1 UP, down1 DOWN
  await new Promise((r) => setTimeout(r, 1500));
  const pages: string[] = [];
  for (const p of PAGES) pages.push(normalize(await exchange(port, get(p.path), 300)));
  await exchange(port, post('s=zero&action=maint&b=%233'), 300);
  pages.push(normalize(await exchange(port, get('/stats;st=DONE'), 300)));
  pages.push(normalize(await exchange(port, get('/stats;st=ERRP;norefresh'), 300)));
  return pages;
}

describe.skipIf(!hasHaproxy)('the stats page is drawn as HAProxy 2.6 draws it', () => {
  it('has the same headings, options, tables and cells as haproxy\'s page', async () => {
    const srv: TestServer = await serveOnLoopback((sock) => sock.on('data', () => undefined));
    const closed: TestServer = await serveOnLoopback(() => undefined);
    const downPort = closed.port;
    await closed.close();
    try {
      const h = await startHaproxy(CONFIG(srv.port, downPort), { ports: 3 });
      let expected: string[];
      try {
        expected = await play(h.ports[0]!);
      } finally {
        await h.stop();
      }
      const e = await startEngine(CONFIG(srv.port, downPort), { ports: 3 });
      let got: string[];
      try {
        got = await play(e.ports[0]!);
      } finally {
        await e.stop();
      }
      const names = [...PAGES.map((p) => p.name), 'after a POST: the message', 'an ERRP message'];
      names.forEach((name, i) => expect(got[i], name).toBe(expected[i]));
      expect(expected[0]).toContain('class="active_down"');
      expect(expected[0]).toContain('class="maintain"');
    } finally {
      await srv.close();
    }
  }, 60_000);
});
