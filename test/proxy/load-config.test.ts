import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../proxy/load-config.ts';
import { formatDiagnostic } from '../../proxy/config/diagnostics.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'load-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const BASE = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

describe('loadConfig', () => {
  it('loads a file into a model and names the file in every location', () => {
    const f = write('haproxy.cfg', `${BASE}listen l\n    bind 127.0.0.1:8000\n    server s 127.0.0.1:1\n`);
    const r = loadConfig({ files: [f] });
    expect(r.model!.files).toEqual([f]);
    expect(r.model!.frontends[0]!.loc).toEqual({ file: f, line: 6, col: 1 });
  });

  it('reads several -f files as one config, sections restarting in each file like HAProxy', () => {
    const a = write('a.cfg', BASE);
    const b = write('b.cfg', 'frontend f\n    bind 127.0.0.1:8000\n    default_backend be\n');
    const c = write('c.cfg', 'backend be\n    server s 127.0.0.1:1\n');
    const r = loadConfig({ files: [a, b, c] });
    expect(r.model!.frontends[0]).toMatchObject({ name: 'f', mode: 'http', defaultBackend: 'be' });
    expect(r.model!.backends.get('be')!.loc.file).toBe(c);
    const d = write('d.cfg', '    maxconn 10\n');
    expect(loadConfig({ files: [b, d] }).diagnostics.map((x) => formatDiagnostic(x, 1))).toContain(
      `[ALERT]    (1) : config : parsing [${d}:1]: unknown keyword 'maxconn' out of section.`,
    );
  });

  it('loads the *.cfg files of a directory in name order', () => {
    mkdirSync(join(dir, 'conf.d'));
    write('conf.d/20-backend.cfg', 'backend be\n    server s 127.0.0.1:1\n');
    write('conf.d/10-defaults.cfg', BASE);
    write('conf.d/README', 'not a config');
    const r = loadConfig({ files: [join(dir, 'conf.d')] });
    expect(r.model!.files.map((f) => f.split('/').pop())).toEqual(['10-defaults.cfg', '20-backend.cfg']);
    expect(r.model!.backends.get('be')!.mode).toBe('http');
  });

  it('says which file could not be opened, as HAProxy does', () => {
    const r = loadConfig({ files: [join(dir, 'nope.cfg')] });
    expect(r.model).toBeNull();
    expect(r.diagnostics.map((x) => x.message)).toEqual([`Cannot open configuration file/directory ${join(dir, 'nope.cfg')} : No such file or directory`]);
  });

  it('alerts on a file without a final line feed, but not on an editor buffer', () => {
    const f = write('x.cfg', `${BASE}backend b\n    server s 127.0.0.1:1`);
    expect(loadConfig({ files: [f] }).diagnostics.map((x) => x.message)).toEqual(['Missing LF on last line, file might have been truncated at position 25.']);
    expect(loadConfig({ text: `${BASE}backend b\n    server s 127.0.0.1:1`, name: 'editor' }).model).not.toBeNull();
  });

  it('expands environment variables from the given environment', () => {
    const r = loadConfig({ text: `${BASE}listen l\n    bind "\${ADDR}:\${PORT}"\n    server s 127.0.0.1:1\n`, name: 'env.cfg' }, { env: { ADDR: '127.0.0.7', PORT: '9001' } });
    expect(r.model!.frontends[0]!.binds[0]).toMatchObject({ host: '127.0.0.7', port: 9001 });
  });

  it('keeps warnings with a model, and returns no model when there is an alert', () => {
    const ok = loadConfig({ text: `${BASE}listen l\n    bind 127.0.0.1:8000\n    email-alert from lab@example.org\n    server s 127.0.0.1:1\n`, name: 'w.cfg' });
    expect(ok.model).not.toBeNull();
    expect(ok.model!.diagnostics).toEqual(ok.diagnostics);
    expect(ok.diagnostics.map((d) => d.severity)).toEqual(['warning']);
    expect(loadConfig({ text: `${BASE}listen l\n    bogus\n`, name: 'e.cfg' }).model).toBeNull();
  });
});
