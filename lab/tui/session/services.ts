// The TUI's window on the lab: episodes from episodes/, progress from the user's config directory, steps opened
// on the chosen runtime, the editor. One place that remembers what it started, so quitting stops all of it.
import { loadAllEpisodes, loadEpisode } from '../../episodes/loader.ts';
import { formatEpisodeError, type Episode } from '../../episodes/schema.ts';
import { createRuntime } from '../../runtimes/choose-runtime.ts';
import type { Runtime, RuntimeName } from '../../runtimes/runtime.ts';
import { editInTerminal } from './editor.ts';
import { openStepSession, type StepSession } from './step-session.ts';
import { markStepDone, progressPath, readProgress, setCurrentStep } from '../../episodes/progress.ts';
import type { EpisodeSummary, LabServices } from './types.ts';
import { stepDir } from '../../episodes/kept-files.ts';

export interface ServicesOptions {
  readonly runtime: RuntimeName;
  readonly env: NodeJS.ProcessEnv;
  /** Root of the episodes (tests point elsewhere). */
  readonly episodesDir?: string;
}

export interface Services {
  readonly services: LabServices;
  /** "runtime: builtin (in-process Node servers…)" for the home screen. */
  readonly runtimeLine: string;
  /** Closes every open step and the runtime; safe to call twice. */
  dispose(): Promise<void>;
}

// Builds the services; throws when the asked-for runtime cannot work here, saying why and what to install.
export async function makeServices(opts: ServicesOptions): Promise<Services> {
  const runtime: Runtime = createRuntime(opts.runtime);
  const avail = await runtime.available();
  if (!avail.ok) throw new Error(`the ${opts.runtime} runtime cannot run here: ${avail.why}\n  Fix: ${avail.fix}`);
  const open = new Set<StepSession>();
  const root = opts.episodesDir;
  const file = progressPath(opts.env);
  const doneSteps = async (id: string): Promise<ReadonlySet<string>> => new Set(Object.keys(readProgress(file).episodes[id]?.steps ?? {}));
  const services: LabServices = {
    async listEpisodes() {
      const { episodes, errors } = root ? loadAllEpisodes(root) : loadAllEpisodes();
      const out: EpisodeSummary[] = [];
      const progress = readProgress(file);
      for (const e of episodes) {
        const p = progress.episodes[e.id];
        const current = p?.current ? e.steps.findIndex((s) => s.id === p.current) : -1;
        out.push({
          id: e.id, title: e.title, document: e.document, summary: e.summary, steps: e.steps.length,
          done: e.steps.filter((s) => p?.steps[s.id] !== undefined).length,
          ...(current >= 0 ? { current } : {}),
        });
      }
      if (errors.length > 0 && out.length === 0) throw new Error(errors.map(formatEpisodeError).join('\n'));
      return out;
    },
    async loadEpisode(id) {
      return root ? loadEpisode(id, root) : loadEpisode(id);
    },
    doneSteps,
    async markDone(id, step) {
      markStepDone(id, step, file);
    },
    async openStep(episode: Episode, stepIndex, progress) {
      const step = episode.steps[stepIndex];
      // The learner's files live beside the progress file, so they outlast this run.
      const workDir = step ? stepDir(episode.id, step.id, opts.env) : undefined;
      const s = await openStepSession(episode, stepIndex, { runtime, progress, ...(workDir ? { workDir } : {}) });
      if (step) setCurrentStep(episode.id, step.id, file);
      open.add(s);
      const close = s.close.bind(s);
      s.close = async () => {
        open.delete(s);
        await close();
      };
      return s;
    },
    editFile: (path) => editInTerminal(path, opts.env),
    editorSet: [opts.env['VISUAL'], opts.env['EDITOR']].some((v) => v !== undefined && v.trim() !== ''),
  };
  let disposed = false;
  return {
    services,
    runtimeLine: `apps run on the ${runtime.name} runtime (lab --runtime docker|process|builtin) · ${avail.detail}`,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.allSettled([...open].map((s) => s.close()));
      await runtime.dispose?.();
    },
  };
}
