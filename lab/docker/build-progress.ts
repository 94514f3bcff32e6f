// Follows a build's event stream: each line as it comes (the TUI shows them live), and a summary for one line.
import type Docker from 'dockerode';

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export interface BuildOutcome {
  /** The image id the build produced, when it succeeded. */
  readonly imageId?: string;
  /** The build's error message, when it failed. */
  readonly error?: string;
  /** "Step N/M" lines of the Dockerfile's own instructions (not the LABEL steps the lab's labels add), and how
   * many of those were served from cache. */
  readonly steps: number;
  readonly cached: number;
  /** Every line of the build output. */
  readonly lines: readonly string[];
  readonly ms: number;
}

export async function followBuild(docker: Docker, stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<BuildOutcome> {
  const t0 = Date.now();
  const lines: string[] = [];
  let steps = 0;
  let cached = 0;
  let error: string | undefined;
  let imageId: string | undefined;
  // The legacy builder turns each label the lab asks for into a step of its own ("LABEL haproxy-lab=1").
  let labStep = false;
  await new Promise<void>((resolve) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err && !error) error = err.message;
        resolve();
      },
      (event: BuildEvent) => {
        if (event.error) error = event.errorDetail?.message ?? event.error;
        if (event.aux?.ID) imageId = event.aux.ID;
        for (const line of (event.stream ?? event.status ?? '').split('\n')) {
          const l = line.trimEnd();
          if (!l.trim()) continue;
          if (/^Step \d+\/\d+ :/.test(l)) {
            labStep = /^Step \d+\/\d+ : LABEL haproxy-lab/.test(l);
            if (!labStep) steps++;
          }
          if (/Using cache/.test(l) && !labStep) cached++;
          lines.push(l);
          onLine(l);
        }
      },
    ),
  );
  return { ...(imageId && !error ? { imageId } : {}), ...(error ? { error } : {}), steps, cached, lines, ms: Date.now() - t0 };
}
