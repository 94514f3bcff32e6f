// The document's `docker build` / `docker run` typed at a Docker step's request prompt, doing what `c` does for
// them: the build from the learner's own files through dockerode (each step as a log line), the run with its port
// published on a free 127.0.0.1 port (said out loud). The container stays up while the learner is on the step, so
// the document's `curl localhost:5000` at the prompt reaches it; dispose() removes it.
import type Docker from 'dockerode';
import { parseDockerLine } from '../../docker/typed-command.ts';
import { buildLearnerImage, buildSummary, pruneReplacedLearnerImages } from '../../docker/learner-image.ts';
import { runLearnerContainer, type LearnerContainer } from '../../docker/learner-container.ts';
import type { ContainerEventSink } from '../../docker/container-events.ts';
import { dockerMissing, NEEDS_DOCKER_FIX } from '../../episodes/docker-part.ts';
import { createWorkspace } from '../../episodes/workspace.ts';
import { LAB_LABEL } from '../../runtimes/docker-images.ts';
import type { Episode, Step } from '../../episodes/schema.ts';

export interface DockerPromptOptions {
  readonly episode: Episode;
  readonly step: Step;
  /** The learner's files: name → path. */
  readonly files: () => ReadonlyMap<string, string>;
  readonly freePort: () => Promise<number>;
  readonly onContainer: ContainerEventSink;
  /** Build steps and the container's output, for the log pane. */
  readonly onLog: (line: string) => void;
  readonly docker?: Docker;
}

export interface DockerLineResult {
  /** One sentence for the status line. */
  readonly message: string;
  readonly ok: boolean;
  /** Document port → 127.0.0.1 port of a container now running. */
  readonly published?: { readonly docPort: number; readonly hostPort: number };
}

export class DockerPrompt {
  private container: LearnerContainer | null = null;
  private docker: Docker | null;

  constructor(private readonly opts: DockerPromptOptions) {
    this.docker = opts.docker ?? null;
  }

  private async client(): Promise<Docker> {
    this.docker ??= (await import('../../runtimes/docker.ts')).newDockerClient();
    return this.docker;
  }

  private labels(): Record<string, string> {
    const testRun = process.env['LAB_TEST_RUN'];
    return { [`${LAB_LABEL}.episode`]: this.opts.episode.id, [`${LAB_LABEL}.step`]: this.opts.step.id, ...(testRun ? { [`${LAB_LABEL}.test-run`]: testRun } : {}) };
  }

  private get prefix(): string {
    return process.env['LAB_IMAGE_PREFIX'] ?? '';
  }

  // Runs one typed docker line; a refused line or a failed build resolves with ok false and why.
  async run(line: string, progress: (line: string) => void): Promise<DockerLineResult> {
    const cmd = parseDockerLine(line, this.opts.step.docker);
    if (cmd.kind === 'refused') return { ok: false, message: `${cmd.why}.` };
    const docker = await this.client();
    const missing = await dockerMissing(docker);
    if (missing) return { ok: false, message: `${missing.why.replace(/\.$/, '')}. To run it: ${NEEDS_DOCKER_FIX}` };
    const say = (l: string): void => {
      progress(l);
      this.opts.onLog(`lab: ${l}`);
    };
    if (cmd.kind === 'build') {
      if (cmd.note) say(cmd.note);
      // The project directory as `c` makes it: the learner's files as they stand now, plus what the document's own
      // commands leave there (venv/, __pycache__/), so the context and its .dockerignore mean what they mean.
      const ws = createWorkspace(this.opts.episode);
      try {
        ws.prepare(this.opts.step, 'start', this.opts.files());
        const b = await buildLearnerImage(docker, {
          dir: ws.dir, tag: `${this.prefix}${cmd.tag}`, dockerfile: cmd.dockerfile, labels: this.labels(), progress: say,
          ...(cmd.only ? { only: cmd.only } : {}),
          onLine: (l) => this.opts.onLog(`docker build: ${l}`),
        });
        await pruneReplacedLearnerImages(docker);
        const summary = buildSummary(b, cmd.dockerfile);
        this.opts.onLog(`lab: ${summary}`);
        return { ok: !b.error, message: b.error ? `${summary} (the log pane has every step)` : `${summary}; context ${b.context.files} file(s), ${b.context.bytes} bytes` };
      } finally {
        ws.dispose();
      }
    }
    const tag = `${this.prefix}${cmd.image}`;
    const exists = await docker.getImage(tag).inspect().then(() => true, () => false);
    if (!exists) return { ok: false, message: `there is no image ${cmd.image} yet: docker build -t ${cmd.image} . first (or c, which builds and runs it)` };
    if (this.container) {
      await this.container.remove();
      say(`removed the container you ran before (${this.container.name}): the new one takes its port`);
      this.container = null;
    }
    const hostPort = await this.opts.freePort();
    say(`docker run -p 127.0.0.1:${hostPort}:${cmd.port} ${cmd.image} (you typed -p ${cmd.typedHostPort}:${cmd.port}; the lab publishes on a free 127.0.0.1 port)`);
    this.container = await runLearnerContainer(docker, {
      image: tag, port: cmd.port, hostPort, labels: this.labels(), display: cmd.image,
      onLog: (l) => this.opts.onLog(`container ${cmd.image}: ${l}`), onEvent: this.opts.onContainer,
    });
    const state = await this.container.state();
    return {
      ok: state === 'running',
      message: state === 'running'
        ? `${cmd.image} runs in ${this.container.name}, published on 127.0.0.1:${hostPort}: curl http://localhost:${cmd.typedHostPort}/ here (or curl http://127.0.0.1:${hostPort}/ in a shell) reaches it; it stays up until you leave the step`
        : `${cmd.image} ${state}: the log pane has its output`,
      published: { docPort: cmd.typedHostPort, hostPort },
    };
  }

  async dispose(): Promise<void> {
    await this.container?.remove();
    this.container = null;
  }
}
