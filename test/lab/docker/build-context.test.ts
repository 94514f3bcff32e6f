// The build context as the docker CLI sends it, with and without .dockerignore; /proc/net/tcp as the listening check reads it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packContext, readBuildContext } from '../../../lab/docker/build-context.ts';
import { listensEverywhere, parseProcNetTcp } from '../../../lab/docker/learner-container.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(ignore: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-context-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'app.py'), 'print("hi")\n');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM python:3.9-slim\n');
  mkdirSync(join(dir, 'venv', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
  writeFileSync(join(dir, 'venv', 'lib', 'big.bin'), Buffer.alloc(4096));
  symlinkSync('/usr/bin/python3', join(dir, 'venv', 'python'));
  mkdirSync(join(dir, '__pycache__'));
  writeFileSync(join(dir, '__pycache__', 'app.cpython-311.pyc'), Buffer.alloc(300));
  if (ignore !== null) writeFileSync(join(dir, '.dockerignore'), ignore);
  return dir;
}

describe('build context', () => {
  it('sends every file when there is no .dockerignore', () => {
    const c = readBuildContext(project(null));
    expect(c.dockerignore).toBe(false);
    expect(c.entries.filter((e) => e.kind !== 'dir').map((e) => e.path)).toEqual([
      'Dockerfile', '__pycache__/app.cpython-311.pyc', 'app.py', 'venv/lib/big.bin', 'venv/python', 'venv/pyvenv.cfg',
    ]);
    expect(c.bytes).toBe(12 + 21 + 4096 + 16 + 300);
    expect(c.ignored).toEqual([]);
  });

  it('leaves out what .dockerignore lists, directories with everything under them, and still sends the rest', () => {
    const dir = project('venv/\n__pycache__\n*.md\n');
    const c = readBuildContext(dir);
    expect(c.dockerignore).toBe(true);
    expect(c.entries.map((e) => e.path)).toEqual(['.dockerignore', 'Dockerfile', 'app.py']);
    expect(c.ignored.filter((e) => e.kind !== 'dir').map((e) => e.path)).toEqual([
      '__pycache__/app.cpython-311.pyc', 'venv/lib/big.bin', 'venv/python', 'venv/pyvenv.cfg',
    ]);
    const without = readBuildContext(dir, false);
    expect(without.files).toBe(7);
    expect(c.files).toBe(3);
    expect(without.bytes - c.bytes).toBe(4096 + 16 + 300);
  });

  it("honours '!' exceptions and '**' as Docker does", () => {
    const c = readBuildContext(project('venv\n!venv/pyvenv.cfg\n**/*.pyc\n'));
    expect(c.entries.filter((e) => e.kind !== 'dir').map((e) => e.path)).toEqual(['.dockerignore', 'Dockerfile', 'app.py', 'venv/pyvenv.cfg']);
  });

  it('packs a tar whose entries are the context, with a file replaced when asked', () => {
    const c = readBuildContext(project('venv/\n__pycache__/\n'));
    const tar = packContext(c, new Map([['Dockerfile', 'FROM local/python\n']]));
    expect(tar.length % 512).toBe(0);
    const names: string[] = [];
    for (let off = 0; off + 512 <= tar.length; ) {
      const name = tar.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
      if (!name) break;
      const size = parseInt(tar.subarray(off + 124, off + 136).toString('utf8'), 8);
      names.push(name);
      if (name === 'Dockerfile') expect(tar.subarray(off + 512, off + 512 + size).toString('utf8')).toBe('FROM local/python\n');
      off += 512 + Math.ceil(size / 512) * 512;
    }
    expect(names).toEqual(['.dockerignore', 'Dockerfile', 'app.py']);
  });
});

describe('listening sockets from /proc/net/tcp', () => {
  it('reads 127.0.0.1:5000 and 0.0.0.0:5000 listeners and ignores established connections', () => {
    const v4 = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 00000000:1389 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   2: 0100007F:1388 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1',
    ].join('\n');
    const ls = parseProcNetTcp(v4, false);
    expect(ls).toEqual([{ address: '127.0.0.1', port: 5000 }, { address: '0.0.0.0', port: 5001 }]);
    expect(ls.map(listensEverywhere)).toEqual([false, true]);
  });

  it('reads IPv6 any and loopback', () => {
    const v6 = [
      '  sl  local_address                         remote_address                        st',
      '   0: 00000000000000000000000000000000:1388 00000000000000000000000000000000:0000 0A',
      '   1: 00000000000000000000000001000000:1389 00000000000000000000000000000000:0000 0A',
    ].join('\n');
    expect(parseProcNetTcp(v6, true)).toEqual([{ address: '::', port: 5000 }, { address: '::1', port: 5001 }]);
  });
});
