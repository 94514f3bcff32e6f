// Verdicts of the checks that judge the learner's Docker work: the image (built from their Dockerfile, with its
// settings), the build context (what .dockerignore kept out), and what listens inside the container.
import { describeContext, formatBytes, type BuildContext } from '../docker/build-context.ts';
import { DOCKERFILE_LABEL } from '../docker/learner-image.ts';
import { listensEverywhere } from '../docker/learner-container.ts';
import type { DockerObservations } from './docker-part.ts';
import type { ContainerObservation } from '../docker/stack.ts';
import type { ContextCheck, ImageCheck, ListeningCheck, RunningCheck } from './schema.ts';

type Verdict = { ok: boolean; expected: string; observed: string };

function lastLines(text: string, n: number): string {
  const lines = text.trim().split('\n').filter((l) => l.trim());
  return lines.slice(-n).join(' | ');
}

export function judgeImage(check: ImageCheck, d: DockerObservations | undefined): Verdict {
  const want = [
    'an image built from your Dockerfile as it is now',
    ...(check.workdir ? [`WORKDIR ${check.workdir}`] : []),
    ...check.exposes.map((p) => `EXPOSE ${p}`),
    ...check.env.map((e) => `ENV ${e}`),
  ];
  const expected = want.join(', ');
  const b = d?.build;
  if (!b) return { ok: false, expected, observed: 'the step built no image' };
  if (b.error) return { ok: false, expected, observed: `docker build failed: ${b.error}` };
  const img = d.image;
  if (!img) return { ok: false, expected, observed: `no image ${b.tag} after the build` };
  if (img.labels[DOCKERFILE_LABEL] !== b.dockerfileSha) {
    return { ok: false, expected, observed: `${b.tag} was built from another Dockerfile (sha256 ${img.labels[DOCKERFILE_LABEL]?.slice(0, 12) ?? 'unknown'}, yours is ${b.dockerfileSha.slice(0, 12)})` };
  }
  const wrong: string[] = [];
  if (check.workdir && img.workdir !== check.workdir) wrong.push(`its working directory is ${img.workdir || 'unset (/)'}`);
  for (const p of check.exposes) if (!img.exposes.includes(p)) wrong.push(`it exposes ${img.exposes.length ? img.exposes.join(', ') : 'no port'}, not ${p}`);
  for (const e of check.env) if (!img.env.includes(e)) wrong.push(`no ${e} in its environment`);
  const seen = `${b.tag} (${img.id.replace('sha256:', '').slice(0, 12)}) from your Dockerfile, WORKDIR ${img.workdir || '/'}, EXPOSE ${img.exposes.join(' ') || 'none'}`;
  return { ok: wrong.length === 0, expected, observed: wrong.length ? `${seen}; but ${wrong.join('; ')}` : seen };
}

function covers(prefix: string, path: string): boolean {
  const p = prefix.replace(/\/$/, '');
  return path === p || path === `${p}/` || path.startsWith(`${p}/`);
}

function listSome(paths: readonly string[]): string {
  return paths.length > 4 ? `${paths.slice(0, 4).join(', ')} and ${paths.length - 4} more` : paths.join(', ');
}

export function contextLine(c: BuildContext, without: BuildContext): string {
  return `context ${describeContext(c)}${c.dockerignore ? ` with .dockerignore, ${describeContext(without)} without it` : ' (no .dockerignore)'}`;
}

export function judgeContext(check: ContextCheck, d: DockerObservations | undefined): Verdict {
  const expected = [
    ...(check.excludes.length ? [`${check.excludes.join(', ')} left out of the build context`] : []),
    ...(check.includes.length ? [`${check.includes.join(', ')} sent`] : []),
  ].join('; ');
  const b = d?.build;
  if (!b) return { ok: false, expected, observed: 'the step sent no build context' };
  const paths = b.context.entries.map((e) => e.path);
  const problems: string[] = [];
  for (const x of check.excludes) {
    const inside = paths.filter((p) => covers(x, p));
    const existed = b.unignored.entries.some((e) => covers(x, e.path));
    if (!existed) problems.push(`there is no ${x} in the project to leave out`);
    else if (inside.length) {
      const bytes = b.context.entries.filter((e) => covers(x, e.path)).reduce((n, e) => n + e.size, 0);
      problems.push(`${x} was sent (${listSome(inside)}; ${formatBytes(bytes)})`);
    }
  }
  for (const x of check.includes) if (!paths.some((p) => covers(x, p))) problems.push(`${x} was not sent${b.context.dockerignore ? ' (.dockerignore excludes it)' : ''}`);
  const left = b.context.ignored.filter((e) => e.kind !== 'dir').map((e) => e.path);
  const summary = `${contextLine(b.context, b.unignored)}${left.length ? `; left out: ${listSome(left)}` : ''}`;
  return { ok: problems.length === 0, expected, observed: problems.length ? `${problems.join('; ')} — ${summary}` : summary };
}

// A stack's container by name, or why there is none.
function stackContainer(name: string, d: DockerObservations | undefined): ContainerObservation | string {
  const c = d?.containers?.find((x) => x.name === name);
  if (!c) return 'the step ran no such container';
  if (c.state.startsWith('not started')) return `${name} was not started: its image did not build (${d?.build?.error ?? 'see the build output'})`;
  return c;
}

export function judgeRunning(check: RunningCheck, d: DockerObservations | undefined): Verdict {
  const expected = `the container ${check.container} is still running after the requests`;
  const c = stackContainer(check.container, d);
  if (typeof c === 'string') return { ok: false, expected, observed: c };
  if (c.state === 'running') return { ok: true, expected, observed: `${c.name} (${c.image}) running` };
  return { ok: false, expected, observed: `${c.name} (${c.image}) ${c.state}; its last output: ${lastLines(c.logs, 3) || '(none)'}` };
}

export function judgeListening(check: ListeningCheck, d: DockerObservations | undefined): Verdict {
  const where = check.container ? `the container ${check.container}` : 'the container';
  const expected = `inside ${where}, the app listens on 0.0.0.0:${check.port} (every interface), so ${check.container ? 'the other containers reach it' : 'the published port reaches it'}`;
  if (check.container) {
    const c = stackContainer(check.container, d);
    if (typeof c === 'string') return { ok: false, expected, observed: c };
    return listeningVerdict(check, c, expected, `The other containers connect to ${c.name}'s address on the network, where nothing listens, so the connection is refused`);
  }
  const c = d?.container;
  if (!c) return { ok: false, expected, observed: d?.build?.error ? `no container: the build failed (${d.build.error})` : 'the step ran no container' };
  return listeningVerdict(check, c, expected, `Docker forwards the published port 127.0.0.1:${c.hostPort} to the container's network address, where nothing listens, so the connection is reset`);
}

function listeningVerdict(
  check: ListeningCheck, c: { state: string; listeners: readonly { address: string; port: number }[] | null; logs: string }, expected: string, reach: string,
): Verdict {
  if (c.listeners === null) {
    return { ok: false, expected, observed: `the container ${c.state} before anything listened; its last output: ${lastLines(c.logs, 3) || '(none)'}` };
  }
  const onPort = c.listeners.filter((l) => l.port === check.port);
  if (onPort.some(listensEverywhere)) return { ok: true, expected, observed: `listening on ${onPort.map((l) => `${l.address}:${l.port}`).join(', ')}` };
  if (onPort.length) {
    return {
      ok: false, expected,
      observed:
        `the app listens on ${onPort.map((l) => `${l.address}:${l.port}`).join(', ')} inside the container: that is the container's own ` +
        `loopback. ${reach}. Listen on host='0.0.0.0'.`,
    };
  }
  const other = c.listeners.map((l) => `${l.address}:${l.port}`);
  return { ok: false, expected, observed: `nothing listens on port ${check.port} inside the container${other.length ? ` (only on ${other.join(', ')})` : ''}; its last output: ${lastLines(c.logs, 3) || '(none)'}` };
}
