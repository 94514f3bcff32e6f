// Starts the playground screen on a config (or the starter one, copied to a temp dir), and stops every stand-in
// and haproxy however it ends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { formatDiagnostic } from '../../proxy/index.ts';
import { haproxyVersion } from '../play/haproxy-side.ts';
import { PlayConfigError, PlaySession } from '../play/play-session.ts';
import { STARTER_CONFIG } from '../play/starter.ts';
import { withCiHidden } from './ink-for-terminal.ts';
import { editInTerminal } from './session/editor.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';

export interface LaunchPlayOptions {
  readonly file?: string;
  readonly compare: boolean;
  readonly record?: string;
  readonly resolve?: ReadonlyMap<string, string>;
  readonly map?: ReadonlyMap<number, number>;
  readonly env?: NodeJS.ProcessEnv;
  readonly runtime?: RuntimeName;
}

// Runs the playground until the learner quits; resolves with the exit code.
export async function launchPlayground(o: LaunchPlayOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write('lab play: the playground screen needs a terminal; headless: lab play FILE --request \'curl http://localhost/\' [--compare haproxy] [--json]\n');
    return 2;
  }
  let tmp: string | null = null;
  let file = o.file ? resolve(o.file) : '';
  if (!o.file) {
    tmp = mkdtempSync(join(tmpdir(), 'lab-play-'));
    file = join(tmp, 'haproxy.cfg');
    writeFileSync(file, STARTER_CONFIG);
  }
  let session: PlaySession;
  try {
    session = await PlaySession.open({ file, compare: o.compare, ...(o.record ? { record: o.record } : {}), ...(o.resolve ? { resolve: o.resolve } : {}), ...(o.map ? { map: o.map } : {}), ...(o.runtime ? { runtime: o.runtime } : {}) });
  } catch (e) {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (e instanceof PlayConfigError) {
      for (const d of e.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      process.stderr.write(`lab play: ${o.file} has errors (above, at file:line): fix them and open it again (lab proxy -c -f ${o.file} checks).\n`);
      return 2;
    }
    process.stderr.write(`lab play: ${(e as Error).message}\n`);
    return 2;
  }
  await session.publish();
  const transcriptPath = o.record ?? resolve(`lab-play-${basename(file).replace(/\.cfg$/, '')}.md`);
  const [{ render }, { PlaygroundScreen }, { ThemeContext, makeTheme }] = await withCiHidden(() =>
    Promise.all([import('ink'), import('./screens/PlaygroundScreen.tsx'), import('./theme.ts')]),
  );
  const React = await import('react');
  let quit: () => void = () => {};
  const done = new Promise<void>((r) => (quit = r));
  const instance = render(
    <ThemeContext.Provider value={makeTheme()}>
      <PlaygroundScreen session={session} editFile={(p) => editInTerminal(p, o.env ?? process.env)} transcriptPath={transcriptPath} canCompare={haproxyVersion() !== null} onQuit={() => quit()} />
    </ThemeContext.Provider>,
    { exitOnCtrlC: false, patchConsole: true },
  );
  void React;
  const cleanup = async (): Promise<void> => {
    await session.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    instance.unmount();
    void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    await Promise.race([done, instance.waitUntilExit()]);
    instance.unmount();
    process.stdout.write('\n');
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await cleanup();
  }
  return 0;
}
