// The runtime API's map and ACL commands against real HAProxy 2.6: the same config and map files, the same
// script of commands (through socat) and requests on both, the same answers. Entry addresses differ between
// processes, so they are masked; a script step that needs one reads it from that process's own `show map`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy } from '../helpers/haproxy.ts';
import { startEngine } from '../helpers/engine.ts';
import { exchange } from '../helpers/raw-http.ts';
import { socat } from '../proxy/runtime-api/socat.ts';
import { writeMapFiles } from '../helpers/map-files.ts';

const config = (d: string): string => `
global
    stats socket {{sock}} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    acl api path_beg /api /v1
    acl known_host req.hdr(host) -i -M -f ${d}/hosts.map
    acl listed path -f ${d}/prefixes.lst
    acl cnt hdr_cnt gt 3
    http-request return status 403 content-type text/plain string "listed" if listed
    http-request return status 200 content-type text/plain lf-string "api %[path,map_beg(${d}/paths.map,none)] int=%[req.hdr(x-n),map_int_int(${d}/ints-int.map,-1)]|" if api
    http-request set-header X-Known yes if known_host
    use_backend %[req.hdr(host),lower,map(${d}/hosts.map)]
    default_backend be_default
backend be_a
    http-request return status 200 content-type text/plain lf-string "be_a known=%[req.hdr(x-known)]|"
backend be_b
    http-request return status 200 content-type text/plain lf-string "be_b known=%[req.hdr(x-known)]|"
backend be_default
    http-request return status 200 content-type text/plain lf-string "be_default known=%[req.hdr(x-known)]|"
`;

/** One script step: a CLI command (PTR:N in it is the address of the Nth entry the last `show` printed), or a request. */
type Step = { cmd: string } | { get: string; host?: string; headers?: string };

const steps = (d: string): Step[] => [
  { cmd: 'show map' },
  { cmd: 'show acl' },
  { cmd: `show map ${d}/hosts.map` },
  { cmd: `show map ${d}/paths.map` },
  { cmd: 'show acl #0' },
  { cmd: 'show acl #3' },
  { cmd: 'show map #0' },
  { cmd: `show acl ${d}/paths.map` },
  { cmd: `get map ${d}/hosts.map WWW.example.com` },
  { cmd: `get map ${d}/paths.map /api/v2/x` },
  { cmd: `get acl ${d}/hosts.map www.example.com` },
  { cmd: 'get acl #0 /v1/x' },
  { cmd: 'get acl #0 /nope' },
  { cmd: `get map ${d}/ints-int.map 7` },
  { cmd: 'get map' },
  { cmd: 'show map nope.map' },
  { get: '/', host: 'example.com' },
  { get: '/', host: 'new.example' },
  { cmd: `add map ${d}/hosts.map new.example be_b` },
  { get: '/', host: 'new.example' },
  { cmd: `set map ${d}/hosts.map example.com be_b` },
  { get: '/', host: 'Example.com' },
  { cmd: `del map ${d}/hosts.map www.example.com` },
  { get: '/', host: 'www.example.com' },
  { cmd: `del map ${d}/hosts.map www.example.com` },
  { cmd: `set map ${d}/hosts.map nothere x` },
  { cmd: `add map ${d}/hosts.map onlykey` },
  { cmd: `add map ${d}/ints-int.map 30 notanint` },
  { cmd: `set map ${d}/ints-int.map 20 alsonot` },
  { get: '/api', headers: 'X-N: 20\r\n' },
  { cmd: `set map ${d}/ints-int.map 20 2020` },
  { get: '/api', headers: 'X-N: 20\r\n' },
  { cmd: 'add acl #0 /new' },
  { get: '/new/x' },
  { cmd: 'del acl #0 /api' },
  { get: '/api/x' },
  { cmd: `add acl ${d}/hosts.map x.org` },
  { cmd: `add acl ${d}/prefixes.lst /secret` },
  { get: '/secret' },
  { cmd: `del acl ${d}/prefixes.lst /admin` },
  { get: '/admin' },
  { cmd: `show acl ${d}/prefixes.lst` },
  // reg-tests/http-rules/acl_cli_spaces.vtc: escaped blanks and ';' are part of the pattern
  { cmd: `add acl ${d}/prefixes.lst Mon\\ User\\ Agent\\;` },
  { cmd: `show acl ${d}/prefixes.lst` },
  { cmd: `get acl ${d}/prefixes.lst Mon\\ User\\ Agent\\;` },
  { cmd: `del acl ${d}/prefixes.lst Mon\\ User\\ Agent\\;` },
  { cmd: `show acl ${d}/prefixes.lst` },
  { cmd: `show map ${d}/hosts.map` },
  { cmd: `del map ${d}/hosts.map #PTR:0` },
  { cmd: `show map ${d}/hosts.map` },
  { cmd: `set map ${d}/hosts.map #PTR:0 be_a` },
  { cmd: `show map ${d}/hosts.map` },
  { cmd: `del map ${d}/hosts.map #0xzz` },
  { cmd: `prepare map ${d}/hosts.map` },
  { cmd: `add map @1 ${d}/hosts.map staged.example be_a` },
  { cmd: `add map @5 ${d}/hosts.map future.example be_a` },
  { cmd: `show map @1 ${d}/hosts.map` },
  { get: '/', host: 'staged.example' },
  { cmd: `commit map ${d}/hosts.map` },
  { cmd: `commit map @7 ${d}/hosts.map` },
  { cmd: 'commit map @1' },
  { cmd: `commit map @1 ${d}/hosts.map` },
  { get: '/', host: 'staged.example' },
  { get: '/', host: 'new.example' },
  { cmd: `show map ${d}/hosts.map` },
  { cmd: 'show map' },
  { cmd: `clear map ${d}/hosts.map` },
  { get: '/', host: 'staged.example' },
  { cmd: 'clear acl #0' },
  { get: '/v1/x' },
  { cmd: 'prepare acl #0' },
  { cmd: 'clear map' },
  { cmd: 'clear acl #99' },
  { cmd: `add map ${d}/hosts.map <<\npay1.example be_a\npay2.example \t be_b\n` },
  { get: '/', host: 'pay2.example' },
  { cmd: `add map ${d}/hosts.map <<\npay3.example be_a\nnovalue\n` },
  { cmd: `add acl ${d}/prefixes.lst <<\n/p1\n` },
  { cmd: `show map ${d}/hosts.map` },
  { cmd: 'show acl' },
  { cmd: 'help map' },
];

const PTR = /0x[0-9a-f]+/g;

async function run(port: number, sock: string, cfgPath: RegExp, script: readonly Step[]): Promise<string[]> {
  const out: string[] = [];
  let lastPtrs: string[] = [];
  for (const step of script) {
    if ('cmd' in step) {
      const cmd = step.cmd.replace(/PTR:(\d+)/, (_m, n: string) => lastPtrs[Number(n)]!);
      const answer = await socat(sock, cmd + '\n');
      if (step.cmd.startsWith('show')) lastPtrs = answer.match(PTR) ?? [];
      out.push(`${step.cmd}\n${answer.replace(PTR, 'PTR').replace(cfgPath, 'haproxy.cfg')}`);
    } else {
      const raw = await exchange(port, `GET ${step.get} HTTP/1.1\r\nHost: ${step.host ?? 'x'}\r\n${step.headers ?? ''}\r\n`, 300);
      out.push(`GET ${step.get} ${step.host ?? ''}\n${raw.split('\r\n\r\n')[1] ?? raw}`);
    }
  }
  return out;
}

describe.skipIf(!hasHaproxy)('map and acl commands on the runtime API answer as HAProxy 2.6 (socat)', () => {
  let dir = '';
  let theirs: string[] = [];
  let mine: string[] = [];
  let script: Step[] = [];

  beforeAll(async () => {
    dir = writeMapFiles();
    script = steps(dir);
    const real = await startHaproxy(config(dir));
    try {
      theirs = await run(real.port, real.socketPath, /\/tmp\/lab-haproxy-[^/']+\/haproxy\.cfg/g, script);
    } finally {
      await real.stop();
    }
    const sockDir = mkdtempSync(join(tmpdir(), 'lab-engine-sock-'));
    try {
      const ours = await startEngine(config(dir).replace('{{sock}}', join(sockDir, 'admin.sock')));
      try {
        mine = await run(ours.port, join(sockDir, 'admin.sock'), /haproxy\.cfg/g, script);
      } finally {
        await ours.stop();
      }
    } finally {
      rmSync(sockDir, { recursive: true, force: true });
    }
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same answer at every step, commands and requests alike', () => {
    expect(mine.length).toBe(theirs.length);
    for (let i = 0; i < theirs.length; i++) expect({ step: i, out: mine[i] }).toEqual({ step: i, out: theirs[i] });
  });

  it('sees changes take effect on the next request (the script is not vacuous)', () => {
    const at = (s: string): string => theirs.find((t) => t.startsWith(s))!;
    expect(theirs.filter((t) => t.startsWith('GET / new.example'))[1]).toContain('be_b');
    expect(at('GET / Example.com')).toContain('be_b');
    expect(theirs.filter((t) => t.startsWith('GET /api '))[1]).toContain('int=2020|');
    expect(at('GET /secret')).toContain('listed');
    expect(theirs.filter((t) => t.startsWith('GET / staged.example'))[1]).toContain('be_a');
    const shows = theirs.filter((t) => t.startsWith(`show map ${dir}/hosts.map`));
    // the entry deleted by its address is gone, and the one set by its address has the new value
    expect(shows[1]).toContain('PTR example.com be_b');
    expect(shows[2]).not.toContain('PTR example.com be_b');
    expect(shows[3]).toMatch(/^PTR other\.org be_a$/m);
    expect(at('GET / pay2.example')).toContain('be_b');
    expect(theirs.find((t) => t.startsWith(`get acl ${dir}/prefixes.lst Mon`))).toContain('pattern="Mon User Agent;"');
  });
});
