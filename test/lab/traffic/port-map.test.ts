import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearPortMap, parsePortPairs, portMapPath, readActivePortMap, resolveTarget, writePortMap } from '../../../lab/traffic/port-map.ts';

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-portmap-'));
  env = { XDG_STATE_HOME: dir, HOME: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('port map', () => {
  it("moves the documents' localhost ports onto the lab's, keeping the Host the URL names", () => {
    const map = { ports: { '80': 40080, '4000': 40400 } };
    expect(resolveTarget('http://localhost/data?x=1', map)).toEqual({ host: '127.0.0.1', port: 40080, hostHeader: 'localhost', path: '/data?x=1', mapped: 'localhost:80 → 127.0.0.1:40080' });
    expect(resolveTarget('http://localhost:4000/', map).port).toBe(40400);
    expect(resolveTarget('http://127.0.0.2:9/', map)).toMatchObject({ host: '127.0.0.2', port: 9 });
    expect(resolveTarget('http://localhost:9/', null)).toMatchObject({ host: '127.0.0.1', port: 9 });
  });

  it('sends traffic only to this machine', () => {
    expect(() => resolveTarget('http://example.com/', null)).toThrow(/only to this machine/);
    expect(() => resolveTarget('http://10.0.0.1/', null)).toThrow(/only to this machine/);
  });

  it('publishes the map in the state dir and reads it back while its owner runs', () => {
    writePortMap({ episode: 'ep9', ports: { '80': 40080 } }, env);
    expect(portMapPath(env)).toBe(join(dir, 'haproxy-lab', 'ports.json'));
    expect(readActivePortMap(env)).toMatchObject({ episode: 'ep9', pid: process.pid, ports: { '80': 40080 } });
    clearPortMap(env);
    expect(readActivePortMap(env)).toBeNull();
  });

  it('ignores a map whose owner is gone and leaves a map another process owns', () => {
    writePortMap({ ports: { '80': 1 }, pid: 2 ** 22 + 12345 }, env);
    expect(readActivePortMap(env)).toBeNull();
    clearPortMap(env);
    writePortMap({ ports: { '80': 1 }, pid: process.ppid }, env);
    clearPortMap(env);
    expect(readActivePortMap(env)?.pid).toBe(process.ppid);
  });

  it('parses --map pairs and names a bad one', () => {
    expect(parsePortPairs('80=40080, 4000:40400')).toEqual({ '80': 40080, '4000': 40400 });
    expect(() => parsePortPairs('80')).toThrow(/expected DOCPORT=LABPORT/);
  });
});
