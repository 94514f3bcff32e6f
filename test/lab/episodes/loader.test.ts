import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appById } from '../../../lab/runtimes/app-catalog.ts';
import { listEpisodeIds, loadAllEpisodes } from '../../../lab/episodes/loader.ts';
import { bindPorts, makeMapping } from '../../../lab/episodes/mapping.ts';
import { parseCurl } from '../../../lab/traffic/request-spec.ts';

const { episodes, errors } = loadAllEpisodes();

describe('the shipped episodes', () => {
  it('all load without schema errors, in the documents order', () => {
    expect(errors.map((e) => `${e.loc.file}:${e.loc.line}: ${e.message}`)).toEqual([]);
    expect(episodes.map((e) => e.id)).toEqual(['ep9-weighted-rr', 'ep4-acl', 'ep2-tcp-proxy', 'docker-ep10']);
    expect(listEpisodeIds()).toHaveLength(4);
  });

  it('start only apps the runtimes know, each on the port its document uses', () => {
    for (const e of episodes) {
      for (const a of e.apps) {
        const entry = appById(a.app);
        // EP 2 runs its one app twice (5000 and 5001); every other app keeps the catalog's port.
        if (!(e.id === 'ep2-tcp-proxy' && a.name === 'flask2')) expect(a.port, `${e.id}/${a.name}`).toBe(entry.defaultPort);
        // The text the tally looks for is what the app really answers.
        if (a.answers) expect(entry.routes.some((r) => r.body.includes(a.answers!)), `${e.id}/${a.name}`).toBe(true);
      }
    }
  });

  it("map every server line of every config onto an app the step starts", () => {
    for (const e of episodes) {
      for (const s of e.steps) {
        const apps = e.apps.filter((a) => s.apps.includes(a.name)).map((a, i) => ({ name: a.name, app: a.app, docPort: a.port, addresses: a.addresses, hostPort: 40000 + i }));
        const m = makeMapping(new Map([[80, 39080], [4000, 39400]]), apps, 39999);
        for (const file of [s.config, s.solution].filter((f): f is string => f !== null)) {
          for (const srv of m.scan(readFileSync(file, 'utf8')).servers) {
            expect(srv.target.app, `${e.id}/${s.id}: ${srv.backend}/${srv.server} ${srv.written}`).toBeDefined();
          }
        }
      }
    }
  });

  it('replay curl commands that go to a port the step serves', () => {
    for (const e of episodes) {
      for (const s of e.steps) {
        const served = new Set([...(s.config ? bindPorts(readFileSync(s.config, 'utf8')) : []), ...e.apps.filter((a) => s.apps.includes(a.name)).map((a) => a.port), ...(s.docker?.run ? [s.docker.run.port] : []), ...(s.docker?.stack?.containers.flatMap((c) => (c.publish ? [c.publish] : [])) ?? [])]);
        for (const x of s.experiments) {
          const url = new URL(parseCurl(x.curl).spec.url);
          expect(served.has(Number(url.port || 80)), `${e.id}/${s.id}/${x.id}: ${x.curl}`).toBe(true);
        }
      }
    }
  });

  it('give every step an explanation, and every edit step a task and a solution file', () => {
    for (const e of episodes) {
      for (const s of e.steps) {
        expect(s.explain.length, `${e.id}/${s.id}`).toBeGreaterThan(80);
        if (s.solution) {
          expect(existsSync(s.solution)).toBe(true);
          expect(s.task).toBeDefined();
          expect(readFileSync(s.solution, 'utf8')).not.toBe(readFileSync(s.config!, 'utf8'));
        }
      }
    }
  });

  it("cover every example of EP 4 and block sources the document lost with 127.0.0.0/8 ranges", () => {
    const ep4 = episodes.find((e) => e.id === 'ep4-acl')!;
    const texts = ep4.steps.flatMap((s) => [s.config, s.solution]).filter((f): f is string => f !== null).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const acl of ['path_beg /static', 'acl block_ip src 127.66.0.0/16', 'method POST', 'req.hdr(User-Agent) -i -m sub Mobile', 'acl is_internal_network src 127.10.0.0/16', 'path_beg /submit']) {
      expect(texts).toContain(acl);
    }
    const curls = ep4.steps.flatMap((s) => s.experiments.map((x) => x.curl));
    expect(curls).toContain('curl --interface 127.66.0.5 http://localhost/');
    expect(curls).toContain('curl --interface 127.10.0.7 http://localhost/admin');
  });

  it("keep the documents' curl commands verbatim", () => {
    const curls = episodes.flatMap((e) => e.steps.flatMap((s) => s.experiments.map((x) => x.curl)));
    for (const c of ['curl http://localhost/', 'curl http://localhost/data', 'curl http://localhost:4000/', 'curl http://localhost:5000/']) expect(curls).toContain(c);
  });
});
