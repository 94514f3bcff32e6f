// The runtime API's `experimental-mode` and `set var` against real HAProxy 2.6: the command is refused until the
// connection turns experimental mode on, then sets proc.* variables from an expression or a format (reading
// other proc variables), refuses other scopes and malformed lines with HAProxy's words, and traffic sees the value.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy, startHaproxy, type HaproxyHandle } from '../helpers/haproxy.ts';
import { startEngine, type EngineHandle } from '../helpers/engine.ts';
import { exchange } from '../helpers/raw-http.ts';
import { socat } from '../proxy/runtime-api/socat.ts';

const CONFIG = `
global
    stats socket {{sock}} level admin
    set-var proc.a int(5)
    set-var proc.s str(start)
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:{{port}}
    http-request return status 200 hdr x-vars "a=%[var(proc.a)] s=%[var(proc.s)] n=%[var(proc.n)]"
`;

const GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

const varsHeader = (answer: string): string | undefined => /^x-vars: (.*)\r$/m.exec(answer)?.[1];

describe.skipIf(!hasHaproxy)('set var on the runtime API sets proc variables as HAProxy 2.6 does', () => {
  let real: HaproxyHandle;
  let ours: EngineHandle;
  let dir: string;
  let ourSock: string;

  beforeAll(async () => {
    real = await startHaproxy(CONFIG);
    dir = mkdtempSync(join(tmpdir(), 'lab-set-var-'));
    ourSock = join(dir, 'admin.sock');
    ours = await startEngine(CONFIG.replace('{{sock}}', ourSock));
  });
  afterAll(async () => {
    await ours?.stop();
    await real?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const both = async (line: string): Promise<[string, string]> => [await socat(ourSock, line + '\n'), await socat(real.socketPath, line + '\n')];

  it('refuses set var until experimental-mode is on, then sets from expressions and formats', async () => {
    const lines = [
      'set var proc.a int(7)',
      'experimental-mode',
      'experimental-mode on; experimental-mode; set var proc.a int(7); get var proc.a',
      'experimental-mode on; set var proc.s fmt %[var(proc.a),add(1)]-x; get var proc.s',
      'experimental-mode on; set var proc.n expr str(new),upper; get var proc.n',
      'experimental-mode on; set var proc.a expr var(proc.nothing); get var proc.a',
      'experimental-mode on; experimental-mode off; set var proc.a int(1)',
      'experimental-mode on; set var txn.x int(1)',
      'experimental-mode on; set var proc.a what int(1)',
      'experimental-mode on; set var proc.a',
      'experimental-mode on; set var',
    ];
    for (const line of lines) {
      const [o, t] = await both(line);
      expect({ line, out: o }).toEqual({ line, out: t });
    }
    expect(await socat(real.socketPath, 'get var proc.s\n')).toBe('proc.s: type=str value=<8-x>\n');
  });

  it('traffic reads the values the runtime API set', async () => {
    const theirs = varsHeader(await exchange(real.port, GET));
    const mine = varsHeader(await exchange(ours.port, GET));
    expect(theirs).toBe('a=7 s=8-x n=NEW');
    expect(mine).toBe(theirs);
  });
});
