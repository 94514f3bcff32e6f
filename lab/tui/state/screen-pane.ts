// What the episode screen's upper pane shows now, as a title and pre-fitted lines: the inline editor, an
// overlay (help, explain, checks, hint, solution, log legend), the config or the explanation. Pure: the
// session is only read.
import type { StepSessionView } from '../session/types.ts';
import type { EpisodeScreenModel } from '../hooks/use-episode-screen.ts';
import { inlineLines } from './inline-editor.ts';
import { explainLines } from './explain.ts';
import { lastTrace } from './traffic.ts';
import { configLines, remapMarks } from './config-lines.ts';
import { checkLines, explanationLines, helpLines, hintLines } from './panes.ts';
import { logLegendLines } from './log-legend.ts';
import type { Line } from './text.ts';
import { responseLines } from './response-lines.ts';

export interface PaneInput {
  readonly session: StepSessionView;
  readonly model: Pick<EpisodeScreenModel, 'screen' | 'traffic' | 'checks' | 'errors' | 'configText' | 'fileText' | 'lastLog' | 'exchange'>;
  /** Rows the pane has (the response pane cuts a comparison's bodies to fit). */
  readonly height?: number;
  readonly width: number;
  /** Explanation and config are both on screen (tall terminals): the explanation pane has no tab. */
  readonly both: boolean;
  readonly indexOf: (key: string) => number | undefined;
}

export interface Pane {
  readonly title: string;
  readonly lines: readonly Line[];
  /** The line to start at (a mark, an error, the cursor). */
  readonly focus: number;
}

// "Config haproxy.cfg" with what the learner needs to know about it: refused, and where the tab goes.
export function configPaneTitle(name: string | null, refused: boolean, tab: boolean): string {
  return `Config ${name ?? ''}${refused ? ' — your file, refused: the previous config keeps serving' : ''}${tab ? ' (tab: explanation)' : ''}`;
}

export function screenPane({ session, model, width: w, both, indexOf, height = 12 }: PaneInput): Pane {
  const { screen } = model;
  const step = session.step;
  const inline = screen.inline;
  if (inline) {
    const l = inlineLines(inline, model.errors, w);
    const title = inline.edit
      ? `Editing line ${inline.cursor + 1}: enter keeps · esc drops · ←→ move`
      : `Inline editor${inline.dirty ? ' (unsaved)' : ''}: ↑↓ line · enter edit · o add · D delete · s save+apply · esc leave`;
    return { title, lines: l.lines, focus: l.focus };
  }
  switch (screen.ui.overlay) {
    case 'help':
      return { title: 'Help: every key (esc closes)', lines: helpLines(w), focus: 0 };
    case 'explain':
      return { title: 'Why the last request went where it went (x closes)', lines: explainLines(lastTrace(model.traffic), w, indexOf), focus: 0 };
    case 'legend':
      return { title: 'The last log line, field by field (l closes)', lines: logLegendLines(model.lastLog, w), focus: 0 };
    case 'checks':
      return { title: 'Checks (esc closes)', lines: checkLines(model.checks, screen.ui.busy, w), focus: 0 };
    case 'hint':
      return { title: 'Hint (esc closes)', lines: hintLines(step, w), focus: 0 };
    case 'solution': {
      const text = session.solutionText();
      const c = configLines({ text, marks: step.marks, errors: [], width: w });
      return { title: 'Solution (esc closes; e opens your copy to edit)', lines: c.lines.slice(), focus: c.focus };
    }
    case 'none':
      break;
  }
  if (screen.tab === 'response') {
    const ex = model.exchange;
    return { title: ex ? 'Response (x explains · tab switches panes)' : 'Response (tab switches panes)', lines: responseLines(ex, w, height, session.curl), focus: 0 };
  }
  // After a refused reload the learner's own text is shown, each error under the line it is about.
  const refused = model.errors.length > 0;
  const shown = refused ? model.fileText : model.configText;
  if (screen.tab === 'config' && shown !== null && !both) {
    const marks = remapMarks(session.startingConfig ?? shown, shown, step.marks);
    const c = configLines({ text: shown, marks, errors: model.errors, width: w });
    return { title: configPaneTitle(session.configName, refused, true), lines: c.lines.slice(), focus: c.focus };
  }
  return {
    title: `Explanation${session.configPath !== null && !both ? ' (tab: config)' : ''}`,
    lines: explanationLines(step, session.curl, session.mapping, w),
    focus: 0,
  };
}
