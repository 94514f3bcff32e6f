// Hands the terminal to the learner's editor and takes it back: ink's output is held (not lost) while the editor
// owns the screen, and Ctrl+C in the editor does not kill the lab.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// The editor command: $VISUAL, then $EDITOR, then the first of nano, vim, vi found on PATH.
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const v of [env['VISUAL'], env['EDITOR']]) if (v && v.trim() !== '') return v.trim();
  for (const name of ['nano', 'vim', 'vi']) {
    for (const dir of (env['PATH'] ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return name;
      } catch {
        // not here
      }
    }
  }
  return null;
}

type Write = typeof process.stdout.write;

// Runs the editor on file with the terminal; resolves when it exits (never rejects).
export async function editInTerminal(file: string, env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; message: string; noEditor?: boolean }> {
  const cmd = editorCommand(env);
  if (!cmd) {
    return { ok: false, noEditor: true, message: `No editor found (set EDITOR, e.g. EDITOR=nano): using the inline editor. ${file} is also watched.` };
  }
  const out = process.stdout;
  const original: Write = out.write;
  const held: [unknown, unknown][] = [];
  out.write = ((chunk: unknown, enc?: unknown, cb?: unknown) => {
    held.push([chunk, typeof enc === 'function' ? undefined : enc]);
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as Write;
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.stdin.pause();
  try {
    // Through sh so EDITOR may carry arguments ("code -w", "vim -u NONE").
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn('/bin/sh', ['-c', `${cmd} "$1"`, 'editor', file], { stdio: 'inherit', env });
      child.on('error', () => resolve(127));
      child.on('exit', (c) => resolve(c));
    });
    if (code === 0) return { ok: true, message: '' };
    return { ok: false, message: `The editor (${cmd}) exited with status ${code}; the file is checked anyway.` };
  } finally {
    out.write = original;
    process.off('SIGINT', ignore);
    for (const [chunk, enc] of held) (original as (c: unknown, e?: unknown) => boolean).call(out, chunk, enc);
  }
}
