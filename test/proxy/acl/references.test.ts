// Backend, frontend and server names in fetch arguments: resolved when the config loads with haproxy's messages,
// and read at request time from the engine's state view.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasHaproxy } from '../../helpers/haproxy.ts';
import { createAclRegistry, parseCondition, type AclParseContext } from '../../../proxy/acl/index.ts';
import { formatDiagnostic } from '../../../proxy/config/diagnostics.ts';
import { loadConfig } from '../../../proxy/load-config.ts';
import { type ProxyStateView } from '../../../proxy/sample/index.ts';
import type { Word } from '../../../proxy/config/diagnostics.ts';
import { httpCtx } from './raw-http.ts';

function toWords(text: string, file: string, line: number): Word[] {
  return text.split(' ').map((t, col) => ({ text: t, loc: { file, line, col } }));
}

describe('names in fetch arguments', () => {
  const FRONTEND_ACLS = [
    'dead nbsrv(nope) lt 1',
    'dead2 nbsrv lt 1',
    'ok nbsrv(b) lt 1',
    'busy be_conn(f) gt 10',
    'sup srv_is_up(b/s)',
    'sup2 srv_is_up(b/zz)',
    'sup3 srv_is_up(zz/s)',
    'sup4 srv_is_up(s)',
    'fc fe_conn gt 3',
    'fc2 fe_conn(b) gt 3',
    'fc3 fe_conn(l) gt 3',
    'q queue(l) gt 0',
  ];
  const BACKEND_ACLS = ['mine nbsrv lt 1', 'conn srv_conn(s) gt 1', 'fe fe_conn gt 1'];

  // Each section's unresolved names, in the order haproxy -c prints them.
  function haproxyErrors(feAcls: readonly string[], beAcls: readonly string[]): { theirs: string[]; ours: string[] } {
    const head = ['defaults', '  mode http', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s', 'frontend f', '  bind 127.0.0.1:1'];
    const mid = ['  default_backend b', 'backend b', '  server s 127.0.0.1:9'];
    const lines = [...head, ...feAcls.map((a) => `  acl ${a}`), ...mid, ...beAcls.map((a) => `  acl ${a}`), 'listen l', '  bind 127.0.0.1:2', '  server t 127.0.0.1:9'];
    const dir = mkdtempSync(join(tmpdir(), 'acl-refs-'));
    try {
      const file = join(dir, 'refs.cfg');
      writeFileSync(file, lines.join('\n') + '\n');
      const out = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
      const resolution = (text: string) => [...text.matchAll(/(parsing \[[^\]]+\]: .*)$/gm)].map((m) => m[1]!);
      const theirs = resolution(out.stdout + out.stderr);
      const ours = resolution(loadConfig({ files: [file] }).diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
      return { theirs, ours };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.skipIf(!hasHaproxy)('are checked with the messages of haproxy -c, in a frontend', () => {
    const { theirs, ours } = haproxyErrors(FRONTEND_ACLS, []);
    expect(theirs.length).toBeGreaterThan(3);
    expect(ours).toEqual(theirs);
  });

  it.skipIf(!hasHaproxy)('are checked with the messages of haproxy -c, in a backend', () => {
    const { theirs, ours } = haproxyErrors([], BACKEND_ACLS);
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs);
  });

  it.skipIf(!hasHaproxy)('accept what haproxy -c accepts', () => {
    const { theirs, ours } = haproxyErrors(['ok nbsrv(b) lt 1', 'l fe_conn(l) 1', 'u srv_is_up(l/t)'], ['mine nbsrv lt 1', 'c srv_conn(s) 1']);
    expect(theirs).toEqual([]);
    expect(ours).toEqual([]);
  });

  it('read the engine state, defaulting to the section the ACL is written in', () => {
    const state: ProxyStateView = {
      nbsrv: (b) => (b === 'app' ? 0 : b === 'web' ? 2 : undefined),
      beConn: (b) => (b === 'web' ? 12 : undefined),
      feConn: (f) => (f === 'fe' ? 4 : undefined),
      queue: () => 0,
      srvIsUp: (b, s) => (b === 'web' ? s === 'w1' : undefined),
      srvConn: () => 3,
    };
    const ctx: AclParseContext = { baseDir: '/tmp', mode: 'http', proxy: 'web', warn: () => undefined };
    const reg = createAclRegistry();
    for (const a of ['app_dead nbsrv(app) lt 1', 'me_ok nbsrv ge 2', 'busy be_conn gt 10', 'up srv_is_up(w1)', 'up2 srv_is_up(web/w2)', 'fe fe_conn(fe) 4', 'gone nbsrv(nope) -m found']) {
      expect(reg.define(toWords(a, 'x.cfg', 1), ctx)).toBeNull();
    }
    const req = { ...httpCtx({ uri: '/' }), state };
    const check = (name: string): boolean => {
      const r = parseCondition('if', toWords(name, 'x.cfg', 2), reg, ctx);
      if ('error' in r) throw new Error(r.error);
      return r.cond.test(req);
    };
    expect(check('app_dead')).toBe(true);
    expect(check('me_ok')).toBe(true);
    expect(check('busy')).toBe(true);
    expect(check('up')).toBe(true);
    expect(check('up2')).toBe(false);
    expect(check('fe')).toBe(true);
    expect(check('gone')).toBe(false);
    const noState = httpCtx({ uri: '/' });
    const r = parseCondition('if', toWords('app_dead', 'x.cfg', 3), reg, ctx);
    if ('error' in r) throw new Error(r.error);
    expect(r.cond.test(noState)).toBe(false);
  });
});
