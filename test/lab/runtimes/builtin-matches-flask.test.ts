// The builtin runtime must answer as the real Flask apps do, so machines without Python teach the same thing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apps, type AppEntry } from '../../../lab/runtimes/app-catalog.ts';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { freePort } from '../../../lab/runtimes/ports.ts';
import { ProcessRuntime } from '../../../lab/runtimes/process.ts';
import { checkPythonFlask } from '../../../lab/runtimes/python-check.ts';
import type { RuntimeHandle } from '../../../lab/runtimes/runtime.ts';
import { allowSet, request, type HttpAnswer } from './http-answer.ts';

const flask = await checkPythonFlask();
if (!flask.ok) console.warn(`[builtin-matches-flask] SKIPPED: ${flask.why}; ${flask.fix}`);

// Every route with each of its methods, HEAD and OPTIONS, a 404, and a 405 (GET on POST routes, POST on GET routes).
function probes(app: AppEntry): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const r of app.routes) {
    for (const m of r.methods) out.push([m, r.path]);
    out.push(['HEAD', r.path], ['OPTIONS', r.path], [r.methods.includes('GET') ? 'POST' : 'GET', r.path]);
    out.push(['PUT', r.path], ['DELETE', `${r.path}?q=1`]);
  }
  out.push(['GET', '/no-such-page'], ['POST', '/no-such-page'], ['GET', '/data/'], ['HEAD', '/missing']);
  return out;
}

function comparable(a: HttpAnswer) {
  return {
    status: a.status,
    reason: a.reason,
    body: a.body,
    contentType: a.headers['content-type'],
    contentLength: a.headers['content-length'],
    allow: allowSet(a),
    connection: a.headers['connection'],
  };
}

describe.skipIf(!flask.ok)('builtin runtime answers exactly as the real Flask apps', () => {
  const real = new ProcessRuntime();
  const builtin = new BuiltinRuntime();
  const handles = new Map<string, { flask: RuntimeHandle; builtin: RuntimeHandle }>();

  beforeAll(async () => {
    await Promise.all(
      apps.map(async (app) => {
        const [p1, p2] = [await freePort(), await freePort()];
        const [f, b] = await Promise.all([
          real.start({ app: app.id, name: app.name, hostPort: p1 }),
          builtin.start({ app: app.id, name: app.name, hostPort: p2 }),
        ]);
        handles.set(app.id, { flask: f, builtin: b });
      }),
    );
  });

  afterAll(async () => {
    await Promise.all([real.dispose(), builtin.dispose()]);
  });

  for (const app of apps) {
    it(`${app.id} (apps/${app.document}/${app.file}) gives the same status, reason, body and headers on every probe`, async () => {
      const h = handles.get(app.id)!;
      for (const [method, path] of probes(app)) {
        // POSTs carry a form body, as a browser submitting the document's form would.
        const body = method === 'POST' ? 'name=lab&message=hello' : undefined;
        const [f, b] = await Promise.all([request(h.flask.hostPort, method, path, body), request(h.builtin.hostPort, method, path, body)]);
        expect(comparable(b), `${method} ${path}`).toEqual(comparable(f));
      }
    });
  }

  it('logs one Werkzeug-style access line per request in both runtimes', async () => {
    const h = handles.get('ep9-app1')!;
    await request(h.flask.hostPort, 'GET', '/data');
    await request(h.builtin.hostPort, 'GET', '/data');
    const pattern = /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4} \d\d:\d\d:\d\d\] "GET \/data HTTP\/1\.1" 200 -$/;
    await expect.poll(() => h.flask.logs().some((l) => pattern.test(l))).toBe(true);
    expect(h.builtin.logs().some((l) => pattern.test(l))).toBe(true);
  });
});
