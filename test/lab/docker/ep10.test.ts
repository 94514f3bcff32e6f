// Docker EP 10 on a real engine: the learner's Dockerfile, .dockerignore and app.py built and run; the solution
// passes, the document's files as printed and every stored wrong answer fail with the reason; nothing is left behind.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { imageReport } from '../../../lab/docker/image-report.ts';
import { removeStaleLearnerContainers } from '../../../lab/docker/learner-container.ts';
import { DOCKERFILE_LABEL, sha256 } from '../../../lab/docker/learner-image.ts';
import { engineDriver } from '../../../lab/episodes/engine-driver.ts';
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import { proveEpisode, type EpisodeProof } from '../../../lab/episodes/prove.ts';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { readFileSync } from 'node:fs';
import { containersLabelled, docker, dockerUp, removeDanglingLabelled, removeImagesTagged } from '../../helpers/docker.ts';

const run = randomBytes(4).toString('hex');
const prefix = `haproxy-lab-test-${run}/`;
const labels = { 'haproxy-lab.test-run': run };
const episode = loadEpisode('docker-ep10');
const dockerSteps = episode.steps.filter((s) => s.needs.includes('docker'));
if (!dockerUp) console.warn('[docker-ep10] SKIPPED: no Docker engine answers (see `lab doctor`)');

afterAll(async () => {
  for (const c of await containersLabelled(`haproxy-lab.test-run=${run}`)) await docker.getContainer(c.Id).remove({ force: true });
  await removeImagesTagged(prefix);
  await removeDanglingLabelled(`haproxy-lab.test-run=${run}`);
});

describe.skipIf(!dockerUp)('docker-ep10 on a real Docker engine', () => {
  let proof: EpisodeProof;
  const progress: string[] = [];

  it('proves every Docker step: the solution passes, the printed files and each wrong answer fail', async () => {
    const t0 = Date.now();
    proof = await proveEpisode({
      episode, runtime: new BuiltinRuntime(), driver: engineDriver, steps: dockerSteps.map((s) => s.id),
      stepOptions: { docker, imagePrefix: prefix, labels }, progress: (l) => progress.push(l),
    });
    console.log(`[docker-ep10] ${proof.runs.length} step runs (one build each) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(proof.answers.filter((a) => a.status !== 'ok').map((a) => `${a.step}: ${a.answer}: ${a.problem}`)).toEqual([]);
    const wrongCount = dockerSteps.reduce((n, s) => n + s.wrongFiles.length, 0);
    expect(proof.answers).toHaveLength(dockerSteps.length * 2 + wrongCount);
    expect(proof.status).toBe('pass');
  }, 300_000);

  const failedOn = (step: string, answer: RegExp): string[] =>
    proof.answers.find((a) => a.step === step && answer.test(a.answer))!.failed.map((c) => `${c.check.title} :: ${c.observed}`);

  it("reads the image's settings back: the printed Dockerfile lacks WORKDIR, EXPOSE and ENV", () => {
    const [line] = failedOn('write-dockerfile', /starting files/);
    expect(line).toMatch(/its working directory is unset \(\/\); it exposes no port, not 5000; no NAME in its environment/);
    expect(failedOn('write-dockerfile', /no-expose/)[0]).toMatch(/WORKDIR \/app, EXPOSE none; but it exposes no port, not 5000$/);
  });

  it('labels the image with the digest of the Dockerfile it was built from', async () => {
    const info = await docker.getImage(`${prefix}flask-docker-app`).inspect();
    // The last run was the in-a-container step's last wrong answer: the Dockerfile without COPY.
    const noCopy = readFileSync(episode.steps.find((s) => s.id === 'in-a-container')!.wrongFiles.find((w) => w.file === 'Dockerfile')!.path, 'utf8');
    expect(info.Config.Labels[DOCKERFILE_LABEL]).toBe(sha256(noCopy));
    expect(info.Config.Labels).toMatchObject({ 'haproxy-lab.learner': '1', 'haproxy-lab.episode': 'docker-ep10', 'haproxy-lab.test-run': run });
    // Not haproxy-lab=1: the lab prunes dangling images with that label, and must not prune the learner's builds.
    expect(info.Config.Labels['haproxy-lab']).toBeUndefined();
  });

  it('shows what .dockerignore keeps out: venv/ and __pycache__/ sent without it, left out with it', () => {
    expect(failedOn('dockerignore', /starting files/)[0]).toMatch(/^venv\/ and __pycache__\/ stay out.* :: venv\/ was sent \(venv\/, .*\); __pycache__\/ was sent .*\(no \.dockerignore|with \.dockerignore/);
    expect(failedOn('dockerignore', /venv-only/)[0]).toMatch(/__pycache__\/ was sent/);
    expect(failedOn('dockerignore', /everything/)).toEqual([expect.stringMatching(/^app\.py is still sent :: app\.py was not sent \(\.dockerignore excludes it\)/)]);
    const solution = proof.runs.find((r) => r.step.id === 'dockerignore' && r.status === 'pass')!;
    const b = solution.docker!.build!;
    expect(b.context.entries.map((e) => e.path).sort()).toEqual(['.dockerignore', 'Dockerfile', 'app.py']);
    expect(b.unignored.files).toBeGreaterThan(b.context.files + 5);
    expect(b.unignored.entries.some((e) => e.path.startsWith('venv/bin/'))).toBe(true);
  });

  it('catches an app listening on 127.0.0.1 inside the container, and says why the published port leads nowhere', () => {
    for (const answer of [/starting files/, /loopback/]) {
      const lines = failedOn('in-a-container', answer);
      expect(lines[0]).toMatch(/^Inside the container the app listens on 0\.0\.0\.0:5000 :: the app listens on 127\.0\.0\.1:5000 inside the container: that is the container's own loopback\. Docker forwards the published port 127\.0\.0\.1:\d+ to the container's network address/);
      expect(lines.some((l) => l.startsWith('The published port answers'))).toBe(true);
    }
  });

  it('catches a Dockerfile without COPY: the container exits, and its own error is shown', () => {
    expect(failedOn('in-a-container', /no-copy/)[0]).toMatch(/exited \(code 2\) before anything listened; its last output: python: can't open file '\/app\/app\.py'/);
  });

  it('catches an app without its route: every answer is 404', () => {
    const lines = failedOn('in-a-container', /no-route/);
    expect(lines.some((l) => /^Every request gets 200 :: .*404/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('Inside the container'))).toBe(false);
  });

  it('answers from the container on 127.0.0.1 only, and says which local image stood in for python:3.9-slim', () => {
    const ok = proof.runs.find((r) => r.step.id === 'in-a-container' && r.status === 'pass')!;
    expect(ok.experiments[0]!.observations.map((o) => `${o.status} ${o.body}`)).toEqual(Array(3).fill('200 Hello, Dockerized Flask!'));
    expect(ok.mapping).toEqual([expect.stringMatching(/^localhost:5000 → 127\.0\.0\.1:\d+ {2}\(app container, haproxy-lab-test-\w+\/flask-docker-app\)$/)]);
    expect(progress).toContain('FROM python:3.9-slim → haproxy-lab/python:3.9-slim (python:3.9-slim is not on this machine and cannot be pulled here; the stand-in is Debian bookworm\'s)');
    expect(progress.filter((l) => /^built .*flask-docker-app from your Dockerfile: \d+ steps \(\d+ cached\) in [\d.]+ s$/.test(l)).length).toBeGreaterThan(5);
    expect(progress.some((l) => /^Step \d/.test(l))).toBe(false);
  });

  it('leaves no container behind', async () => {
    expect(await containersLabelled(`haproxy-lab.test-run=${run}`)).toEqual([]);
  });

  it('lab doctor lists the images the learner built, with how to remove them', async () => {
    const lines = await imageReport(docker);
    const tag = `${prefix}flask-docker-app:latest`;
    expect(lines).toContain('  images you built (they stay, as after your own `docker build`):');
    expect(lines.some((l) => l.startsWith(`    ${tag}  `) && l.endsWith(`(docker-ep10)  remove: docker rmi ${tag}`))).toBe(true);
  });

  it("removes a crashed lab's learner container on the next run", async () => {
    const c = await docker.createContainer({
      Image: `${prefix}flask-docker-app`,
      Labels: { 'haproxy-lab': '1', 'haproxy-lab.learner': '1', 'haproxy-lab.owner-pid': '999999999', ...labels },
      HostConfig: { PortBindings: {} },
    });
    expect(await containersLabelled(`haproxy-lab.test-run=${run}`)).toHaveLength(1);
    expect(await removeStaleLearnerContainers(docker)).toBeGreaterThanOrEqual(1);
    await expect(docker.getContainer(c.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
