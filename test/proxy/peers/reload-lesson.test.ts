// Stick tables across an engine reload: the tables of a peers section with the local peer are taught by the old
// configuration to the new one (the lesson's messages, in memory), entries with their counters, rates and the
// lifetimes they had left; a table no peers section shares starts empty.
import { describe, expect, it } from 'vitest';
import { createCommandProcessor } from '../../../proxy/runtime-api/index.ts';
import { startEngine } from '../../helpers/engine.ts';
import { freePort } from '../../helpers/haproxy.ts';
import { exchange } from '../../helpers/raw-http.ts';

const CONFIG = (fe: number, peer: number, marker: string) => `
global
    stats socket {{sock}} level admin
    localpeer lab
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 1s
peers mesh
    peer lab 127.0.0.1:${peer}
    table hits type ip size 1k expire 10m store http_req_cnt,http_req_rate(1m),gpc0,conn_cnt,gpt(2)
    table names type string len 8 size 100 expire 5m store gpc0
backend plain
    stick-table type ip size 10 expire 10m store http_req_cnt
backend kept
    stick-table type integer size 10 expire 10m store http_req_cnt peers mesh
frontend fe
    bind 127.0.0.1:${fe}
    http-request track-sc0 src table mesh/hits
    http-request track-sc1 req.hdr(x-user) table mesh/names if { req.hdr(x-user) -m found }
    http-request track-sc2 src table plain
    http-request sc-inc-gpc0(0) if { path /inc }
    http-request sc-set-gpt(1,0) 5 if { path /inc }
    http-request track-sc2 req.hdr(x-id) table kept if { req.hdr(x-id) -m found }
    http-request return status 200 content-type text/plain lf-string "${marker} cnt=%[sc0_http_req_cnt] gpc0=%[sc0_get_gpc0]\\n"
`;

const TABLES = ['show table mesh/hits', 'show table mesh/names', 'show table plain', 'show table kept'];
const mask = (t: string): string => t.replace(/^0x[0-9a-f]+:/gm, 'ADDR:').replace(/exp=\d+/g, 'exp=EXP');

interface Run {
  readonly before: string[];
  readonly after: string[];
  /** exp= of each entry before and after, in table order. */
  readonly expBefore: number[];
  readonly expAfter: number[];
  readonly answers: string[];
}

async function traffic(fe: number, answers: string[]): Promise<void> {
  const send = async (path: string, from: string, headers = ''): Promise<void> => {
    const raw = await exchange(fe, `GET ${path} HTTP/1.1\r\nHost: h\r\n${headers}Connection: close\r\n\r\n`, 300, false, from);
    answers.push(raw.slice(raw.indexOf('\r\n\r\n') + 4));
  };
  await send('/', '127.0.0.1');
  await send('/inc', '127.0.0.1', 'X-User: ann\r\n');
  await send('/inc', '127.0.0.2', 'X-User: bob\r\nX-Id: 77\r\n');
}

async function snapshot(cli: (c: string) => Promise<string>): Promise<{ text: string[]; exp: number[] }> {
  const text: string[] = [];
  const exp: number[] = [];
  for (const t of TABLES) {
    const out = await cli(t);
    text.push(mask(out));
    for (const m of out.matchAll(/exp=(\d+)/g)) exp.push(Number(m[1]));
  }
  return { text, exp };
}



async function engineRun(): Promise<Run> {
  const fe = await freePort();
  const peer = await freePort();
  const answers: string[] = [];
  const e = await startEngine(CONFIG(fe, peer, 'old').replace(/^ {4}stats socket.*\n/m, ''));
  try {
    const cli = createCommandProcessor(e.engine, { level: 'admin' });
    const ask = async (c: string): Promise<string> => `${cli.run(c).output}\n`;
    await traffic(fe, answers);
    await new Promise((r) => setTimeout(r, 3000));
    const before = await snapshot(ask);
    const r = await e.engine.reload({ text: CONFIG(fe, peer, 'new').replace(/^ {4}stats socket.*\n/m, ''), name: 'haproxy.cfg' });
    expect(r.ok).toBe(true);
    const after = await snapshot(ask);
    await traffic(fe, answers);
    return { before: before.text, after: after.text, expBefore: before.exp, expAfter: after.exp, answers };
  } finally {
    await e.stop();
  }
}

// HAProxy documents that its old process teaches the new one through the local peer. The Debian 2.6.12 binary
// did not in this harness (a second haproxy with -sf, or -W and SIGUSR2): the new process showed its local peer
// "inactive, last_status=NONE" and empty tables, so this behaviour is checked on the engine alone.
describe('stick tables across an engine reload, as HAProxy keeps them through its local peer', () => {
  it('keeps the entries of shared tables with the lifetimes they had left, and starts the others empty', async () => {
    const got = await engineRun();
    expect(got.before[0]).toContain('key=127.0.0.1');
    expect(got.before[2]).toContain('key=127.0.0.1');
    // the shared tables came through whole (conn_cur stays with each process: it is 0 here in both)
    expect(got.after[0]).toBe(got.before[0]);
    expect(got.after[1]).toBe(got.before[1]);
    expect(got.after[3]).toBe(got.before[3]);
    // the table no peers section shares starts empty, as in a new process
    expect(got.after[2]).toBe('# table: plain, type: ip, size:10, used:0\n\n');
    // lifetimes go on counting down: what is left after the reload is what was left before, not the full expiry
    expect(got.expAfter.length).toBe(got.expBefore.length - 2);
    const shared = [...got.expBefore.slice(0, 4), ...got.expBefore.slice(6)];
    got.expAfter.forEach((ms, i) => {
      expect(Math.abs(ms - shared[i]!)).toBeLessThan(1000);
      expect(ms).toBeLessThan(600_000 - 2000);
    });
    // the new configuration counts on from the kept entries
    expect(got.answers.slice(3)).toEqual(['new cnt=3 gpc0=1\n', 'new cnt=4 gpc0=2\n', 'new cnt=2 gpc0=2\n']);
  }, 60_000);
});
