// The Docker half of a step: write the learner's files into their project directory, `docker build` it, run the
// image with its port on 127.0.0.1, and gather what the image/context/listening checks judge. Without a Docker
// engine the step is skipped (never passed), with what to install and how to start it.
import type Docker from 'dockerode';
import { buildLearnerImage, buildSummary, pruneReplacedLearnerImages, type LearnerBuild } from '../docker/learner-image.ts';
import { removeStaleLearnerContainers, runLearnerContainer, type LearnerContainer, type Listener } from '../docker/learner-container.ts';
import { DaemonUnreachableError, pingDaemon } from '../runtimes/docker.ts';
import { LAB_LABEL } from '../runtimes/docker-images.ts';
import { runStack, type ContainerObservation, type StackRun, type StackTraffic } from '../docker/stack.ts';
import type { AppPlacement } from './mapping.ts';
import type { DockerPlan, Step } from './schema.ts';
import type { ContainerEventSink } from '../docker/container-events.ts';
import { removeStaleStacks } from '../docker/stack.ts';

/** What the image, context and listening checks look at. */
export interface DockerObservations {
  readonly build?: LearnerBuild;
  /** The image under the step's tag after the build (null when there is none). */
  readonly image?: {
    readonly id: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly workdir: string;
    readonly exposes: readonly number[];
    readonly env: readonly string[];
  } | null;
  readonly container?: {
    readonly name: string;
    readonly port: number;
    readonly hostPort: number;
    readonly state: string;
    readonly listeners: readonly Listener[] | null;
    readonly logs: string;
  };
  /** The stack's containers (docker.containers), after the experiments. */
  readonly containers?: readonly ContainerObservation[];
}

/** Where a step's requests learn who took them when a containerised proxy (not the engine) answered them. */
export interface ContainerLogs {
  mark(): Map<string, number>;
  traffic(mark: ReadonlyMap<string, number>, count: number): Promise<StackTraffic>;
}

/** A containerised HAProxy beside the engine (docker.compose): each experiment is sent to it as well. */
export interface BesideProxy extends ContainerLogs {
  /** Its published 127.0.0.1 port (the document's port of the experiments). */
  readonly hostPort: number;
  readonly docPort: number;
  /** How the compose file's ports were moved, and the images it was built FROM. */
  readonly notes: readonly string[];
  /** Restarts its HAProxy (its round robin from the top, as after the engine's reload) for another run. */
  reset(): Promise<void>;
}

/** Why a step did not run: what it needs, and how to get it. */
export interface Skipped {
  readonly why: string;
  readonly fix: string;
}

export const NEEDS_DOCKER_FIX =
  'install Docker (Debian: `apt-get install docker.io`), start it (`sudo systemctl start docker`, or `sudo dockerd &`), ' +
  'then `lab doctor` says whether the lab can reach it';

// Null when Docker answers; else why not and what to do.
export async function dockerMissing(docker: Docker): Promise<Skipped | null> {
  try {
    await pingDaemon(docker);
    return null;
  } catch (e) {
    if (!(e instanceof DaemonUnreachableError)) throw e;
    return { why: `needs Docker: ${e.message.split('\n')[0]}`, fix: NEEDS_DOCKER_FIX };
  }
}

// A plan of the document's own files only (a compose stack), which nothing the learner edits goes into.
export function holdablePlan(plan: DockerPlan): boolean {
  return plan.compose !== undefined && !plan.build && !plan.run && !plan.stack;
}

// What a crashed lab left (its containers, stacks, networks and compose images), removed when a Docker step starts;
// returns how many things went.
export async function removeLeftovers(docker: Docker): Promise<number> {
  return (await removeStaleLearnerContainers(docker)) + (await removeStaleStacks(docker));
}

export interface DockerPartOptions {
  readonly docker: Docker;
  readonly step: Step;
  readonly episodeId: string;
  /** The learner's project directory, files already written. */
  readonly dir: string;
  readonly freePort: () => Promise<number>;
  /** Prefix of the image tag (tests keep theirs apart); default none, as the document names it. */
  readonly imagePrefix?: string;
  /** Extra labels for what the step makes (a test's run id). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly progress?: (line: string) => void;
  readonly onBuildLine?: (line: string) => void;
  readonly onLog?: (line: string) => void;
  /** Typed events of every container the step runs (the TUI's containers table). */
  readonly onContainer?: ContainerEventSink;
}

export interface DockerPart extends AsyncDisposable {
  readonly observations: DockerObservations;
  /** The container as an app of the step, so the document's `curl localhost:5000` reaches it. */
  readonly placements: readonly AppPlacement[];
  /** The step's proxy runs in a container (docker.containers): its log says who took each request. */
  readonly proxied?: ContainerLogs;
  /** A compose stack's HAProxy beside the engine (docker.compose). */
  readonly beside?: BesideProxy;
  /** Nothing in it is built from the learner's files (EP 9's compose stack of the document's files): a caller may
   * keep it up between runs, calling reuse() before each later one. */
  readonly holdable: boolean;
  /** Readies a kept part for another run. */
  reuse(): Promise<void>;
  /** Gathers the container's state and listeners (after the experiments). */
  settle(): Promise<DockerObservations>;
  dispose(): Promise<void>;
}

async function inspectImage(docker: Docker, tag: string): Promise<DockerObservations['image']> {
  try {
    const info = await docker.getImage(tag).inspect();
    return {
      id: info.Id,
      labels: info.Config.Labels ?? {},
      workdir: info.Config.WorkingDir ?? '',
      exposes: Object.keys(info.Config.ExposedPorts ?? {}).map((p) => Number(p.split('/')[0])),
      env: (info.Config.Env ?? []).map((e) => e.split('=')[0]!),
    };
  } catch {
    return null;
  }
}

// Builds and runs what the step's docker plan says; dispose() removes the container (the image stays, as the
// learner's `docker build` would leave it).
export async function runDockerPart(opts: DockerPartOptions): Promise<DockerPart> {
  const plan = opts.step.docker ?? {};
  const progress = opts.progress ?? (() => {});
  // LAB_TEST_RUN marks what a test's `lab run` makes, so the test removes exactly that.
  const testRun = process.env['LAB_TEST_RUN'];
  const labels = {
    [`${LAB_LABEL}.episode`]: opts.episodeId, [`${LAB_LABEL}.step`]: opts.step.id,
    ...(testRun ? { [`${LAB_LABEL}.test-run`]: testRun } : {}), ...opts.labels,
  };
  let build: LearnerBuild | undefined;
  let image: DockerObservations['image'];
  let container: LearnerContainer | undefined;
  const placements: AppPlacement[] = [];
  // LAB_IMAGE_PREFIX keeps a test's (or a teacher's batch's) images apart from the learner's flask-docker-app.
  const tag = plan.build ? `${opts.imagePrefix ?? process.env['LAB_IMAGE_PREFIX'] ?? ''}${plan.build}` : undefined;
  if (tag) {
    const once = (): Promise<LearnerBuild> => buildLearnerImage(opts.docker, {
      dir: opts.dir, tag, labels, progress,
      ...(opts.onBuildLine ? { onLine: opts.onBuildLine } : {}),
    });
    build = await once();
    // The legacy builder fails so when a cached layer it picked was removed meanwhile (an image prune by another
    // lab or test on the same engine): build again.
    for (let i = 0; i < 2 && build.error && /unknown parent image ID|failed to get digest|No such image/i.test(build.error); i++) build = await once();
    progress(buildSummary(build));
    await pruneReplacedLearnerImages(opts.docker);
    image = await inspectImage(opts.docker, tag);
  }
  let stack: StackRun | undefined;
  if (plan.stack) {
    stack = await runStack({
      docker: opts.docker, stack: plan.stack, dir: opts.dir, freePort: opts.freePort,
      imagePrefix: opts.imagePrefix ?? process.env['LAB_IMAGE_PREFIX'] ?? '', labels, progress,
      ...(opts.onBuildLine ? { onBuildLine: opts.onBuildLine } : {}),
      ...(opts.onLog ? { onLog: (name: string, line: string) => opts.onLog!(`${name}: ${line}`) } : {}),
      ...(opts.onContainer ? { onEvent: opts.onContainer } : {}),
    });
    for (const [docPort, p] of stack.published) placements.push({ name: p.name, app: `container ${p.name}`, docPort, addresses: [], hostPort: p.hostPort });
  }
  let beside: BesideProxy & { dispose(): Promise<void> } | undefined;
  if (plan.compose) {
    const { upCompose } = await import('../docker/compose-stack.ts');
    beside = await upCompose({
      docker: opts.docker, plan: plan.compose, freePort: opts.freePort, labels, progress,
      ...(opts.onLog ? { onLog: opts.onLog } : {}), ...(opts.onContainer ? { onEvent: opts.onContainer } : {}),
    });
  }
  if (plan.run && tag) {
    const stale = await removeStaleLearnerContainers(opts.docker);
    if (stale > 0) progress(`removed ${stale} container(s) left by a lab that did not exit cleanly`);
    const hostPort = await opts.freePort();
    // A failed build leaves nothing to run: the port stays where nothing listens, so the curl gets no answer.
    if (!build?.error && image) {
      container = await runLearnerContainer(opts.docker, {
        image: tag, port: plan.run.port, hostPort, labels, display: plan.run.image,
        ...(opts.onLog ? { onLog: opts.onLog } : {}),
        ...(opts.onContainer ? { onEvent: opts.onContainer } : {}),
      });
      progress(`docker run -p 127.0.0.1:${hostPort}:${plan.run.port} ${tag}: container ${container.name} (${await container.state()})`);
    }
    placements.push({ name: 'container', app: tag, docPort: plan.run.port, addresses: [], hostPort });
  }
  const observations: DockerObservations = { ...(build ? { build } : {}), ...(tag ? { image } : {}) };
  const dispose = async (): Promise<void> => {
    await container?.remove();
    await stack?.dispose();
    await beside?.dispose();
  };
  return {
    observations,
    placements,
    ...(stack && plan.stack?.containers.some((c) => c.proxy) ? { proxied: stack } : {}),
    ...(beside ? { beside } : {}),
    holdable: holdablePlan(plan),
    async reuse() {
      await beside?.reset();
    },
    async settle() {
      if (stack) return { ...observations, build: stack.builds.find((b) => b.error) ?? stack.builds[0]!, containers: await stack.settle() };
      if (!container || !plan.run) return observations;
      return {
        ...observations,
        container: {
          name: container.name, port: plan.run.port, hostPort: container.hostPort,
          state: await container.state(), listeners: await container.listeners(), logs: container.logs(),
        },
      };
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
