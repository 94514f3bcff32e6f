import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandProcessor, parseWeightChange, splitArgs } from '../../../proxy/runtime-api/commands.ts';
import { parseSocketAddress, startStatsSockets, type StatsSockets } from '../../../proxy/runtime-api/server.ts';
import { createCliSession } from '../../../proxy/runtime-api/session.ts';
import { usageMessage } from '../../../proxy/runtime-api/usage.ts';
import { configModel, FakeEngine } from '../../helpers/fake-engine.ts';
import { freePort } from '../../helpers/haproxy.ts';
import { socat } from './socat.ts';

const loc = { file: 'lab.cfg', line: 3, col: 3 };

function engine(): FakeEngine {
  return new FakeEngine(
    configModel({
      statsSockets: ['/unused'],
      proxies: [
        { kind: 'frontend', name: 'web', binds: ['127.0.0.1:8080'], defaultBackend: 'servers' },
        { kind: 'backend', name: 'servers', servers: [{ name: 'server1', port: 5001, weight: 2 }, { name: 'server2', port: 5002 }] },
        { kind: 'backend', name: 'src', algorithm: 'source', servers: [{ name: 's1', port: 5003 }] },
        { kind: 'backend', name: 'chash', algorithm: 'source', hashType: 'consistent', servers: [{ name: 'c1', port: 5004 }] },
      ],
    }),
  );
}

// Runs a byte stream through a session and returns what it wrote and whether it closed.
function converse(e: FakeEngine, chunks: string[], level: 'user' | 'operator' | 'admin' = 'admin') {
  let out = '';
  let ended = false;
  const session = createCliSession(createCommandProcessor(e, { level }), { write: (t) => (out += t), end: () => (ended = true) });
  for (const c of chunks) session.receive(c);
  return { out, ended };
}

describe('command processor', () => {
  it('changes the weight the next pick sees and reports it with get weight', () => {
    const e = engine();
    expect(converse(e, ['set weight servers/server1 7\n']).out).toBe('\n');
    expect(e.calls).toEqual(['setWeight servers/server1 7']);
    expect(e.server('servers', 'server1').userWeight).toBe(7);
    expect(converse(e, ['get weight servers/server1\n']).out).toBe('7 (initial 2)\n\n');
  });

  it('treats source hashing as static unless hash-type is consistent', () => {
    const e = engine();
    expect(converse(e, ['set weight src/s1 3\n']).out).toBe("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n");
    expect(converse(e, ['set weight chash/c1 3\n']).out).toBe('\n');
  });

  it('refuses changes below the admin level with "Permission denied"', () => {
    const e = engine();
    expect(converse(e, ['set server servers/server1 state maint\n'], 'operator').out).toBe('Permission denied\n\n');
    expect(converse(e, ['disable server servers/server1\n'], 'user').out).toBe('Permission denied\n\n');
    expect(e.calls).toEqual([]);
    expect(converse(e, ['get weight servers/server1\n'], 'user').out).toBe('2 (initial 2)\n\n');
  });

  it('passes the engine\'s own error sentence through', () => {
    const e = engine();
    e.setServerHealth = () => {
      throw new Error('cannot change health on a tracking server.');
    };
    expect(converse(e, ['set server servers/server1 health down\n']).out).toBe('cannot change health on a tracking server.\n\n');
  });

  it('finds backends and servers by #id', () => {
    const e = engine();
    expect(converse(e, ['get weight #3/#2\n']).out).toBe('1 (initial 1)\n\n');
  });
});

describe('connection framing', () => {
  it('closes after answering everything received, outside prompt mode', () => {
    const r = converse(engine(), ['get weight servers/server2;get weight servers/server1\n']);
    expect(r).toEqual({ out: '1 (initial 1)\n\n2 (initial 2)\n\n', ended: true });
  });

  it('waits for the end of a line split across packets', () => {
    const e = engine();
    let out = '';
    let ended = false;
    const s = createCliSession(createCommandProcessor(e, { level: 'admin' }), { write: (t) => (out += t), end: () => (ended = true) });
    s.receive('get wei');
    expect(out).toBe('');
    s.receive('ght servers/server1\r\n');
    expect({ out, ended }).toEqual({ out: '2 (initial 2)\n\n', ended: true });
  });

  it('in prompt mode answers with "\\n> " and stays open until quit', () => {
    const r = converse(engine(), ['prompt\n', 'show backend\n']);
    expect(r).toEqual({ out: '\n> # name\nservers\nsrc\nchash\n\n> ', ended: false });
    expect(converse(engine(), ['prompt\n', 'quit\n'])).toEqual({ out: '\n> ', ended: true });
  });

  it('keeps an escaped semicolon inside a word', () => {
    expect(splitArgs('set server a\\;b/c state ready')).toEqual(['set', 'server', 'a;b/c', 'state', 'ready']);
    expect(converse(engine(), ['get weight a\\;b/c\n']).out).toBe('No such backend.\n\n');
  });
});

describe('weight parsing (server_parse_weight_change_request)', () => {
  it.each([
    ['50%', 4, true, { weight: 2 }],
    ['150%', 200, true, { weight: 256 }],
    ['0', 4, false, { weight: 0 }],
    ['100%', 4, false, { weight: 4 }],
    ['4', 4, false, { weight: 4 }],
    [' 12', 1, true, { weight: 12 }],
    ['257', 1, true, { error: 'Absolute weight can only be between 0 and 256 inclusive.\n' }],
    ['12x', 1, true, { error: 'Trailing garbage in weight string' }],
    ['x12', 1, true, { error: 'Empty weight string empty or preceded by garbage' }],
    ['-1%', 1, true, { error: 'Relative weight must be positive.\n' }],
    ['', 1, true, { error: 'Require <weight> or <weight%>.\n' }],
  ] as const)('"%s" with initial %i (dynamic %s) gives %j', (text, initial, dynamic, want) => {
    expect(parseWeightChange(text, initial, dynamic)).toEqual(want);
  });
});

describe('usage messages', () => {
  it('suggests the closest commands for a misspelt word after an exact one', () => {
    const msg = usageMessage(['show', 'stats']);
    expect(msg.split('\n')[0]).toBe('Unknown command, but maybe one of the following ones is a better match:');
    expect(msg).toContain('  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server\n');
    expect(msg).not.toContain('get weight');
  });

  it('lists every command for an empty line', () => {
    const msg = usageMessage([]);
    expect(msg.split('\n')[0]).toBe('Unknown command. Please enter one of the following commands only:');
    expect(msg).toContain('get weight <bk>/<srv>');
    expect(msg.endsWith('  quit                                    : disconnect\n')).toBe(true);
  });

  it('narrows help to the commands starting with the given words', () => {
    const msg = usageMessage(['help', 'get']);
    expect(msg.split('\n').filter((l) => l.startsWith('  ') && !/^  (help|prompt|quit)/.test(l))).toEqual([
      '  get acl <acl> <value>                   : report the patterns matching a sample for an ACL',
      '  get map <acl> <value>                   : report the keys and values matching a sample for a map',
      '  get var <name>                          : retrieve contents of a process-wide variable',
      "  get weight <bk>/<srv>                   : report a server's current weight",
    ]);
  });
});

describe('stats sockets', () => {
  let sockets: StatsSockets | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sockets?.close();
    sockets = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads HAProxy\'s address forms', () => {
    expect(parseSocketAddress('/run/haproxy.sock')).toEqual({ path: '/run/haproxy.sock' });
    expect(parseSocketAddress('unix@/tmp/a.sock')).toEqual({ path: '/tmp/a.sock' });
    expect(parseSocketAddress('ipv4@127.0.0.1:9999')).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(parseSocketAddress('127.0.0.2:1234')).toEqual({ host: '127.0.0.2', port: 1234 });
    expect(parseSocketAddress('fd@12')).toEqual({ fd: 12 });
    expect(() => parseSocketAddress('ipv4@127.0.0.1')).toThrow(/expected a unix path or "ipv4@127.0.0.1:PORT"/);
  });

  it('answers socat on an ipv4@127.0.0.1:PORT socket', async () => {
    const port = await freePort();
    sockets = await startStatsSockets([{ address: `ipv4@127.0.0.1:${port}`, level: 'admin', loc }], engine());
    expect(sockets.addresses).toEqual([`127.0.0.1:${port}`]);
    expect(await socat(`TCP:127.0.0.1:${port}`, 'show backend\n')).toBe('# name\nservers\nsrc\nchash\n\n');
  });

  it('replaces a stale unix socket file and answers socat on it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-sock-'));
    const path = join(dir, 'admin.sock');
    // A process that bound the path and died leaves the socket file behind.
    spawnSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`]);
    expect(existsSync(path)).toBe(true);
    sockets = await startStatsSockets([{ address: path, level: 'admin', loc }], engine());
    expect(await socat(path, 'get weight servers/server1\n')).toBe('2 (initial 2)\n\n');
  });

  it('rejects, naming the config line, when the port is taken, and listens nowhere', async () => {
    const busy = createServer();
    const port = await freePort();
    await new Promise<void>((r) => busy.listen(port, '127.0.0.1', () => r()));
    try {
      await expect(startStatsSockets([{ address: `ipv4@127.0.0.1:${port}`, level: 'admin', loc }], engine())).rejects.toThrow(
        /\[lab\.cfg:3\] : cannot bind stats socket "ipv4@127\.0\.0\.1:\d+" \(listen EADDRINUSE/,
      );
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });
});
