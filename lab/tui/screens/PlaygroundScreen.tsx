// The playground screen: wires the playground session, the reducers and the input hook to PlaygroundView.
// Every key's state change is in state/playground.ts; what draws is PlaygroundView.tsx.
import React, { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Key } from 'ink';
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import type { EngineEvent } from '../../../proxy/index.ts';
import type { PlaySession, PlayExchange } from '../../play/play-session.ts';
import type { EditOutcome, ServerRow } from '../session/types.ts';
import { initialPlayground, playgroundReducer, type PlaygroundAction, type PlaygroundUi } from '../state/playground.ts';
import { playFooterKeys, playKeys, type PlayKeyAction, type PlayKeyContext } from '../state/play-keys.ts';
import { responseLines } from '../state/response-lines.ts';
import { PROMPT_STATUS } from '../state/request-prompt.ts';
import { initialTraffic, lastTrace, trafficReducer } from '../state/traffic.ts';
import { initialLog, logReducer } from '../state/log.ts';
import { eventLine, type EventLine } from '../state/event-lines.ts';
import { explainLines } from '../state/explain.ts';
import { configLines } from '../state/config-lines.ts';
import { inlineLines, inlineReducer, inlineText, openInline, type InlineEditor } from '../state/inline-editor.ts';
import { allShares } from '../state/shares.ts';
import { layout } from '../state/panes.ts';
import { windowOf, wrapLines, type Line } from '../state/text.ts';
import { useTerminalSize } from '../hooks/use-terminal-size.ts';
import { useEngineEvents } from '../hooks/use-engine-events.ts';
import { useInterval } from '../hooks/use-interval.ts';
import { usePlaygroundInput } from '../hooks/use-playground-input.ts';
import { PlaygroundView } from './PlaygroundView.tsx';

export interface PlaygroundScreenProps {
  readonly session: PlaySession;
  readonly editFile: (path: string) => Promise<EditOutcome>;
  /** Where `w` writes the transcript. */
  readonly transcriptPath: string;
  readonly canCompare: boolean;
  readonly onQuit: () => void;
}

function ignoredLines(session: PlaySession, width: number): Line[] {
  const u = session.unsupported();
  if (u.length === 0) return [];
  return [{ text: '' }, { text: `The lab ignores ${u.length} keyword(s) of this config (real haproxy runs them; v compares):`, tone: 'warn' }, ...u.map((d) => ({ text: `  line ${d.loc?.line ?? '?'}: ${d.message}`.slice(0, width), tone: 'warn' as const }))];
}

export function PlaygroundScreen({ session, editFile, transcriptPath, canCompare, onQuit }: PlaygroundScreenProps): React.JSX.Element {
  const { columns, rows: termRows } = useTerminalSize();
  const width = Math.max(40, columns);
  // Keys can arrive faster than React renders: each action sees the previous one's result.
  const uiRef = useRef<PlaygroundUi>(initialPlayground(session.defaultRequest()));
  const [ui, setUi] = useState(uiRef.current);
  const dispatch = useCallback((a: PlaygroundAction) => {
    uiRef.current = playgroundReducer(uiRef.current, a);
    setUi(uiRef.current);
  }, []);
  const [traffic, dispatchTraffic] = useReducer(trafficReducer, undefined, () => initialTraffic('since start'));
  const [log, dispatchLog] = useReducer(logReducer, undefined, initialLog);
  const [servers, setServers] = useState<readonly ServerRow[]>(() => session.rows());
  const [snapshot, setSnapshot] = useState(() => session.snapshot());
  const [exchange, setExchange] = useState<PlayExchange | null>(null);
  const [errors, setErrors] = useState(() => session.lastErrors());
  const [text, setText] = useState(() => session.configText());
  const [editing, setEditing] = useState(false);
  const [scroll, setScroll] = useState<number | null>(null);
  const inlineRef = useRef<InlineEditor | null>(null);
  const [inline, setInlineState] = useState<InlineEditor | null>(null);
  const setInline = (v: InlineEditor | null): void => {
    inlineRef.current = v;
    setInlineState(v);
  };
  const running = useRef<AbortController | null>(null);

  const say = useCallback((t: string, tone: EventLine['tone'] = 'plain') => dispatch({ type: 'message', text: t, tone }), [dispatch]);
  useEffect(() => {
    if (session.startupNote) say(session.startupNote, 'bad');
  }, [session]);
  const refresh = useCallback(() => {
    setServers(session.rows());
    setSnapshot(session.snapshot());
  }, [session]);
  useInterval(refresh, editing ? null : 500);

  useEngineEvents(session.events, (events: readonly EngineEvent[]) => {
    const lines: EventLine[] = [];
    for (const e of events) {
      const l = eventLine(e);
      if (l) lines.push(l);
      if (e.kind === 'reloaded' && e.ok) dispatchTraffic({ type: 'reset-window', since: `since reload #${e.generation}` });
    }
    dispatchTraffic({ type: 'events', events });
    dispatchLog({ type: 'append', lines });
  });

  const indexOf = useMemo(() => {
    const m = new Map(servers.map((r) => [r.key, r.index]));
    return (key: string): number | undefined => m.get(key);
  }, [servers]);

  const reload = useCallback(async (why: 'key' | 'watch' | 'edit') => {
    const r = await session.reload();
    setErrors(session.lastErrors());
    if (r.unchanged) {
      if (why === 'key') say('The config file is unchanged since the last reload.', 'dim');
      return;
    }
    if (r.ok) {
      setText(session.configText());
      const ignored = session.unsupported().length;
      say(`Config applied live${ignored ? ` (${ignored} keyword(s) ignored: U lists them)` : ''}.${r.compareError ? ` haproxy refused it: ${r.compareError.split('\n')[1] ?? r.compareError}` : ''}`, r.compareError ? 'warn' : 'ok');
    } else {
      const first = r.diagnostics.find((d) => d.severity === 'alert');
      dispatch({ type: 'pane', pane: 'config' });
      say(`Config refused${first?.loc ? ` (line ${first.loc.line})` : ''}: the running config keeps serving. Fix it and save again.`, 'bad');
    }
    refresh();
  }, [session, say, refresh, dispatch]);
  useEffect(() => session.watch(() => void reload('watch')), [session, reload]);

  const send = async (line: string, times = 1): Promise<void> => {
    if (running.current) {
      say('Requests are already running: Ctrl+C stops them.', 'warn');
      return;
    }
    const ac = new AbortController();
    running.current = ac;
    dispatch({ type: 'busy', busy: 'sending…' });
    try {
      let ex: PlayExchange | null = null;
      for (let i = 0; i < times && !ac.signal.aborted; i++) {
        ex = await session.send(line, ac.signal, (done, total) => {
          if (total > 1 && (done % 5 === 0 || done === total)) dispatch({ type: 'busy', busy: `sent ${done}/${total}` });
        });
      }
      if (ex) {
        if (uiRef.current.predict?.guess) dispatch({ type: 'predict-resolve', actual: ex.serverKey ?? null });
        setExchange(ex);
        setScroll(null);
        if (ex.failed > 0) say(`${ex.failed} of ${ex.sent} got no answer: ${ex.engine.error ?? ''}`, 'bad');
        else if (ex.haproxy) say(ex.differing ? `engine and haproxy differ on ${ex.differing} of ${ex.sent}: marked ✗` : `engine and haproxy agree on ${ex.sent === 1 ? 'it' : `all ${ex.sent}`}.`, ex.differing ? 'bad' : 'ok');
        else say(`${ex.engine.status} from ${ex.engine.server}${ex.sent > 1 ? ` (last of ${ex.sent})` : ''} · x explains it`, 'dim');
      }
    } catch (e) {
      say((e as Error).message, 'bad');
    } finally {
      if (running.current === ac) running.current = null;
      dispatch({ type: 'busy', busy: null });
      refresh();
    }
  };

  const selected = servers[Math.min(uiRef.current.selected, Math.max(0, servers.length - 1))];

  const openInlineEditor = (): void => {
    let t = text;
    try {
      t = readFileSync(session.file, 'utf8');
    } catch {
      // the serving text will do
    }
    setInline(openInline(t, errors[0]?.loc?.line ?? 1));
  };

  const inlineKey = (input: string, key: Key): void => {
    const s = inlineRef.current!;
    const apply = (a: Parameters<typeof inlineReducer>[1]): void => setInline(inlineReducer(s, a));
    if (s.edit) {
      if (key.return) apply({ type: 'commit' });
      else if (key.escape) apply({ type: 'cancel' });
      else if (key.leftArrow) apply({ type: 'col', delta: -1 });
      else if (key.rightArrow) apply({ type: 'col', delta: 1 });
      else if (key.backspace || key.delete) apply({ type: 'backspace' });
      else if (!key.ctrl && !key.meta && input && !key.upArrow && !key.downArrow && !key.tab) apply({ type: 'type', text: input.replace(/[\r\n]/g, '') });
      return;
    }
    if (key.upArrow || input === 'k') apply({ type: 'move', delta: -1 });
    else if (key.downArrow || input === 'j') apply({ type: 'move', delta: 1 });
    else if (key.return) apply({ type: 'begin' });
    else if (input === 'o') apply({ type: 'insert-below' });
    else if (input === 'D') apply({ type: 'delete-line' });
    else if (input === 's') {
      writeFileSync(session.file, inlineText(s));
      setInline({ ...s, dirty: false });
      void reload('edit');
    } else if (key.escape || input === 'q') {
      setInline(null);
      if (s.dirty) say('Inline edits dropped (not saved): s saves them.', 'warn');
    }
  };

  const act = (a: PlayKeyAction | 'submit', input = ''): void => {
    switch (a) {
      case 'submit': {
        dispatch({ type: 'prompt-submit' });
        const line = uiRef.current.request;
        void send(line);
        return;
      }
      case 'prompt':
        dispatch({ type: 'prompt-open' });
        return;
      case 'send':
        void send(uiRef.current.request);
        return;
      case 'burst':
        void send(uiRef.current.request, 20);
        return;
      case 'explain':
        dispatch({ type: 'toggle-pane', pane: 'explain' });
        setScroll(null);
        return;
      case 'config':
        dispatch({ type: 'toggle-pane', pane: 'config' });
        setScroll(null);
        return;
      case 'unsupported':
        dispatch({ type: 'toggle-pane', pane: 'unsupported' });
        return;
      case 'help':
        dispatch({ type: 'toggle-pane', pane: 'help' });
        return;
      case 'close':
        dispatch({ type: 'pane', pane: 'response' });
        return;
      case 'edit':
        setEditing(true);
        return;
      case 'inline-edit':
        openInlineEditor();
        return;
      case 'reload':
        void reload('key');
        return;
      case 'select-next':
        dispatch({ type: 'select', delta: 1, count: servers.length });
        return;
      case 'select-prev':
        dispatch({ type: 'select', delta: -1, count: servers.length });
        return;
      case 'weight-up':
      case 'weight-down': {
        if (!selected) return;
        try {
          const w = session.setWeight(selected.key, Math.max(0, Math.min(256, selected.weight + (a === 'weight-up' ? 1 : -1))));
          dispatchTraffic({ type: 'reset-window', since: `since ${selected.server}=w${w}` });
          say(`set weight ${selected.key} ${w}: applied live (the file is unchanged).`, 'ok');
          refresh();
        } catch (e) {
          say((e as Error).message, 'bad');
        }
        return;
      }
      case 'toggle-server':
        if (!selected) return;
        void session.toggle(selected.key).then((m) => say(m, 'accent'), (e: Error) => say(e.message, 'bad')).finally(refresh);
        return;
      case 'compare':
        say(session.compareOn ? 'Stopping haproxy…' : 'Starting real haproxy on the same config and servers…', 'dim');
        void session.setCompare(!session.compareOn).then(
          () => say(session.compareOn ? 'Real haproxy runs beside the engine: every request goes through both.' : 'haproxy stopped: requests go to the engine only.', 'ok'),
          (e: Error) => say(`haproxy: ${e.message.split('\n').slice(0, 2).join(' ')}`, 'bad'),
        );
        return;
      case 'write':
        try {
          session.transcript.write(transcriptPath);
          say(`Transcript written to ${transcriptPath} (lab play --replay ${transcriptPath} sends its requests again).`, 'ok');
        } catch (e) {
          say(`cannot write ${transcriptPath}: ${(e as Error).message}`, 'bad');
        }
        return;
      case 'scroll-up':
        setScroll((s) => Math.max(0, (s ?? 0) - Math.max(1, paneHeight - 2)));
        return;
      case 'scroll-down':
        setScroll((s) => (s ?? 0) + Math.max(1, paneHeight - 2));
        return;
      case 'predict':
        dispatch({ type: 'predict-toggle' });
        return;
      case 'guess': {
        const row = servers[Number(input) - 1];
        if (!row || !uiRef.current.predict || uiRef.current.predict.guess !== null) return;
        dispatch({ type: 'predict-guess', server: row.key });
        void send(uiRef.current.request);
        return;
      }
      case 'quit':
        running.current?.abort();
        onQuit();
        return;
    }
  };

  const ctx: PlayKeyContext = {
    hasServers: servers.length > 0,
    hasAnswer: exchange !== null || traffic.traces.length > 0,
    hasUnsupported: session.unsupported().length > 0,
    canCompare,
    paneOpen: ui.pane !== 'response',
    busy: ui.busy !== null,
    predicting: ui.predict !== null,
  };

  usePlaygroundInput({
    ui, ctx, dispatch, act,
    inlineKey: inline ? inlineKey : null,
    onCtrlC: () => {
      if (running.current) {
        running.current.abort();
        return;
      }
      if (uiRef.current.quitArmed) onQuit();
      else dispatch({ type: 'ctrl-c' });
    },
    active: !editing,
  });

  useEffect(() => {
    if (!editing) return;
    let cancelled = false;
    void (async () => {
      const r = await editFile(session.file);
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

  const lay = layout(termRows - 2, servers.length, false);
  const paneHeight = Math.max(0, lay.pane - 1 - (ui.prompt ? 1 : 0));

  const pane = ((): { title: string; lines: Line[]; focus: number } => {
    if (inline) {
      const l = inlineLines(inline, errors, width);
      return { title: inline.edit ? `Editing line ${inline.cursor + 1}: enter keeps · esc drops` : 'Inline editor: ↑↓ line · enter edit · o add · D delete · s save+apply · esc leave', lines: l.lines, focus: Math.max(0, l.focus - Math.floor(paneHeight / 2)) };
    }
    switch (ui.pane) {
      case 'config': {
        const c = configLines({ text, marks: [], errors, width });
        return { title: `Config ${session.name}${errors.length ? ' — refused, still serving the previous one' : ''} (tab: response)`, lines: c.lines.slice(), focus: Math.max(0, c.focus - 1) };
      }
      case 'explain': {
        const t = exchange?.id !== undefined ? traffic.traces.find((x) => x.id === exchange.id) ?? lastTrace(traffic) : lastTrace(traffic);
        return { title: 'Why the last request went where it went (x closes)', lines: explainLines(t, width, indexOf), focus: 0 };
      }
      case 'unsupported': {
        const u = session.unsupported();
        const lines: Line[] = u.length === 0 ? [{ text: 'Every keyword of this config is run by the lab.', tone: 'ok' }] : u.map((d) => ({ text: `line ${d.loc?.line ?? '?'}: ${d.message}`, tone: 'warn' as const }));
        return { title: `Keywords the lab ignores (${u.length}; real haproxy runs them: v compares)`, lines, focus: 0 };
      }
      case 'help':
        return { title: 'Help: every key (esc closes)', lines: playKeys.flatMap((b) => wrapLines(`${b.label.padEnd(6)} ${b.does}`, width)), focus: 0 };
      case 'response':
        return {
          title: exchange ? `Response${exchange.haproxy ? ': engine and real haproxy' : ''} (x explains · tab config)` : 'Response',
          lines: [
            ...responseLines(exchange, width, paneHeight, session.defaultRequest()),
            // before the first answer, what the lab ignores is in sight too (U lists it any time)
            ...(exchange ? [] : ignoredLines(session, width)),
          ],
          focus: 0,
        };
    }
  })();
  const win = windowOf(pane.lines, paneHeight, scroll ?? pane.focus);
  const ignored = session.unsupported().length;

  const status = ((): { text: string; tone: string } => {
    if (editing) return { text: `Editing ${session.file}: save and quit the editor to apply.`, tone: 'accent' };
    if (ui.prompt) return { text: PROMPT_STATUS, tone: 'accent' };
    if (ui.busy) return { text: `${ui.busy} (Ctrl+C stops)`, tone: 'accent' };
    if (ui.predict) {
      const p = ui.predict;
      const last = p.last ? `${p.last.ok ? '✓ right' : `✗ it was ${p.last.actual ?? 'no server'}`} · ` : '';
      return { text: `${last}${p.right}/${p.total} · which server answers next? ${servers.slice(0, 9).map((r, i) => `${i + 1} ${r.server}`).join(' · ')}`, tone: 'accent' };
    }
    if (ui.message) return ui.message;
    return { text: ': types a request · space resends · x explains', tone: 'dim' };
  })();

  const ports = Object.entries(session.ports()).map(([d, p]) => `localhost:${d}→127.0.0.1:${p}`).join(' ');
  return (
    <PlaygroundView
      m={{
        width,
        header: `lab play · ${session.name} · ${ports}${ignored ? ` · ${ignored} ignored (U)` : ''}`,
        subheader: `${servers.filter((s) => (s as { kind?: string }).kind === 'stand-in').length} stand-in(s) on loopback · ${session.compareStatus()} · w writes ${transcriptPath}`,
        paneTitle: pane.title,
        paneLines: win.shown,
        paneHeight,
        more: { up: win.offset > 0, down: win.more },
        prompt: ui.prompt ? ui.prompt.text : null,
        servers,
        shares: allShares(snapshot.backends, servers.map((r) => r.key), traffic),
        selected: Math.min(ui.selected, Math.max(0, servers.length - 1)),
        since: traffic.since,
        sequence: traffic.sequence,
        latencies: traffic.latencies,
        serverIndex: indexOf,
        window: traffic,
        status,
        footer: editing ? ['(editor open)'] : inline ? ['s save+apply', 'esc leave', '↑↓ line', 'enter edit'] : ui.prompt ? ['enter send', 'esc drop', '↑↓ history'] : playFooterKeys(ctx),
        log: log.items,
        logEpoch: log.epoch,
      }}
    />
  );
}
