// Text for `lab run`: each step's mapping, experiments with who answered, and checks with expected/seen/lines/hint.
import { basename, relative } from 'node:path';
import type { CheckResult } from './schema.ts';
import type { StepResult } from './run-step.ts';
import type { CheckProof, WrongProof } from './prove.ts';
import { contextLine } from './docker-checks.ts';

function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

const PASS = 'ok  ';
const FAIL = 'FAIL';
/** Answers listed one by one; the tally covers the rest. */
const SHOWN = 18;

// One check, with the details a failure needs.
export function formatCheck(r: CheckResult, indent = '    '): string[] {
  const lines = [`${indent}${r.ok ? PASS : FAIL} ${r.check.title}`];
  if (r.ok) return lines;
  lines.push(`${indent}     expected: ${r.expected}`);
  lines.push(`${indent}     saw:      ${r.observed}`);
  for (const l of r.lines) lines.push(`${indent}     config:   ${l}`);
  lines.push(`${indent}     hint:     ${r.check.hint.replace(/\s*\n\s*/g, ' ')}`);
  return lines;
}

// A step: header, the address mapping, each experiment's answers and tally, then the checks.
export function formatStep(r: StepResult, index: number, total: number): string[] {
  if (r.status === 'skipped') {
    return [
      `step ${index + 1}/${total} ${r.step.id}: ${r.step.title}  SKIPPED (not passed): ${r.skipped?.why ?? 'cannot run here'}`,
      `    to run it: ${r.skipped?.fix ?? 'see `lab doctor`'}`,
    ];
  }
  const stacked = r.step.docker?.stack?.containers.some((c) => c.proxy);
  const which = r.configFile
    ? `${basename(r.configFile)}${r.use === 'solution' ? ' (the solution)' : ''}${r.step.docker?.compose ? ' and HAProxy in Docker beside it' : ''}`
    : stacked ? 'HAProxy in a container' : 'no proxy, apps only';
  const out = [`step ${index + 1}/${total} ${r.step.id}: ${r.step.title}  [${which}${stacked ? '' : `, ${r.driver}`}]`];
  if (r.step.files.length > 0) out.push(`    files: ${[...r.files].map(([name, src]) => `${name} ← ${displayPath(src)}`).join(', ')}`);
  const b = r.docker?.build;
  if (b) out.push(`    ${contextLine(b.context, b.unignored)}`);
  for (const m of r.mapping) out.push(`    ${m}`);
  if (r.report && !r.report.ok) for (const a of r.report.alerts) out.push(`    ${a}`);
  for (const e of [...r.experiments, ...(r.probes ?? [])]) {
    const n = e.observations.length;
    const own = r.experiments.includes(e) ? '' : '   (sent by a check)';
    out.push(`  $ ${e.experiment.curl}${n > 1 ? `   (x${n})` : ''}${e.target.mapped ? `   [${e.target.mapped}]` : ''}${own}`);
    const seq = e.observations.map((o) => (o.status === 0 ? 'ERR' : `${o.status} ${o.who}`));
    const shown = compress(seq.slice(0, SHOWN));
    out.push(`    ${shown.join(', ')}${n > SHOWN ? `, ... (${n - SHOWN} more)` : ''}`);
    if (n > 1) for (const l of e.tally.format()) out.push(`      ${l}`);
    if (e.received) out.push(`      received by the containers: ${[...e.received].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (e.beside) {
      const theirs = e.beside.observations.map((o) => (o.status === 0 ? 'ERR' : `${o.status} ${o.who}`));
      out.push(`    HAProxy in Docker: ${compress(theirs.slice(0, SHOWN)).join(', ')}${theirs.length > SHOWN ? `, ... (${theirs.length - SHOWN} more)` : ''}`);
      if (theirs.length > 1) for (const l of e.beside.tally.format()) out.push(`      ${l}`);
    }
  }
  for (const c of r.checks) out.push(...formatCheck(c));
  return out;
}

// One proof line: "ok   step: check (kind) — fails on start and 2 wrong answers, passes on solution".
export function formatProof(p: CheckProof): string {
  let what: string;
  if (p.failsOnStart === undefined) what = p.passes ? 'passes' : 'FAILS';
  else {
    const on = [...(p.failsOnStart ? ['start'] : []), ...(p.failsOnWrong ?? [])];
    what = `${on.length > 0 ? `fails on ${on.join(', ')}` : 'NEVER FAILS'}; ${p.passes ? 'passes' : 'FAILS'} on solution`;
  }
  return `${p.ok ? PASS : FAIL} ${p.step}: ${p.check.title} (${p.check.kind}) — ${what}${p.problem ? `\n       ${p.problem}` : ''}`;
}

// A wrong answer (or the starting config) and the first check that caught it, with why.
export function formatWrong(w: WrongProof): string[] {
  const head = `${w.ok ? PASS : FAIL} ${w.step}: ${w.name}${w.why ? ` (${w.why})` : ''} — ${w.ok ? `fails ${w.failed.length} check(s)` : 'PASSES EVERY CHECK: the checks cannot tell it from the solution'}`;
  // A refused config is the reason the other checks saw no answers: say that first.
  const first = w.failed.find((c) => c.check.kind === 'config-valid') ?? w.failed[0];
  if (!first) return [head];
  return [head, `       ${first.check.title}: expected ${first.expected}; saw ${first.observed}`];
}

// "a, a, b" → "a x2, b" for runs of the same entry.
function compress(items: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j < items.length && items[j] === items[i]) j++;
    out.push(j - i > 1 ? `${items[i]} x${j - i}` : items[i]!);
    i = j;
  }
  return out;
}
