// Can this machine run the apps with a local python3 and Flask? Which python, which Flask?
import { execa } from 'execa';

// The python the process runtime uses: LAB_PYTHON, else python3 on PATH.
export function pythonCommand(): string {
  return process.env['LAB_PYTHON'] || 'python3';
}

export type PythonCheck = { ok: true; detail: string } | { ok: false; why: string; fix: string };

// Runs python once to import flask and report versions.
export async function checkPythonFlask(python = pythonCommand()): Promise<PythonCheck> {
  const script =
    'import sys, importlib.metadata as m\n' +
    'import flask\n' +
    'print("Python %d.%d.%d, Flask %s" % (sys.version_info[:3] + (m.version("flask"),)))';
  const r = await execa(python, ['-c', script], { reject: false, timeout: 15_000 });
  if (r.exitCode === 0) return { ok: true, detail: `${python}: ${r.stdout.trim()}` };
  if ((r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(r.message))) {
    return {
      ok: false,
      why: `${python} was not found on PATH`,
      fix: 'install Python 3 and Flask: apt-get install python3 python3-flask (or set LAB_PYTHON to a python with Flask)',
    };
  }
  return {
    ok: false,
    why: `${python} cannot import flask (${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`})`,
    fix: 'install Flask: apt-get install python3-flask, or pip install Flask (or set LAB_PYTHON to a python that has it)',
  };
}
