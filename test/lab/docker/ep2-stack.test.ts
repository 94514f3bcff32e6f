// EP 2 on a real engine: flask-app and haproxy-tcp built from the learner's files, real HAProxy in a container in
// front of the app on a labelled network, then two app containers. The solution passes; the printed files, a server
// name not on the network, an app on the container's loopback and both wrong scale-ups fail with the reason; nothing
// is left behind, also after a crash.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { packContext } from '../../../lab/docker/build-context.ts';
import { COMPOSE_IMAGE_LABEL } from '../../../lab/docker/compose-stack.ts';
import { removeStaleStacks, STACK_LABEL } from '../../../lab/docker/stack.ts';
import { spawnReaper } from '../../../lab/docker/stack-reaper.ts';
import { engineDriver } from '../../../lab/episodes/engine-driver.ts';
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import { proveEpisode, type EpisodeProof } from '../../../lab/episodes/prove.ts';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { containersLabelled, docker, dockerUp, removeDanglingLabelled, removeImagesTagged } from '../../helpers/docker.ts';

const run = randomBytes(4).toString('hex');
const prefix = `haproxy-lab-test-${run}/`;
const labels = { 'haproxy-lab.test-run': run };
const episode = loadEpisode('ep2-tcp-proxy');
const dockerSteps = episode.steps.filter((s) => s.needs.includes('docker'));
if (!dockerUp) console.warn('[ep2 containers] SKIPPED: no Docker engine answers (see `lab doctor`)');

const networksLabelled = async (label: string) => (dockerUp ? docker.listNetworks({ filters: { label: [label] } }) : []);

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

afterAll(async () => {
  for (const c of await containersLabelled(`haproxy-lab.test-run=${run}`)) await docker.getContainer(c.Id).remove({ force: true });
  for (const n of await networksLabelled(`haproxy-lab.test-run=${run}`)) await docker.getNetwork(n.Id).remove().catch(() => {});
  await removeImagesTagged(prefix);
  await removeDanglingLabelled(`haproxy-lab.test-run=${run}`);
  if (dockerUp) for (const i of await docker.listImages({ filters: { label: [`haproxy-lab.test-run=${run}`] } })) await docker.getImage(i.Id).remove({ force: true }).catch(() => {});
});

describe.skipIf(!dockerUp)('EP 2 in containers on a real Docker engine', () => {
  let proof: EpisodeProof;
  const progress: string[] = [];

  it('proves both container steps: the solution passes, the printed files and each wrong answer fail', async () => {
    const t0 = Date.now();
    proof = await proveEpisode({
      episode, runtime: new BuiltinRuntime(), driver: engineDriver, steps: dockerSteps.map((s) => s.id),
      stepOptions: { docker, imagePrefix: prefix, labels }, progress: (l) => progress.push(l),
    });
    console.log(`[ep2 containers] ${proof.runs.length} step runs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(proof.answers.filter((a) => a.status !== 'ok').map((a) => `${a.step}: ${a.answer}: ${a.problem}`)).toEqual([]);
    expect(proof.answers).toHaveLength(dockerSteps.length * 2 + dockerSteps.reduce((n, s) => n + s.wrongFiles.length, 0));
    expect(proof.status).toBe('pass');
  }, 300_000);

  const failedOn = (step: string, answer: RegExp): string[] =>
    proof.answers.find((a) => a.step === step && answer.test(a.answer))!.failed.map((c) => `${c.check.title} :: ${c.observed}`);

  it('runs real HAProxy in its container in front of the app: its own tcplog names the server', () => {
    const ok = proof.runs.find((r) => r.step.id === 'in-containers' && r.status === 'pass')!;
    const exp = ok.experiments[0]!;
    expect(exp.observations.map((o) => `${o.status} ${o.body} ${o.backend}/${o.server}`)).toEqual(Array(3).fill('200 Hello from Flask over TCP! flask_backend/flask1'));
    // HAProxy's raw tcplog line: client, date, frontend, backend/server, timers, bytes, termination state.
    expect(exp.logs.filter((l) => / tcp_front flask_backend\/flask1 \d+\/\d+\/\d+ \d+ -- /.test(l))).toHaveLength(3);
    expect(exp.received).toEqual(new Map([['flask1', 3]]));
    expect(ok.mapping).toEqual([expect.stringMatching(/^localhost:4000 → 127\.0\.0\.1:\d+ {2}\(app haproxy, container haproxy\)$/)]);
    expect(progress).toContain("FROM haproxy:2.4 → haproxy-lab/haproxy:bookworm (haproxy:2.4 is not on this machine and cannot be pulled here; the stand-in is Debian bookworm's)");
    expect(progress.some((l) => /^docker run -d --network haproxy-lab-\S+ --name haproxy -p 127\.0\.0\.1:\d+:4000 haproxy-tcp: running$/.test(l))).toBe(true);
    expect(progress.some((l) => /^docker run -d --network haproxy-lab-\S+ --name flask1 flask-app: running$/.test(l))).toBe(true);
  });

  it('catches a server name that is not on the network: HAProxy stops with its own alert', () => {
    const lines = failedOn('in-containers', /unknown-name/);
    expect(lines[0]).toMatch(/^HAProxy's container is running :: haproxy \(haproxy-tcp\) exited \(code 1\); its last output: .*could not resolve address 'flask-app'/);
    expect(lines.some((l) => l.startsWith('The proxy on 4000 answers'))).toBe(true);
  });

  it("catches the app on the container's loopback, and says why HAProxy's connections cannot reach it", () => {
    for (const answer of [/starting files/, /loopback/]) {
      const lines = failedOn('in-containers', answer);
      expect(lines[0]).toMatch(/^Inside flask1 the app listens on 0\.0\.0\.0:5000 :: the app listens on 127\.0\.0\.1:5000 inside the container: that is the container's own loopback\. The other containers connect to flask1's address on the network/);
      expect(lines.some((l) => /^The app's container received every connection :: flask1 0 of 3, 3 reached no app container/.test(l))).toBe(true);
    }
  });

  it('scales to two app containers: the log names both, and each container really received half', () => {
    const ok = proof.runs.find((r) => r.step.id === 'scale-containers' && r.status === 'pass')!;
    const exp = ok.experiments[0]!;
    expect(exp.observations.map((o) => o.server)).toEqual(['flask1', 'flask2', 'flask1', 'flask2', 'flask1', 'flask2', 'flask1', 'flask2', 'flask1', 'flask2']);
    expect(exp.received).toEqual(new Map([['flask1', 5], ['flask2', 5]]));
  });

  it("catches a second server line that leads to the first container: the log says flask2, flask1's access log got all", () => {
    expect(failedOn('scale-containers', /same-container/)).toEqual([
      expect.stringMatching(/^Each app container really received half of the connections :: flask1 10, flask2 0 of 10; the proxy's log named flask1 ×5; flask2 ×5$/),
    ]);
  });

  it("catches the document's 127.0.0.1:5001 inside HAProxy's container: connections to flask2 go nowhere", () => {
    const lines = failedOn('scale-containers', /document-port/);
    expect(lines.some((l) => /^Every connection is answered :: .*no answer/.test(l))).toBe(true);
  });

  it('leaves no container and no network behind', async () => {
    expect(await containersLabelled(`haproxy-lab.test-run=${run}`)).toEqual([]);
    expect(await networksLabelled(`haproxy-lab.test-run=${run}`)).toEqual([]);
  });

  it("removes a crashed lab's stack (containers, then its network) on the next start, and an exiting lab's through its reaper", async () => {
    const make = async (stack: string, owner: string): Promise<void> => {
      const l = { 'haproxy-lab': '1', [STACK_LABEL]: stack, 'haproxy-lab.owner-pid': owner, ...labels };
      const net = await docker.createNetwork({ Name: `haproxy-lab-test-${stack}`, Labels: l });
      await docker.createContainer({ Image: `${prefix}flask-app`, Labels: l, HostConfig: { NetworkMode: net.id } });
    };
    await make(`${run}-crashed`, '999999999');
    expect(await removeStaleStacks(docker)).toBeGreaterThanOrEqual(2);
    expect(await containersLabelled(`${STACK_LABEL}=${run}-crashed`)).toEqual([]);
    expect(await networksLabelled(`${STACK_LABEL}=${run}-crashed`)).toEqual([]);
    // A living lab's stack is not touched by someone else's start.
    await make(`${run}-alive`, String(process.pid));
    await removeStaleStacks(docker);
    expect(await containersLabelled(`${STACK_LABEL}=${run}-alive`)).toHaveLength(1);
    spawnReaper(`${run}-alive`);
    expect(await until(async () => (await containersLabelled(`${STACK_LABEL}=${run}-alive`)).length === 0 && (await networksLabelled(`${STACK_LABEL}=${run}-alive`)).length === 0, 20_000)).toBe(true);
  }, 60_000);

  it("removes the images a crashed lab's compose stack built, and keeps a living one's", async () => {
    const build = async (stack: string, owner: string): Promise<void> => {
      const tar = packContext(
        { dir: '/', dockerignore: false, ignored: [], files: 1, bytes: 0, entries: [{ path: 'Dockerfile', kind: 'file', size: 0, mode: 0o644 }] },
        new Map([['Dockerfile', `FROM haproxy-lab/python-flask:bookworm\nLABEL n=${stack}\n`]]),
      );
      const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, {
        t: `${prefix}compose-${stack}`, labels: { [COMPOSE_IMAGE_LABEL]: stack, 'haproxy-lab.owner-pid': owner, ...labels }, rm: true, forcerm: true,
      });
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())));
    };
    const images = (stack: string) => docker.listImages({ filters: { label: [`${COMPOSE_IMAGE_LABEL}=${stack}`] } });
    await build(`${run}-gone`, '999999999');
    await build(`${run}-here`, String(process.pid));
    await removeStaleStacks(docker);
    expect(await images(`${run}-gone`)).toEqual([]);
    expect(await images(`${run}-here`)).toHaveLength(1);
  }, 60_000);
});
