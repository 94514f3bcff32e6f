// `lab doctor`: which runtimes work on this machine, and for each missing one what to install.
import type { Command } from 'commander';
import { RUNTIME_NAMES } from '../runtimes/runtime-names.ts';
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

// Prints the report; every line says what works or what to do.
export async function runDoctor(out: (line: string) => void = console.log): Promise<DoctorLine[]> {
  const lines = await diagnoseRuntimes();
  out('Runtimes for the apps (`lab up` takes the first that works; choose with --runtime):');
  for (const l of lines) {
    out(`  ${l.ok ? '✓' : '✗'} ${l.runtime.padEnd(8)} ${l.text}`);
    if (l.fix) out(`             fix: ${l.fix}`);
  }
  const first = lines.find((l) => l.ok);
  out(`\`lab up\` would use: ${first?.runtime ?? 'none'}`);
  out('Tools the documents use:');
  out(`  ${await toolLine('haproxy', ['-v'], 'not found; the lab has its own engine, but to compare: apt-get install haproxy')}`);
  out(`  ${await toolLine('docker-compose', ['version', '--short'], 'not found; for docker-compose.yml: apt-get install docker-compose')}`);
  return lines;
}

// Adds `lab doctor` to the program.
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which runtimes work here (docker, process, builtin) and what to install for the others')
    .action(async () => {
      await runDoctor();
    });
}
