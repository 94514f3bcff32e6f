// --compare runs haproxy on a copy of the config: a peers section stays in it (its tables are what
// "table SECTION/NAME" names), with the local peer on a loopback port of its own and no remote peer to dial.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../proxy/index.ts';
import { haproxyCopy, outboundAddresses, peersSections } from '../../../lab/play/haproxy-copy.ts';
import { placeConfig } from '../../../lab/play/placement.ts';
import { freePort, listensOn } from '../../../lab/runtimes/ports.ts';
import { hasHaproxy } from '../../helpers/haproxy.ts';

const CONFIG = `global
    localpeer lb1
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
peers mesh
    peer lb1 10.0.0.1:10000
    peer lb2 10.0.0.2:10000
    log 10.0.0.9:514 local0
    table hits type ip size 1k expire 1m store http_req_rate(10s)
peers other
    bind 10.0.0.1:10001
    server lb1
    server lb2 10.0.0.2:10001
    table conns type ip size 1k store conn_cur
frontend web
    bind *:80
    http-request track-sc0 src table mesh/hits
    http-request track-sc1 src table other/conns
    http-request deny if { sc_http_req_rate(0) gt 10 }
    default_backend app
backend app
    server s1 127.0.0.1:8080
`;

function check(copy: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lab-copy-peers-'));
  try {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, copy);
    const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the haproxy copy of a config with peers sections', () => {
  it('keeps each section with its local peer on its own loopback port and its remote peers commented out', async () => {
    const model = loadConfig({ text: CONFIG, name: 'haproxy.cfg' }).model!;
    const place = await placeConfig(model, { freePort, listening: listensOn });
    expect(peersSections(CONFIG)).toEqual(['mesh', 'other']);
    const copy = haproxyCopy(CONFIG, place, new Map([[80, 30001]]), new Map([['mesh', 30101], ['other', 30102]]));
    const lines = copy.split('\n');
    expect(lines).toHaveLength(CONFIG.split('\n').length);
    expect(lines.slice(7, 17)).toEqual([
      'peers mesh',
      '    peer lb1 127.0.0.1:30101',
      '# lab: not dialled beside the engine: peer lb2 10.0.0.2:10000',
      '# lab: not run beside the engine: log 10.0.0.9:514 local0',
      '    table hits type ip size 1k expire 1m store http_req_rate(10s)',
      'peers other',
      '    bind 127.0.0.1:30102',
      '    server lb1',
      '# lab: not dialled beside the engine: server lb2 10.0.0.2:10001',
      '    table conns type ip size 1k store conn_cur',
    ]);
    expect(outboundAddresses(copy).filter((a) => !a.startsWith('127.'))).toEqual([]);
  });

  it.skipIf(!hasHaproxy)('is a config haproxy accepts, where dropping the sections made it refuse the tables', async () => {
    const model = loadConfig({ text: CONFIG, name: 'haproxy.cfg' }).model!;
    const place = await placeConfig(model, { freePort, listening: listensOn });
    const kept = check(haproxyCopy(CONFIG, place, new Map([[80, 30001]]), new Map([['mesh', 30101], ['other', 30102]])));
    expect(kept.out).not.toMatch(/ALERT/);
    expect(kept.ok).toBe(true);
    const dropped = check(haproxyCopy(CONFIG, place, new Map([[80, 30001]])));
    expect(dropped.ok).toBe(false);
    expect(dropped.out).toMatch(/unable to find table 'mesh\/hits'/);
  });
});
