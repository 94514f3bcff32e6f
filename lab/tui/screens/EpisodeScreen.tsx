// One step of an episode: explanation and config, backends with live traffic, log lines, and the keys.
import React, { useCallback, useContext, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { readFileSync } from 'node:fs';
import type { EngineEvent } from '../../../proxy/events.ts';
import type { CheckResult } from '../../episodes/schema.ts';
import { writeFileSync } from 'node:fs';
import type { EditOutcome, ServerRow, StepSessionView } from '../session/types.ts';
import { inlineLines, inlineReducer, inlineText, openInline, type InlineEditor } from '../state/inline-editor.ts';
import { ThemeContext, serverGlyph, toneColor } from '../theme.ts';
import { Lines } from '../components/Lines.tsx';
import { ServersTable } from '../components/ServersTable.tsx';
import { TrafficLine } from '../components/TrafficLine.tsx';
import { Footer } from '../components/Footer.tsx';
import { LogPane } from '../components/LogPane.tsx';
import { initialTraffic, lastTrace, trafficReducer } from '../state/traffic.ts';
import { initialLog, logReducer } from '../state/log.ts';
import { eventLine, type EventLine } from '../state/event-lines.ts';
import { episodeUiReducer, initialEpisodeUi, ctrlCEffect } from '../state/episode-ui.ts';
import { bindingFor, footerKeys, type KeyAction, type KeyContext } from '../state/keys.ts';
import { allShares } from '../state/shares.ts';
import { explainLines } from '../state/explain.ts';
import { configLines, remapMarks } from '../state/config-lines.ts';
import { checkLines, explanationLines, headerText, helpLines, hintLines, layout } from '../state/panes.ts';
import { truncate, windowOf, type Line } from '../state/text.ts';
import { useTerminalSize } from '../hooks/use-terminal-size.ts';
import { useEngineEvents } from '../hooks/use-engine-events.ts';
import { useInterval } from '../hooks/use-interval.ts';

export interface EpisodeScreenProps {
  readonly session: StepSessionView;
  readonly done: boolean;
  /** Opens the learner's editor on a file; the screen gives up the terminal meanwhile. */
  readonly editFile: (path: string) => Promise<EditOutcome>;
  readonly onStepDone: () => void;
  readonly onStep: (delta: 1 | -1) => void;
  readonly onHome: () => void;
  readonly onQuit: () => void;
  /** Requests a burst sends. */
  readonly burstSize?: number;
}

type Tab = 'explain' | 'config';

// The step screen: panes, backends and traffic, log lines via <Static>, and every key of state/keys.ts.
export function EpisodeScreen(props: EpisodeScreenProps): React.JSX.Element {
  const { session, done, editFile, onStepDone, onStep, onHome, onQuit, burstSize = 60 } = props;
  const theme = useContext(ThemeContext);
  const { columns, rows: termRows } = useTerminalSize();
  const width = Math.max(40, columns);
  const [traffic, dispatchTraffic] = useReducer(trafficReducer, undefined, () => initialTraffic());
  const [log, dispatchLog] = useReducer(logReducer, undefined, initialLog);
  const [ui, dispatchUi] = useReducer(episodeUiReducer, undefined, initialEpisodeUi);
  const [servers, setServers] = useState<readonly ServerRow[]>(() => session.rows());
  const [snapshot, setSnapshot] = useState(() => session.snapshot());
  const [tab, setTab] = useState<Tab>('explain');
  const [scroll, setScroll] = useState<number | null>(null);
  const [checks, setChecks] = useState<readonly CheckResult[] | null>(null);
  const [errors, setErrors] = useState(() => session.lastErrors());
  const [editing, setEditing] = useState(false);
  const [configText, setConfigText] = useState(() => session.configText());
  const [inline, setInlineState] = useState<InlineEditor | null>(null);
  // Keys can arrive faster than React re-renders; each one must see the previous one's result.
  const inlineRef = useRef<InlineEditor | null>(null);
  const setInline = (v: InlineEditor | null): void => {
    inlineRef.current = v;
    setInlineState(v);
  };
  const running = useRef<AbortController | null>(null);
  const predictBase = useRef(0);
  const step = session.step;

  const refresh = useCallback((): void => {
    setServers(session.rows());
    setSnapshot(session.snapshot());
  }, [session]);
  useInterval(refresh, editing ? null : 500);

  // Marks follow the learner's file: a mark moves with its line, and one whose line is gone is not shown.
  const startText = useMemo(() => {
    try {
      return step.config ? readFileSync(step.config, 'utf8') : null;
    } catch {
      return null;
    }
  }, [step]);
  const marksIn = (text: string): ReturnType<typeof remapMarks> => (startText === null ? step.marks.slice() : remapMarks(startText, text, step.marks));

  const indexOf = useMemo(() => {
    const m = new Map(servers.map((r) => [r.key, r.index]));
    return (key: string): number | undefined => m.get(key);
  }, [servers]);

  const say = useCallback((text: string, tone: EventLine['tone'] = 'plain') => dispatchUi({ type: 'message', text, tone }), []);

  useEngineEvents(session.events, (events: readonly EngineEvent[]) => {
    const lines: EventLine[] = [];
    let changed = false;
    let chunk: EngineEvent[] = [];
    // The bars restart whenever what they promise changes (reload, a server going DOWN or UP), so the new
    // distribution shows on its own; events before the change still count in the old window.
    const restart = (since: string): void => {
      dispatchTraffic({ type: 'events', events: chunk });
      chunk = [];
      dispatchTraffic({ type: 'reset-window', since });
    };
    for (const e of events) {
      const l = eventLine(e);
      if (l) lines.push(l);
      if (e.kind === 'server-state' || e.kind === 'reloaded' || e.kind === 'check') changed = true;
      if (e.kind === 'server-state' && (e.to === 'up' || e.to === 'down' || e.to === 'maint' || e.to === 'ready')) {
        restart(`since ${e.server} ${e.to === 'ready' ? 'READY' : e.to.toUpperCase()}`);
      } else if (e.kind === 'reloaded' && e.ok) {
        restart(`since reload #${e.generation}`);
        setConfigText(session.configText());
      } else {
        chunk.push(e);
      }
    }
    dispatchTraffic({ type: 'events', events: chunk });
    dispatchLog({ type: 'append', lines });
    if (changed) refresh();
  });

  // Predict mode: the answer to the guessed request resolves the guess.
  useEffect(() => {
    if (!ui.predict || ui.predict.guess === null) return;
    if (traffic.total > predictBase.current) {
      const last = traffic.sequence[traffic.sequence.length - 1];
      dispatchUi({ type: 'predict-resolve', actual: last?.server ?? null });
    }
  }, [traffic.total, ui.predict]);

  // Config file watching: every save is checked and applied; a refused one keeps the running config.
  const reload = useCallback(async (why: string): Promise<void> => {
    const r = await session.reload();
    setErrors(session.lastErrors());
    if (r.unchanged) {
      if (why === 'key') say('The config file is unchanged since the last reload.', 'dim');
      return;
    }
    if (r.ok) {
      setConfigText(session.configText());
      const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
      say(`Config applied live${warnings ? ` with ${warnings} warning(s)` : ''}: the new one serves from now on.`, 'ok');
    } else {
      const first = r.diagnostics.find((d) => d.severity === 'alert');
      setTab('config');
      setScroll(null);
      say(`Config refused${first?.loc ? ` (line ${first.loc.line})` : ''}: the running config keeps serving. Fix it and save again.`, 'bad');
    }
    refresh();
  }, [session, say, refresh]);

  useEffect(() => session.watchConfig(() => void reload('watch')), [session, reload]);

  const trafficRunning = (): boolean => running.current !== null;

  const openInlineEditor = (): void => {
    if (!session.configPath) return;
    let text = configText ?? '';
    try {
      text = readFileSync(session.configPath, 'utf8');
    } catch {
      // the running config's text will do
    }
    setInline(openInline(text, step.marks[0]?.line ?? 1));
    dispatchUi({ type: 'overlay', overlay: 'none' });
  };

  const saveInline = async (s: InlineEditor): Promise<void> => {
    if (!session.configPath) return;
    writeFileSync(session.configPath, inlineText(s));
    setInline({ ...s, dirty: false });
    await reload('edit');
  };

  // Keys while the inline editor is open: line moves, one-line edits, insert/delete, save.
  const inlineKey = (s: InlineEditor, input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]): void => {
    const apply = (a: Parameters<typeof inlineReducer>[1]): void => setInline(inlineReducer(s, a));
    if (s.edit) {
      if (key.return) apply({ type: 'commit' });
      else if (key.escape) apply({ type: 'cancel' });
      else if (key.leftArrow) apply({ type: 'col', delta: -1 });
      else if (key.rightArrow) apply({ type: 'col', delta: 1 });
      else if (key.backspace || key.delete) apply({ type: 'backspace' });
      else if (key.ctrl && input === 'a') apply({ type: 'home' });
      else if (key.ctrl && input === 'e') apply({ type: 'end' });
      else if (!key.ctrl && !key.meta && input && !key.upArrow && !key.downArrow && !key.tab) apply({ type: 'type', text: input.replace(/[\r\n]/g, '') });
      return;
    }
    if (key.upArrow || input === 'k') apply({ type: 'move', delta: -1 });
    else if (key.downArrow || input === 'j') apply({ type: 'move', delta: 1 });
    else if (key.pageUp) apply({ type: 'move', delta: -Math.max(1, paneHeight - 2) });
    else if (key.pageDown) apply({ type: 'move', delta: Math.max(1, paneHeight - 2) });
    else if (key.return) apply({ type: 'begin' });
    else if (input === 'o') apply({ type: 'insert-below' });
    else if (input === 'D') apply({ type: 'delete-line' });
    else if (input === 's' || (key.ctrl && input === 's')) void saveInline(s);
    else if (key.escape || input === 'q') {
      setInline(null);
      if (s.dirty) say('Inline edits dropped (not saved): s saves them.', 'warn');
    }
  };

  const startTraffic = async (label: string, count: number): Promise<void> => {
    if (running.current) {
      say('Traffic is already running: Ctrl+C stops it.', 'warn');
      return;
    }
    const ac = new AbortController();
    running.current = ac;
    dispatchUi({ type: 'busy', busy: count > 1 ? `${label} 0/${count}` : null });
    try {
      const r = await session.fire({
        count,
        concurrency: 1,
        signal: ac.signal,
        onProgress: (n) => {
          if (count > 1 && (n % 5 === 0 || n === count)) dispatchUi({ type: 'busy', busy: `${label} ${n}/${count}` });
        },
      });
      if (r.failed > 0) say(`${r.failed} of ${r.sent} requests got no HTTP answer: ${r.error ?? ''}`, 'bad');
      else if (count > 1) say(`${label}: ${r.sent} requests sent.`, 'dim');
    } finally {
      if (running.current === ac) running.current = null;
      dispatchUi({ type: 'busy', busy: null });
    }
  };

  const runChecks = async (): Promise<void> => {
    if (running.current) return;
    const ac = new AbortController();
    running.current = ac;
    setChecks(null);
    dispatchUi({ type: 'overlay', overlay: 'checks' });
    dispatchUi({ type: 'busy', busy: 'running the experiments…' });
    try {
      const results = await session.runChecks(ac.signal, (line) => dispatchUi({ type: 'busy', busy: line }));
      setChecks(results);
      const ok = results.length > 0 && results.every((r) => r.ok);
      if (ok) {
        onStepDone();
        say('Every check passes: step complete. → goes on; the step stays open for experiments.', 'ok');
      } else {
        say(`${results.filter((r) => !r.ok).length} check(s) fail: see what they expected and the hint.`, 'bad');
      }
    } catch (e) {
      say(`Checks stopped: ${(e as Error).message}`, 'bad');
    } finally {
      if (running.current === ac) running.current = null;
      dispatchUi({ type: 'busy', busy: null });
    }
  };

  const selectedRow = servers[Math.min(ui.selected, Math.max(0, servers.length - 1))];

  const changeWeight = (delta: number): void => {
    if (!selectedRow) return;
    try {
      const w = session.setWeight(selectedRow.key, Math.max(0, Math.min(256, selectedRow.weight + delta)));
      dispatchTraffic({ type: 'reset-window', since: `since ${selectedRow.server}=w${w}` });
      say(`set weight ${selectedRow.key} ${w}: applied live (the config file is unchanged).`, 'ok');
      refresh();
    } catch (e) {
      say((e as Error).message, 'bad');
    }
  };

  const toggleBackend = async (): Promise<void> => {
    if (!selectedRow) return;
    try {
      say(await session.toggleApp(selectedRow.key), 'accent');
    } catch (e) {
      say((e as Error).message, 'bad');
    }
    refresh();
  };

  const ctx: KeyContext = {
    hasEngine: session.hasEngine,
    hasServers: servers.length > 0,
    hasConfig: session.configPath !== null,
    hasChecks: step.checks.length > 0 || step.experiments.length > 0,
    predicting: ui.predict !== null,
    overlayOpen: ui.overlay !== 'none',
    canNext: session.stepIndex + 1 < session.episode.steps.length,
    canPrev: session.stepIndex > 0,
    hasHint: step.checks.length > 0 || step.task !== undefined,
    hasSolution: step.solution !== null,
    busy: running.current !== null,
    hasLastRequest: traffic.traces.length > 0,
    requests: step.experiments.length,
  };

  const act = (action: KeyAction, input: string): void => {
    switch (action) {
      case 'fire':
        void startTraffic('request', 1);
        return;
      case 'burst':
        void startTraffic('burst', burstSize);
        return;
      case 'next-request':
        say(`space now sends: ${session.nextExperiment()}`, 'accent');
        return;
      case 'checks':
        void runChecks();
        return;
      case 'edit':
        if (session.configPath) setEditing(true);
        return;
      case 'inline-edit':
        openInlineEditor();
        return;
      case 'reload':
        void reload('key');
        return;
      case 'select-next':
        dispatchUi({ type: 'select', delta: 1, count: servers.length });
        return;
      case 'select-prev':
        dispatchUi({ type: 'select', delta: -1, count: servers.length });
        return;
      case 'weight-up':
        changeWeight(1);
        return;
      case 'weight-down':
        changeWeight(-1);
        return;
      case 'toggle-backend':
        void toggleBackend();
        return;
      case 'explain':
        dispatchUi({ type: 'toggle-overlay', overlay: 'explain' });
        setScroll(null);
        return;
      case 'predict':
        dispatchUi({ type: 'predict-toggle' });
        return;
      case 'guess': {
        const row = servers[Number(input) - 1];
        if (!row || !ui.predict || ui.predict.guess !== null || running.current) return;
        predictBase.current = traffic.total;
        dispatchUi({ type: 'predict-guess', server: row.key });
        void startTraffic('request', 1);
        return;
      }
      case 'tab':
        setTab((t) => (t === 'explain' ? 'config' : 'explain'));
        setScroll(null);
        return;
      case 'scroll-up':
        setScroll((s) => Math.max(0, (s ?? paneOffset) - Math.max(1, paneHeight - 2)));
        return;
      case 'scroll-down':
        setScroll((s) => (s ?? paneOffset) + Math.max(1, paneHeight - 2));
        return;
      case 'next-step':
        onStep(1);
        return;
      case 'prev-step':
        onStep(-1);
        return;
      case 'hint':
        dispatchUi({ type: 'toggle-overlay', overlay: 'hint' });
        setScroll(null);
        return;
      case 'solution':
        dispatchUi({ type: 'toggle-overlay', overlay: 'solution' });
        setScroll(null);
        return;
      case 'help':
        dispatchUi({ type: 'toggle-overlay', overlay: 'help' });
        setScroll(null);
        return;
      case 'close':
        if (ui.overlay !== 'none') dispatchUi({ type: 'overlay', overlay: 'none' });
        else if (ui.predict) dispatchUi({ type: 'predict-toggle' });
        setScroll(null);
        return;
      case 'home':
        running.current?.abort();
        onHome();
        return;
      case 'quit':
        running.current?.abort();
        onQuit();
        return;
    }
  };

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        const effect = ctrlCEffect(ui, trafficRunning());
        if (effect === 'stop-traffic') running.current?.abort();
        if (effect === 'quit') onQuit();
        else dispatchUi({ type: 'ctrl-c', trafficRunning: effect === 'stop-traffic' });
        return;
      }
      dispatchUi({ type: 'key' });
      if (inlineRef.current) {
        inlineKey(inlineRef.current, input, key);
        return;
      }
      const b = bindingFor(input, key, ctx);
      if (b) act(b.action, input);
    },
    { isActive: !editing },
  );

  // Declared after useInput so raw mode is already off when the editor takes the terminal.
  useEffect(() => {
    if (!editing || !session.configPath) return;
    let cancelled = false;
    void (async () => {
      const r = await editFile(session.configPath!);
      if (cancelled) return;
      setEditing(false);
      if (r.noEditor) {
        openInlineEditor();
        say(r.message, 'warn');
        return;
      }
      if (!r.ok) say(r.message, 'bad');
      await reload('edit');
    })();
    return () => {
      cancelled = true;
    };
  }, [editing]);

  // Layout: every pane is cut to its rows so the live area stays shorter than the terminal.
  const lay = layout(termRows, servers.length, session.configPath !== null && ui.overlay === 'none' && inline === null);
  const both = lay.second > 0;

  const paneTitleAndLines = (): { title: string; lines: Line[]; focus: number } => {
    const w = width;
    if (inline) {
      const l = inlineLines(inline, errors, w);
      const title = inline.edit
        ? `Editing line ${inline.cursor + 1}: enter keeps · esc drops · ←→ move`
        : `Inline editor${inline.dirty ? ' (unsaved)' : ''}: ↑↓ line · enter edit · o add · D delete · s save+apply · esc leave`;
      return { title, lines: l.lines, focus: l.focus };
    }
    switch (ui.overlay) {
      case 'help':
        return { title: 'Help: every key (esc closes)', lines: helpLines(w), focus: 0 };
      case 'explain':
        return { title: 'Why the last request went where it went (x closes)', lines: explainLines(lastTrace(traffic), w, indexOf), focus: 0 };
      case 'checks':
        return { title: 'Checks (esc closes)', lines: checkLines(checks, ui.busy, w), focus: 0 };
      case 'hint':
        return { title: 'Hint (esc closes)', lines: hintLines(step, w), focus: 0 };
      case 'solution': {
        let text = '';
        try {
          text = step.solution ? readFileSync(step.solution, 'utf8') : '';
        } catch (e) {
          text = `cannot read ${step.solution}: ${(e as Error).message}`;
        }
        const c = configLines({ text, marks: marksIn(text), errors: [], width: w });
        return { title: 'Solution (esc closes; e opens your copy to edit)', lines: c.lines.slice(), focus: c.focus };
      }
      case 'none':
        break;
    }
    if (tab === 'config' && configText !== null && !both) {
      const c = configLines({ text: configText, marks: marksIn(configText), errors, width: w });
      return { title: `Config ${session.configName ?? ''}${errors.length ? ' — refused, still serving the previous one' : ''} (tab: explanation)`, lines: c.lines.slice(), focus: c.focus };
    }
    return {
      title: `Explanation${session.configPath !== null && !both ? ' (tab: config)' : ''}`,
      lines: explanationLines(step, session.curl, session.mapping, w),
      focus: 0,
    };
  };

  const pane = paneTitleAndLines();
  const paneHeight = Math.max(0, lay.pane - 1);
  // The inline editor keeps its cursor line in view; other panes start at their focus and scroll by page.
  const paneOffset = inline ? Math.max(0, pane.focus - Math.floor(paneHeight / 2)) : (scroll ?? Math.max(0, pane.focus - 1));
  const win = windowOf(pane.lines, paneHeight, paneOffset);
  const second = both && configText !== null ? configLines({ text: configText, marks: marksIn(configText), errors, width }) : null;
  const secondWin = second ? windowOf(second.lines, Math.max(0, lay.second - 1), Math.max(0, second.focus - 1)) : null;

  const shares = allShares(snapshot?.backends ?? null, servers.map((r) => r.key), traffic);

  const status = ((): { text: string; tone: string } => {
    if (editing) return { text: `Editing ${session.configPath} — save and quit the editor to apply.`, tone: 'accent' };
    if (ui.busy) return { text: `${ui.busy} (Ctrl+C stops)`, tone: 'accent' };
    if (ui.predict) {
      const p = ui.predict;
      const last = p.last ? `${p.last.ok ? '✓ right' : `✗ it was ${p.last.actual ?? 'no server'}`} · ` : '';
      const choices = servers.slice(0, 9).map((r, i) => `${i + 1}${serverGlyph(r.index)}${r.server}`).join(' ');
      return { text: `${last}${p.right}/${p.total} · which server answers next? ${choices}`, tone: 'accent' };
    }
    if (ui.message) return ui.message;
    return { text: done ? 'This step is complete; it stays open for experiments.' : 'space sends a request · c runs the step’s experiments and checks', tone: 'dim' };
  })();
  const statusColor = toneColor(theme, status.tone);

  const titleRow = (t: string, more: boolean, offset: number): string => {
    const marks = `${offset > 0 ? '↑' : ''}${more ? '↓' : ''}`;
    const head = `── ${t} ${marks ? `(${marks} pgup/pgdn) ` : ''}`;
    return truncate(head + '─'.repeat(Math.max(0, width - Array.from(head).length)), width);
  };

  return (
    <>
      <LogPane key={`log-${log.epoch}`} items={log.items} width={width} />
      <Box flexDirection="column" width={width}>
        <Text bold {...(theme.accent ? { color: theme.accent } : {})} wrap="truncate-end">
          {headerText(session.episode, session.stepIndex, done, width)}
        </Text>
        {lay.tooSmall ? (
          <Text wrap="truncate-end">{truncate(`Terminal ${columns}x${termRows} is too small: make it at least 80x24.`, width)}</Text>
        ) : (
          <>
            <Text dimColor wrap="truncate-end">
              {titleRow(pane.title, win.more, win.offset)}
            </Text>
            <Lines lines={win.shown} height={paneHeight} />
            {second && secondWin ? (
              <>
                <Text dimColor wrap="truncate-end">
                  {titleRow(`Config ${session.configName ?? ''}${errors.length ? ' — refused, still serving the previous one' : ''}`, secondWin.more, secondWin.offset)}
                </Text>
                <Lines lines={secondWin.shown} height={Math.max(0, lay.second - 1)} />
              </>
            ) : null}
          </>
        )}
        <ServersTable rows={servers} shares={shares} selected={ui.selected} width={width} since={traffic.since} />
        <TrafficLine
          sequence={traffic.sequence}
          latencies={traffic.latencies}
          serverIndex={indexOf}
          width={width}
          total={traffic.total}
          unanswered={traffic.windowUnanswered}
        />
        <Text wrap="truncate-end" {...(statusColor ? { color: statusColor } : {})} dimColor={status.tone === 'dim'}>
          {truncate(status.text, width) || ' '}
        </Text>
        <Footer
          keys={editing ? ['(editor open)'] : inline ? (inline.edit ? ['enter keep', 'esc drop', '←→ move', 'ctrl+a/e start/end'] : ['s save+apply', 'esc leave', '↑↓ line', 'enter edit', 'o add line', 'D delete line']) : footerKeys(ctx)}
          width={width}
          rows={2}
        />
      </Box>
    </>
  );
}
