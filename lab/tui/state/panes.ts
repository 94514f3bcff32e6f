// The upper pane's contents as lines: the step's explanation, help, check results, hints, and the layout budget
// that keeps the live area shorter than the screen.
import type { CheckResult, Episode, Step } from '../../episodes/schema.ts';
import { episodeKeys } from './keys.ts';
import { reflow, truncate, wrapLines, wrapText, type Line } from './text.ts';

export interface Layout {
  /** Rows of the upper pane, its title row included. */
  readonly pane: number;
  /** Rows of a second pane under it (explanation and config both shown), 0 when tabbed. */
  readonly second: number;
  /** Whether the screen is too small to be useful. */
  readonly tooSmall: boolean;
}

/** Rows of the screen besides the panes: header, table head, traffic (2), status, footer (2). */
export const FIXED_ROWS = 7;

// Rows left above the live area for the newest log lines (printed by <Static>, scrolling up).
export function logRows(rows: number): number {
  return rows >= 20 ? Math.max(4, Math.floor(rows / 5)) : 0;
}

// Splits the rows the live area may use: less than the terminal (or ink clears the screen on every frame), and
// short enough that the newest log lines stay in sight above it.
export function layout(rows: number, servers: number, wantsSecond: boolean, extraRows = 0): Layout {
  const live = rows - 1 - logRows(rows);
  const free = live - FIXED_ROWS - Math.max(1, servers) - extraRows;
  if (free < 3) return { pane: Math.max(0, free), second: 0, tooSmall: true };
  if (wantsSecond && free >= 24) {
    const second = Math.floor(free / 2);
    return { pane: free - second, second, tooSmall: false };
  }
  return { pane: free, second: 0, tooSmall: false };
}

// The explanation tab: the task first (so it is on the first screen at 80x24), then the text, the request the
// space key sends, and the port mapping.
export function explanationLines(step: Step, curl: string, mapping: readonly string[], width: number): Line[] {
  const out: Line[] = [];
  if (step.task) {
    for (const t of wrapText(`Your task: ${reflow(step.task.trim())}`, width)) out.push({ text: t, tone: 'warn', bold: true });
    out.push({ text: '' });
  }
  out.push(...wrapLines(reflow(step.explain.trim()), width));
  if (curl) {
    out.push({ text: '' });
    out.push(...wrapLines(`space sends: ${curl}`, width, 'accent'));
  }
  for (const e of step.experiments) {
    if (e.curl === curl) continue;
    out.push(...wrapLines(`experiment: ${e.curl}${e.repeat > 1 ? ` (×${e.repeat})` : ''}`, width, 'dim'));
  }
  for (const c of step.commands) out.push(...wrapLines(`document runs: ${c}`, width, 'dim'));
  if (mapping.length > 0) out.push(...wrapLines(`ports: ${mapping.join(', ')}`, width, 'dim'));
  return out;
}

// Every key with what it does, one per row; a description too long for the row wraps under itself (never cut).
export function helpLines(width: number): Line[] {
  const items: [string, string][] = [
    ...episodeKeys.map((k): [string, string] => {
      const extra = k.chars.filter((c) => c !== k.label && c !== ' ' && c.length === 1 && !/[0-9]/.test(c));
      return [`${k.label}${extra.length ? `/${extra.join('/')}` : ''}`, k.does];
    }),
    ['Ctrl+C', 'stop traffic; again: quit'],
    ['order', 'one glyph per answering server; ! = the server failed (the 503/504 is the proxy’s), ✗ = no server (a deny, none usable), ↪ = a redirect'],
    ['served', 'answers each server gave, counted from the same moment as the bars (the "since …" in the table’s header)'],
  ];
  const keyW = 10;
  const out: Line[] = [];
  for (const [k, does] of items) {
    wrapText(does, Math.max(8, width - keyW - 1)).forEach((t, i) => out.push({ text: `${(i === 0 ? k : '').padEnd(keyW)} ${t}` }));
  }
  return out;
}

// The results of the step's checks: each with what it expected and saw; failures with their lines and hint.
export function checkLines(results: readonly CheckResult[] | null, running: string | null, width: number): Line[] {
  if (running !== null && (!results || results.length === 0)) return [{ text: running, tone: 'accent' }];
  if (!results) return [{ text: 'Press c to run the step’s experiments and check what they show.', tone: 'dim' }];
  const out: Line[] = [];
  const passed = results.filter((r) => r.ok).length;
  out.push({ text: `${passed}/${results.length} checks pass${passed === results.length ? ' — step complete ✓' : ''}`, tone: passed === results.length ? 'ok' : 'bad', bold: true });
  for (const r of results) {
    out.push({ text: truncate(`${r.ok ? '✓' : '✗'} ${r.check.title}`, width), tone: r.ok ? 'ok' : 'bad', bold: !r.ok });
    if (!r.ok) {
      for (const t of wrapText(`expected ${r.expected}`, width - 4)) out.push({ text: `    ${t}` });
      for (const t of wrapText(`saw      ${r.observed}`, width - 4)) out.push({ text: `    ${t}` });
      for (const l of r.lines) out.push({ text: truncate(`    ${l}`, width), tone: 'warn' });
      for (const t of wrapText(`hint: ${r.check.hint}`, width - 4)) out.push({ text: `    ${t}`, tone: 'dim' });
    }
  }
  return out;
}

// The hints of a step: its task, then each check's hint.
export function hintLines(step: Step, width: number): Line[] {
  const out: Line[] = [];
  if (step.task) out.push(...wrapLines(`Task: ${reflow(step.task.trim())}`, width, 'warn'));
  for (const c of step.checks) {
    out.push(...wrapLines(`• ${c.title}: ${reflow(c.hint.trim())}`, width));
  }
  if (out.length === 0) out.push({ text: 'This step has no task: experiment freely.', tone: 'dim' });
  return out;
}

// The header's one row: episode, step k/n and its title, done mark.
export function headerText(episode: Episode, stepIndex: number, done: boolean, width: number): string {
  const step = episode.steps[stepIndex];
  return truncate(`${episode.title} · step ${stepIndex + 1}/${episode.steps.length}: ${step?.title ?? ''}${done ? ' ✓' : ''}`, width);
}
