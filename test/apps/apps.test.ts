// The documents' apps as files: the lines the documents lost are back, and the catalog matches the code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appDir, apps, appsRoot, documents } from '../../lab/runtimes/app-catalog.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';

const read = (...p: string[]) => readFileSync(path.join(appsRoot, ...p), 'utf8');

describe('apps/', () => {
  it('has one folder per document, each with a .dockerignore', () => {
    for (const d of documents) expect(existsSync(path.join(appsRoot, d.id, '.dockerignore')), d.id).toBe(true);
  });

  for (const app of apps) {
    describe(`${app.document}/${app.file}`, () => {
      const py = read(app.document, app.file);

      it('declares every catalog route with its decorator and returns the catalog body', () => {
        for (const r of app.routes) {
          const methods = r.methods.join("', '");
          const decorator = r.methods.length === 1 && r.methods[0] === 'GET' && !py.includes('methods=')
            ? `@app.route('${r.path}')`
            : `@app.route('${r.path}', methods=['${methods}'])`;
          expect(py).toContain(decorator);
          expect(py).toMatch(new RegExp(`return ["']${r.body.replace(/[.*+?^${}()|[\]\\!]/g, '\\$&')}["']`));
        }
        expect(py.match(/@app\.route\(/g)).toHaveLength(app.routes.length);
      });

      it("listens on 0.0.0.0 and the document's port unless HOST/PORT say otherwise", () => {
        expect(py).toMatch(new RegExp(`host=os\\.environ\\.get\\(["']HOST["'], ["']0\\.0\\.0\\.0["']\\)`));
        expect(py).toMatch(new RegExp(`port=int\\(os\\.environ\\.get\\(["']PORT["'], ["']${app.defaultPort}["']\\)\\)`));
      });

      it('has a Dockerfile with the base image as a build argument, WORKDIR /app, EXPOSE and a guarded pip install', () => {
        const lines = read(app.document, app.dockerfile).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
        expect(lines[0]).toBe('ARG BASE_IMAGE=python:3.9-slim');
        expect(lines[1]).toBe('FROM ${BASE_IMAGE}');
        expect(lines).toContain('WORKDIR /app');
        expect(lines).toContain(`EXPOSE ${app.defaultPort}`);
        expect(lines.find((l) => l.startsWith('RUN '))).toMatch(/^RUN python -c "import flask" 2>\/dev\/null \|\| pip install (--no-cache-dir )?[Ff]lask$/);
        expect(lines.at(-1)).toBe(`CMD ["python", "${app.file}"]`);
        expect(existsSync(path.join(appDir(app), app.file))).toBe(true);
      });
    });
  }

  it("keeps EP 9's weighted round robin with the global and defaults sections restored", () => {
    const cfg = read('ep9-weighted-rr', 'haproxy.cfg');
    expect(cfg).toMatch(/^global\n {4}log stdout format raw local0\n\ndefaults\n {4}log {5}global\n/);
    expect(cfg).toContain('    server server1 app1:5001 weight 2 check\n    server server2 app2:5002 weight 1 check\n    server server3 app3:5003 weight 3 check\n');
  });

  it('keeps EP 10 Dockerfile lines: --no-cache-dir, COPY . /app and ENV NAME World', () => {
    const lines = read('docker-ep10', 'Dockerfile').split('\n');
    expect(lines).toContain('COPY . /app');
    expect(lines).toContain('ENV NAME World');
    expect(read('docker-ep10', '.dockerignore')).toMatch(/^venv\/$/m);
  });
});

describe.skipIf(!hasHaproxy)('the documents haproxy.cfg files are valid for real haproxy', () => {
  for (const doc of ['ep9-weighted-rr', 'ep4-acl', 'ep2-tcp-proxy']) {
    it(`haproxy -c accepts apps/${doc}/haproxy.cfg (compose service names mapped to 127.0.0.1)`, () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-cfg-'));
      try {
        const file = path.join(dir, 'haproxy.cfg');
        writeFileSync(file, read(doc, 'haproxy.cfg').replace(/\bapp(\d):/g, '127.0.0.1:'));
        const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
        expect(r.status, r.stdout + r.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
