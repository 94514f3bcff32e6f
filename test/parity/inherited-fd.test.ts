// `bind fd@N` against real HAProxy 2.6: both processes get a listening loopback socket as fd 3 (as VTest hands them
// over, written "fd@${NAME}"), accept on it, and see the real client's address; fds that are no socket, or no
// fd at all, are refused at load with HAProxy's words.
import { openSync, closeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { spawnWithListener, type InheritedChild } from '../helpers/inherited-socket.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = `
global
    log stdout format raw local0
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 2s
    timeout server 1s
frontend fe
    bind "fd@\${LAB_TEST_FD}"
    log-format "LOG %ci %fi:%fp %ft %ST"
    http-request return status 200 content-type text/plain lf-string "src=%[src] dst=%[dst]:%[dst_port] fe=%[fe_name]"
`;

const commands = {
  haproxy: (cfg: string, check = false): [string, string[]] => ['haproxy', [check ? '-c' : '-db', '-f', cfg]],
  engine: (cfg: string, check = false): [string, string[]] => [process.execPath, ['bin/lab.js', 'proxy', ...(check ? ['-c'] : []), '-f', cfg]],
};

// One request with Connection: close from the given loopback source; waits for the server's close, so a child still
// starting (the connection waits in the inherited socket's backlog) is no failure.
function get(port: number, localAddress: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer on ${port} within 15 s (got ${JSON.stringify(out)})`));
    }, 15_000);
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (out += d));
    sock.on('error', reject);
    sock.on('end', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    });
    sock.write('GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  });
}

// One runtime API command; the answer is everything until the server closes.
function cli(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to "${command}" on ${port} within 15 s`));
    }, 15_000);
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (out += d));
    sock.on('error', reject);
    sock.on('end', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    });
    sock.write(command + '\n');
  });
}

async function waitForLine(c: InheritedChild, re: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const hit = c.lines.find((l) => re.test(l));
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no line matching ${re} in:\n${c.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!hasHaproxy)('bind fd@N listens on an inherited socket as HAProxy 2.6 does', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-fd-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('both accept on the fd@${NAME} socket and see the client, the listener address and the port as they are', async () => {
    const cfg = join(dir, 'fd.cfg');
    writeFileSync(cfg, CONFIG);
    const seen: Record<string, { body: string; log: string; port: number }> = {};
    for (const which of ['haproxy', 'engine'] as const) {
      const [cmd, args] = commands[which](cfg);
      process.env.LAB_TEST_FD = '3';
      const c = await spawnWithListener(cmd, args, [], ROOT);
      try {
        const answer = await get(c.port, '127.0.0.9');
        const log = await waitForLine(c, /^LOG /);
        seen[which] = { body: answer.slice(answer.indexOf('\r\n\r\n') + 4), log: log.replace(/^LOG 127\.0\.0\.9 /, 'LOG CLIENT '), port: c.port };
        expect(answer.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      } finally {
        await c.stop();
        delete process.env.LAB_TEST_FD;
      }
    }
    const h = seen.haproxy!;
    const e = seen.engine!;
    expect(h.body).toBe(`src=127.0.0.9 dst=127.0.0.1:${h.port} fe=fe`);
    expect(e.body).toBe(`src=127.0.0.9 dst=127.0.0.1:${e.port} fe=fe`);
    expect(h.log).toBe(`LOG CLIENT 127.0.0.1:${h.port} fe 200`);
    expect(e.log).toBe(`LOG CLIENT 127.0.0.1:${e.port} fe 200`);
  });

  it('a stats socket on fd@N answers the runtime API on that socket', async () => {
    const cfg = join(dir, 'cli.cfg');
    writeFileSync(cfg, CONFIG.replace('global\n', 'global\n    stats socket "fd@4" level admin\n') + 'backend be_one\nbackend be_two\n');
    const answers: Record<string, string> = {};
    for (const which of ['haproxy', 'engine'] as const) {
      const [cmd, args] = commands[which](cfg);
      process.env.LAB_TEST_FD = '3';
      const c = await spawnWithListener(cmd, args, [], ROOT, 2);
      try {
        answers[which] = await cli(c.ports[1]!, 'show backend');
      } finally {
        await c.stop();
        delete process.env.LAB_TEST_FD;
      }
    }
    expect(answers.haproxy).toBe('# name\nbe_one\nbe_two\n\n');
    expect(answers.engine).toBe(answers.haproxy);
  });

  it('a descriptor that is no number, not open, or not a socket is refused with the same alert', async () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'not a socket\n');
    const cases = ['fd@x', 'fd@${LAB_TEST_UNSET_FD}', 'fd@-1', 'fd@4', 'fd@57'];
    for (const spec of cases) {
      const cfg = join(dir, 'bad.cfg');
      writeFileSync(cfg, CONFIG.replace('"fd@${LAB_TEST_FD}"', `"${spec}"`));
      const alerts: Record<string, string[]> = {};
      for (const which of ['haproxy', 'engine'] as const) {
        const [cmd, args] = commands[which](cfg, true);
        const fileFd = openSync(file, 'r');
        try {
          // fd 3 is a listening socket, fd 4 a plain file; fd 57 is open in neither process
          const c = await spawnWithListener(cmd, args, [fileFd], ROOT);
          const code = await c.exited;
          expect(code, `${which} on ${spec}`).not.toBe(0);
          alerts[which] = c.lines.filter((l) => l.includes('parsing [')).map((l) => l.replace(/^.*?parsing \[/, '[').replaceAll(dir, 'DIR'));
        } finally {
          closeSync(fileFd);
        }
      }
      expect(alerts.haproxy!.length, spec).toBe(1);
      expect(alerts.engine, spec).toEqual(alerts.haproxy);
    }
  });
});
