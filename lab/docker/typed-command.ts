// The document's docker commands typed at the lab's request prompt: `docker build -t TAG [-f FILE] .` of an image
// the step builds, and `docker run [-d] [--rm] [--name N] -p HOST:PORT IMAGE` of the image the step runs. Anything
// else docker-ish gets a sentence saying what the lab takes instead. Pure: it reads the step's plan, runs nothing.
import { shellWords } from '../traffic/request-spec.ts';
import type { DockerPlan } from '../episodes/schema.ts';

export type DockerCommand =
  | {
      readonly kind: 'build';
      readonly tag: string;
      /** The Dockerfile's name in the learner's files. */
      readonly dockerfile: string;
      /** Only these files go into the context (EP 2's images each have their own directory in the document). */
      readonly only?: readonly string[];
      /** What the lab took differently from what was typed, said before it builds. */
      readonly note?: string;
    }
  | {
      readonly kind: 'run';
      readonly image: string;
      /** The port inside the container (the -p's second half). */
      readonly port: number;
      /** The host port typed (the lab publishes on a free 127.0.0.1 port instead, and says so). */
      readonly typedHostPort: number;
    }
  | { readonly kind: 'refused'; readonly why: string };

// What the step's plan lets the prompt build: tag → Dockerfile (and the context's files).
function buildable(plan: DockerPlan): Map<string, { dockerfile: string; only?: readonly string[] }> {
  const out = new Map<string, { dockerfile: string; only?: readonly string[] }>();
  if (plan.build) out.set(plan.build, { dockerfile: 'Dockerfile' });
  for (const img of plan.stack?.images ?? []) out.set(img.tag, { dockerfile: img.dockerfile, ...(img.context ? { only: img.context } : {}) });
  return out;
}

// Whether a typed line is a docker command at all (else it is a curl line).
export function isDockerLine(line: string): boolean {
  return /^\s*(sudo\s+)?docker(-compose)?(\s|$)/.test(line);
}

// Reads a docker line against the step's plan (undefined: the step has no Docker part).
export function parseDockerLine(line: string, plan: DockerPlan | undefined): DockerCommand {
  let words: string[];
  try {
    words = shellWords(line.trim());
  } catch (e) {
    return { kind: 'refused', why: (e as Error).message };
  }
  if (words[0] === 'sudo') words = words.slice(1);
  const takes = takesHere(plan);
  if (words[0] === 'docker-compose' || (words[0] === 'docker' && words[1] === 'compose')) {
    return plan?.compose
      ? { kind: 'refused', why: 'c brings this step’s stack up with docker-compose up --build and keeps it up while you are on the step; leaving the step takes it down (docker-compose down)' }
      : { kind: 'refused', why: `this step runs no docker-compose stack; ${takes}` };
  }
  const sub = words[1];
  if (sub === 'build') return parseBuild(words.slice(2), plan, takes);
  if (sub === 'run') return parseRun(words.slice(2), plan, takes);
  const shell = 'in a shell beside the lab, `docker ps --filter label=haproxy-lab` lists the containers the lab made';
  return { kind: 'refused', why: `the lab does not take \`docker ${sub ?? ''}\`${sub ? '' : ' with no command'} here: ${takes}; ${shell}` };
}

// One sentence: what this step's prompt takes.
function takesHere(plan: DockerPlan | undefined): string {
  const tags = plan ? [...buildable(plan).entries()] : [];
  const builds = tags.map(([t, b]) => `docker build -t ${t}${b.dockerfile === 'Dockerfile' ? '' : ` -f ${b.dockerfile}`} .`);
  const runs = plan?.run ? [`docker run -p ${plan.run.port}:${plan.run.port} ${plan.run.image}`] : [];
  const all = [...builds, ...runs];
  return all.length ? `this step takes ${all.map((c) => `\`${c}\``).join(', ')}` : 'this step builds and runs nothing you type (c runs what it needs)';
}

function parseBuild(args: string[], plan: DockerPlan | undefined, takes: string): DockerCommand {
  let tag: string | undefined;
  let file: string | undefined;
  const contexts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => args[++i];
    if (a === '-t' || a === '--tag') tag = value();
    else if (a.startsWith('--tag=')) tag = a.slice(6);
    else if (a === '-f' || a === '--file') file = value();
    else if (a.startsWith('--file=')) file = a.slice(7);
    else if (a.startsWith('-')) return { kind: 'refused', why: `docker build ${a}: the lab's build takes -t TAG, -f FILE and the context . only` };
    else contexts.push(a);
  }
  if (contexts.length !== 1) return { kind: 'refused', why: `docker build needs one context: type . (your files), as in \`docker build -t ${tag ?? 'TAG'} .\`` };
  if (contexts[0] !== '.' && contexts[0] !== './') return { kind: 'refused', why: `docker build ${contexts[0]}: the context here is your files; type . for it` };
  if (!tag) return { kind: 'refused', why: `docker build needs -t TAG: ${takes}` };
  const known = plan ? buildable(plan).get(tag.replace(/:latest$/, '')) : undefined;
  if (!known) return { kind: 'refused', why: `this step does not build ${tag}: ${takes}` };
  if (file && file.replace(/^\.\//, '') !== known.dockerfile) {
    return { kind: 'refused', why: `${tag} is built from ${known.dockerfile} in your files, not ${file}: \`docker build -t ${tag} -f ${known.dockerfile} .\`` };
  }
  const note = !file && known.dockerfile !== 'Dockerfile' ? `${tag}'s Dockerfile is ${known.dockerfile} in your files (in the document it is the Dockerfile of HAProxy's directory): building with -f ${known.dockerfile}` : undefined;
  return { kind: 'build', tag: tag.replace(/:latest$/, ''), dockerfile: known.dockerfile, ...(known.only ? { only: known.only } : {}), ...(note ? { note } : {}) };
}

function parseRun(args: string[], plan: DockerPlan | undefined, takes: string): DockerCommand {
  let publish: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (positional.length > 0) {
      positional.push(a);
      continue;
    }
    if (a === '-p' || a === '--publish') publish = args[++i];
    else if (a.startsWith('--publish=')) publish = a.slice(10);
    else if (a === '-d' || a === '--detach' || a === '--rm') continue;
    else if (a === '--network' || a === '--net' || a.startsWith('--network=')) {
      return { kind: 'refused', why: plan?.stack ? 'c runs this step’s containers together on a network the lab makes (docker network create is its part), then judges them' : `docker run ${a}: this step's container needs no network of its own` };
    } else if (a.startsWith('-')) return { kind: 'refused', why: `docker run ${a}: the lab's run takes -p HOST:PORT, -d and --rm only` };
    else positional.push(a);
  }
  if (positional.length === 0) return { kind: 'refused', why: `docker run needs an image: ${takes}` };
  if (positional.length > 1) return { kind: 'refused', why: `docker run ${positional[0]} ${positional.slice(1).join(' ')}: the lab runs the image's own CMD, without a command after the image` };
  const image = positional[0]!.replace(/:latest$/, '');
  if (!plan?.run) return { kind: 'refused', why: plan?.stack ? 'c runs this step’s containers together on a network the lab makes, then judges them' : `this step runs no container you type: ${takes}` };
  if (image !== plan.run.image) return { kind: 'refused', why: `this step runs ${plan.run.image}, not ${image}: ${takes}` };
  if (!publish) return { kind: 'refused', why: `without -p the app in the container is not reachable from here: \`docker run -p ${plan.run.port}:${plan.run.port} ${image}\`` };
  const m = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d+):(\d+)(?:\/tcp)?$/.exec(publish);
  if (!m) return { kind: 'refused', why: `-p ${publish}: expected HOST:PORT (e.g. -p ${plan.run.port}:${plan.run.port})` };
  if (m[1] && m[1] !== '127.0.0.1') return { kind: 'refused', why: `-p ${publish}: the lab publishes on 127.0.0.1 only` };
  const port = Number(m[3]);
  if (port !== plan.run.port) return { kind: 'refused', why: `-p ${publish}: the app listens on ${plan.run.port} inside the container, so the second half is ${plan.run.port} (e.g. -p ${plan.run.port}:${plan.run.port})` };
  return { kind: 'run', image, port, typedHostPort: Number(m[2]) };
}
