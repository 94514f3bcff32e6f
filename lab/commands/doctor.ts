// `lab doctor`: which runtimes work on this machine, and for each missing one what to install.
import type { Command } from 'commander';
import { DEFAULT_RUNTIME, RUNTIME_NAMES } from '../runtimes/runtime-names.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';

export interface DoctorLine {
  readonly runtime: RuntimeName;
  readonly ok: boolean;
  readonly text: string;
  readonly fix?: string;
}

// Asks every runtime whether it works here.
export async function diagnoseRuntimes(): Promise<DoctorLine[]> {
  const { createRuntime } = await import('../runtimes/choose-runtime.ts');
  const lines: DoctorLine[] = [];
  for (const name of RUNTIME_NAMES) {
    const a = await createRuntime(name).available();
    lines.push(a.ok ? { runtime: name, ok: true, text: a.detail } : { runtime: name, ok: false, text: a.why, fix: a.fix });
  }
  return lines;
}

async function toolLine(cmd: string, args: string[], missing: string): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(cmd, args, { reject: false, timeout: 10_000 });
  return r.exitCode === 0 ? `✓ ${cmd}: ${r.stdout.split('\n')[0]}` : `✗ ${cmd}: ${missing}`;
}

// The images section, when Docker answers.
async function dockerImages(out: (line: string) => void, fix: boolean): Promise<boolean> {
  const { newDockerClient, pingDaemon } = await import('../runtimes/docker.ts');
  const { fixImages, imageReport } = await import('../docker/image-report.ts');
  const docker = newDockerClient();
  try {
    await pingDaemon(docker);
  } catch {
    out('Docker images: no Docker engine answers, so the Docker steps (docker-ep10, ep2-tcp-proxy in-containers and scale-containers, ep9-weighted-rr compose-stack) are skipped, never passed');
    return !fix;
  }
  let ok = true;
  if (fix) ok = await fixImages(docker, out);
  for (const l of await imageReport(docker)) out(l);
  return ok;
}

// Prints the report; every line says what works or what to do. With fix, makes the missing local base images.
export async function runDoctor(out: (line: string) => void = console.log, fix = false): Promise<DoctorLine[]> {
  const lines = await diagnoseRuntimes();
  out(`Runtimes for the episodes' apps (the TUI, \`lab run\` and \`lab up\` use ${DEFAULT_RUNTIME} unless --runtime names another):`);
  for (const l of lines) {
    out(`  ${l.ok ? '✓' : '✗'} ${l.runtime.padEnd(8)} ${l.text}`);
    if (l.fix) out(`             fix: ${l.fix}`);
  }
  out(`--runtime works here with: ${lines.filter((l) => l.ok).map((l) => l.runtime).join(', ')}`);
  out('Tools the documents use:');
  out(`  ${await toolLine('haproxy', ['-v'], 'not found; the lab has its own engine, but to compare: apt-get install haproxy')}`);
  out(`  ${await toolLine('docker-compose', ['version', '--short'], 'not found; EP 9\'s compose-stack step needs it (skipped without): apt-get install docker-compose')}`);
  if (!(await dockerImages(out, fix))) process.exitCode = 1;
  return lines;
}

// Adds `lab doctor` to the program.
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which runtimes work here (docker, process, builtin), what to install for the others, and the Docker images')
    .option('--fix', 'make the local base images the Docker steps build FROM when they are missing')
    .action(async (o: { fix?: boolean }) => {
      await runDoctor(console.log, o.fix === true);
    });
}
