// Starts the TUI: refuses politely without a terminal, picks the runtime (builtin unless --runtime says, as lab run/up
// otherwise), renders the app, and makes sure every backend it started is stopped however it ends.
import { DEFAULT_RUNTIME } from '../runtimes/choose-runtime.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';
import { withCiHidden } from './ink-for-terminal.ts';
import { makeServices, type ServicesOptions } from './session/services.ts';

export interface LaunchOptions {
  readonly runtime?: RuntimeName;
  readonly open?: { readonly episode: string; readonly step?: number };
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
  readonly env?: NodeJS.ProcessEnv;
}

// The message for a run without a terminal: what is missing and what to use instead.
export function noTtyMessage(open?: string): string {
  return [
    'lab: the interactive lab needs a terminal, but ' +
      (!process.stdin.isTTY && !process.stdout.isTTY ? 'stdin and stdout are not one' : !process.stdin.isTTY ? 'stdin is not one' : 'stdout is not one') +
      ' (piped, redirected, or run by CI).',
    `  For scripts and CI, run the episodes headless: lab run ${open ?? 'EPISODE'} [--runtime builtin] [--json]`,
    '  To list them: lab episodes',
  ].join('\n');
}

// Runs the TUI until the learner quits; resolves with the process exit code.
export async function launchTui(opts: LaunchOptions = {}): Promise<number> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) {
    process.stderr.write(noTtyMessage(opts.open?.episode) + '\n');
    return 2;
  }
  const servicesOpts: ServicesOptions = { runtime: opts.runtime ?? DEFAULT_RUNTIME, env: opts.env ?? process.env };
  const { services, runtimeLine, dispose } = await makeServices(servicesOpts);
  // ink (and the app, which imports it) load only here, for a terminal: see ink-for-terminal.ts.
  const [{ render }, { App }] = await withCiHidden(() => Promise.all([import('ink'), import('./app.tsx')]));
  const holder: { clear?: () => void } = {};
  const clearScreen = (): void => {
    holder.clear?.();
    stdout.write('\u001b[2J\u001b[H');
  };
  const instance = render(
    <App services={services} runtimeLine={runtimeLine} clearScreen={clearScreen} {...(opts.open ? { open: opts.open } : {})} />,
    { stdin, stdout, exitOnCtrlC: false, patchConsole: true },
  );
  holder.clear = () => instance.clear();
  // A signal (terminal closed, kill) still stops every backend before the process goes. `on`, not `once`: while
  // the asynchronous cleanup runs, this listener must stay, or exit-hooks.ts sees nobody handling the signal and
  // ends the process at once (the port map and kept state were then left behind after SIGHUP, now and then).
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    instance.unmount();
    void dispose().finally(() => process.exit(sig === 'SIGINT' ? 130 : sig === 'SIGHUP' ? 129 : 143));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await instance.waitUntilExit();
    // The last frame may end without a newline; the shell prompt should start on its own line.
    stdout.write('\n');
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await dispose();
  }
  return 0;
}
