// The episode screen's input and effects: binds the terminal's keys to the pure key function
// (state/episode-screen.ts), runs the effects it asks for against the session (traffic, reloads, weights,
// checks, the editor), and folds engine events into the traffic and log state. The view only draws what it returns.
import { useCallback, useEffect, useRef, useState, useReducer } from 'react';
import { useInput } from 'ink';
import type { EngineEvent } from '../../../proxy/index.ts';
import type { CheckResult } from '../../episodes/schema.ts';
import type { EditOutcome, Exchange, ServerRow, StepSessionView } from '../session/types.ts';
import { openInline } from '../state/inline-editor.ts';
import { initialTraffic, trafficReducer, type TrafficState } from '../state/traffic.ts';
import { initialLog, logReducer, type LogState } from '../state/log.ts';
import { eventLine, type EventLine } from '../state/event-lines.ts';
import { episodeUiReducer } from '../state/episode-ui.ts';
import { initialScreen, pressKey, splitKeys, withInline, type Effect, type ScreenContext, type ScreenState } from '../state/episode-screen.ts';
import type { KeyContext } from '../state/keys.ts';
import type { Diagnostic } from '../../../proxy/index.ts';
import { useEngineEvents } from './use-engine-events.ts';
import { useInterval } from './use-interval.ts';
import { useContainers } from './use-containers.ts';
import type { ContainersState } from '../state/containers.ts';
import type { Tone } from '../state/log.ts';

export interface EpisodeScreenProps {
  readonly session: StepSessionView;
  readonly done: boolean;
  /** Opens the learner's editor on a file; the screen gives up the terminal meanwhile. */
  readonly editFile: (path: string) => Promise<EditOutcome>;
  /** $EDITOR or $VISUAL is set: `e` opens it; else `e` opens the inline editor and says so. */
  readonly editorSet?: boolean;
  readonly onStepDone: () => void;
  readonly onStep: (delta: 1 | -1) => void;
  readonly onHome: () => void;
  readonly onQuit: () => void;
  /** Requests a burst sends. */
  readonly burstSize?: number;
}

/** Rows of the upper pane and where it starts: the view measures them, the keys page by them. */
export interface PaneMetrics {
  height: number;
  offset: number;
}

export interface EpisodeScreenModel {
  readonly screen: ScreenState;
  readonly traffic: TrafficState;
  readonly log: LogState;
  readonly servers: readonly ServerRow[];
  readonly snapshot: ReturnType<StepSessionView['snapshot']>;
  readonly checks: readonly CheckResult[] | null;
  /** Diagnostics of the last refused reload (empty when the file serves). */
  readonly errors: readonly Diagnostic[];
  /** The config now serving. */
  readonly configText: string | null;
  /** The learner's file as saved (what a refused reload complained about). */
  readonly fileText: string | null;
  /** The newest HAProxy log line, for the legend. */
  readonly lastLog: string | null;
  readonly ctx: KeyContext;
  /** The last typed request's answer (the response pane). */
  readonly exchange: Exchange | null;
  /** Filled by the view each render. */
  readonly pane: PaneMetrics;
  /** The step's containers (Docker steps). */
  readonly containers: ContainersState;
}

const QUEUE_MAX = 10;

// Holds the screen state in a ref as well, so keys arriving before React re-renders each see the last result.
function useSyncState<T>(initial: () => T): [T, () => T, (next: T) => void] {
  const ref = useRef<T | null>(null);
  if (ref.current === null) ref.current = initial();
  const [value, setValue] = useState<T>(ref.current);
  const get = useCallback(() => ref.current as T, []);
  const set = useCallback((next: T) => {
    ref.current = next;
    setValue(next);
  }, []);
  return [value, get, set];
}

export function useEpisodeScreen(props: EpisodeScreenProps): EpisodeScreenModel {
  const { session, editFile, onStepDone, onStep, onHome, onQuit, burstSize = 60, editorSet = true } = props;
  const [screen, getScreen, setScreen] = useSyncState<ScreenState>(initialScreen);
  const [traffic, dispatchTraffic] = useReducer(trafficReducer, undefined, () => initialTraffic());
  const [log, dispatchLog] = useReducer(logReducer, undefined, initialLog);
  const [servers, setServers] = useState<readonly ServerRow[]>(() => session.rows());
  const [snapshot, setSnapshot] = useState(() => session.snapshot());
  const [checks, setChecks] = useState<readonly CheckResult[] | null>(null);
  const [errors, setErrors] = useState(() => session.lastErrors());
  const [configText, setConfigText] = useState(() => session.configText());
  const [fileText, setFileText] = useState(() => session.readConfigFile());
  const [lastLog, setLastLog] = useState<string | null>(null);
  const [exchange, setExchange] = useState<Exchange | null>(null);
  const containers = useContainers(session.containers);
  const running = useRef<AbortController | null>(null);
  const queue = useRef<('request' | 'burst')[]>([]);
  const predictBase = useRef(0);
  const trafficTotal = useRef(0);
  trafficTotal.current = traffic.total;
  const pane = useRef<PaneMetrics>({ height: 10, offset: 0 }).current;
  const step = session.step;

  const update = useCallback((f: (s: ScreenState) => ScreenState) => setScreen(f(getScreen())), [getScreen, setScreen]);
  const say = useCallback(
    (text: string, tone: Tone = 'plain') => update((s) => ({ ...s, ui: episodeUiReducer(s.ui, { type: 'message', text, tone }) })),
    [update],
  );
  const busy = useCallback((b: string | null) => update((s) => ({ ...s, ui: episodeUiReducer(s.ui, { type: 'busy', busy: b }) })), [update]);

  const refresh = useCallback((): void => {
    setServers(session.rows());
    setSnapshot(session.snapshot());
  }, [session]);
  useInterval(refresh, screen.editing ? null : 500);

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
    let logLine: string | null = null;
    for (const e of events) {
      if (e.kind === 'log') logLine = e.line;
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
    if (logLine !== null) setLastLog(logLine);
    if (changed) refresh();
  });

  // Say on arrival when the learner's kept file is what opened (or was refused), so nobody wonders.
  useEffect(() => {
    const file = session.readConfigFile();
    const refused = session.lastErrors()[0];
    if (refused) {
      say(`Your kept config for this step is refused${refused.loc ? ` (line ${refused.loc.line})` : ''}: the step's starting config serves meanwhile. tab shows your file with the error; R puts the starting one back.`, 'bad');
    } else if (file !== null && session.startingConfig !== null && file !== session.startingConfig) {
      say('Your config from last time is back (R twice puts the step’s starting one back).', 'accent');
    }
  }, [session]);

  // Predict mode: the answer to the guessed request resolves the guess.
  useEffect(() => {
    const p = screen.ui.predict;
    if (!p || p.guess === null) return;
    if (traffic.total > predictBase.current) {
      const last = traffic.sequence[traffic.sequence.length - 1];
      update((s) => ({ ...s, ui: episodeUiReducer(s.ui, { type: 'predict-resolve', actual: last?.server ?? null }) }));
    }
  }, [traffic.total, screen.ui.predict]);

  // Every save is checked and applied; a refused one keeps the running config and shows the learner's file.
  const reload = useCallback(
    async (why: 'key' | 'watch' | 'edit'): Promise<void> => {
      const r = await session.reload();
      setErrors(session.lastErrors());
      setFileText(session.readConfigFile());
      if (!session.hasEngine && session.fileNames.length > 0) {
        // A Docker step's file is not applied live: c builds the images from it and judges them.
        setConfigText(session.configText());
        if (!r.unchanged || why !== 'watch') say(`${session.configName} saved in your files: c builds and judges it.`, 'ok');
        return;
      }
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
        update((s) => ({ ...s, tab: 'config', scroll: null }));
        say(`Config refused${first?.loc ? ` (line ${first.loc.line})` : ''}: the previous one keeps serving. The config pane shows the error under your line.`, 'bad');
      }
      refresh();
    },
    [session, say, refresh, update],
  );

  useEffect(() => session.watchConfig(() => void reload('watch')), [session, reload]);

  const openInlineEditor = (why?: string): void => {
    if (!session.configPath) return;
    const text = session.readConfigFile() ?? configText ?? '';
    update((s) => withInline(s, openInline(text, step.marks[0]?.line ?? 1)));
    if (why) say(why, 'accent');
  };

  const startTraffic = async (label: 'request' | 'burst'): Promise<void> => {
    if (running.current) {
      // Keys that arrive while traffic runs wait their turn: `bb` sends two bursts.
      if (queue.current.length < QUEUE_MAX) queue.current.push(label);
      return;
    }
    const count = label === 'burst' ? burstSize : 1;
    const ac = new AbortController();
    running.current = ac;
    busy(count > 1 ? `${label} 0/${count}${queue.current.length ? ` (+${queue.current.length} queued)` : ''}` : null);
    try {
      const r = await session.fire({
        count,
        concurrency: 1,
        signal: ac.signal,
        onProgress: (n) => {
          if (count > 1 && (n % 5 === 0 || n === count)) busy(`${label} ${n}/${count}${queue.current.length ? ` (+${queue.current.length} queued)` : ''}`);
        },
      });
      if (r.failed > 0) say(`${r.failed} of ${r.sent} requests got no HTTP answer: ${r.error ?? ''}`, 'bad');
      else if (count > 1) say(`${label}: ${r.sent} requests sent.`, 'dim');
    } finally {
      if (running.current === ac) running.current = null;
      busy(null);
    }
    if (ac.signal.aborted) queue.current = [];
    const next = queue.current.shift();
    if (next) await startTraffic(next);
  };

  // A typed request (the `:` prompt): its answer fills the response pane; Ctrl+C stops a long -n run.
  const sendTyped = async (line: string): Promise<void> => {
    if (running.current) {
      say('Requests are already running: Ctrl+C stops them.', 'warn');
      return;
    }
    const ac = new AbortController();
    running.current = ac;
    busy('sending…');
    try {
      const ex = await session.send(line, ac.signal, (done, total) => {
        if (total > 1 && (done % 5 === 0 || done === total)) busy(`sent ${done}/${total}`);
      });
      setExchange(ex);
      if (ex.failed > 0) say(`${ex.failed} of ${ex.sent} got no answer: ${ex.engine.error ?? ''}`, 'bad');
      else say(`${ex.engine.status} from ${ex.engine.server}${ex.sent > 1 ? ` (last of ${ex.sent})` : ''} · x explains it · tab switches panes`, 'dim');
    } catch (e) {
      say((e as Error).message, 'bad');
    } finally {
      if (running.current === ac) running.current = null;
      busy(null);
      refresh();
    }
  };

  // A docker line typed at the prompt: the build's steps go to the log pane as they come, the outcome to the status.
  const runDocker = async (line: string): Promise<void> => {
    if (running.current) {
      say('Something is already running: Ctrl+C stops it.', 'warn');
      return;
    }
    if (!session.runDockerLine) {
      say('This screen cannot run docker commands.', 'bad');
      return;
    }
    const ac = new AbortController();
    running.current = ac;
    busy(line);
    try {
      const r = await session.runDockerLine(line, (l) => busy(l));
      say(r.message, r.ok ? 'ok' : 'bad');
    } catch (e) {
      say(`${line}: ${(e as Error).message}`, 'bad');
    } finally {
      if (running.current === ac) running.current = null;
      busy(null);
      refresh();
    }
  };

  const runChecks = async (): Promise<void> => {
    if (running.current) return;
    const ac = new AbortController();
    running.current = ac;
    setChecks(null);
    // Stopped apps stay stopped through the checks' reload: they are part of what is judged, and the learner is told.
    const stopped = session.rows().filter((r) => r.stage === 'stopped').map((r) => r.app ?? r.server);
    const first = `running the experiments${stopped.length ? ` with ${stopped.join(', ')} stopped, as it runs now` : ''}…`;
    update((s) => ({ ...s, ui: episodeUiReducer(episodeUiReducer(s.ui, { type: 'overlay', overlay: 'checks' }), { type: 'busy', busy: first }) }));
    try {
      const note = stopped.length ? ` (${stopped.join(', ')} stopped: judged as it runs)` : '';
      const results = await session.runChecks(ac.signal, (line) => busy(line + note));
      setChecks(results);
      setFileText(session.readConfigFile());
      const ok = results.length > 0 && results.every((r) => r.ok);
      if (ok) {
        onStepDone();
        say('Every check passes: step complete (your config is kept). → goes on; the step stays open for experiments.', 'ok');
      } else {
        say(`${results.filter((r) => !r.ok).length} check(s) fail: see what they expected and the hint.`, 'bad');
      }
    } catch (e) {
      say(`Checks stopped: ${(e as Error).message}`, 'bad');
    } finally {
      if (running.current === ac) running.current = null;
      busy(null);
    }
  };

  const selectedRow = (): ServerRow | undefined => servers[Math.min(getScreen().ui.selected, Math.max(0, servers.length - 1))];

  // Weight changes read the last one's result from the session, so `++` adds two.
  const changeWeight = (delta: number): void => {
    const row = selectedRow();
    if (!row) return;
    try {
      const now = session.rows().find((r) => r.key === row.key)?.weight ?? row.weight;
      const w = session.setWeight(row.key, Math.max(0, Math.min(256, now + delta)));
      dispatchTraffic({ type: 'reset-window', since: `since ${row.server}=w${w}` });
      say(`set weight ${row.key} ${w}: live only, like HAProxy's runtime API — a reload (and c) forgets it; W writes it into your file.`, 'ok');
      refresh();
    } catch (e) {
      say((e as Error).message, 'bad');
    }
  };

  const toggleBackend = async (): Promise<void> => {
    const row = selectedRow();
    if (!row) return;
    try {
      say(await session.toggleApp(row.key), 'accent');
    } catch (e) {
      say((e as Error).message, 'bad');
    }
    refresh();
  };

  const liveChanges = session.liveChanges();
  const ctx: ScreenContext = {
    hasEngine: session.hasEngine,
    hasServers: servers.length > 0,
    hasConfig: session.configPath !== null,
    fileCount: session.fileNames.length,
    hasChecks: step.checks.length > 0 || step.experiments.length > 0,
    predicting: screen.ui.predict !== null,
    overlayOpen: screen.ui.overlay !== 'none',
    canNext: session.stepIndex + 1 < session.episode.steps.length,
    canPrev: session.stepIndex > 0,
    hasHint: step.checks.length > 0 || step.task !== undefined,
    hasSolution: step.solution !== null,
    busy: running.current !== null,
    hasLastRequest: traffic.traces.length > 0,
    hasLiveWeights: liveChanges.length > 0,
    hasLogLine: lastLog !== null,
    hasResponse: exchange !== null,
    docker: step.needs.includes('docker'),
    requests: step.experiments.length,
    serverCount: servers.length,
    paneHeight: pane.height,
    paneOffset: pane.offset,
    trafficRunning: running.current !== null,
    liveChanges,
    hasEditor: editorSet,
    keptFile: session.configPath,
  };

  const run = (e: Effect): void => {
    switch (e.type) {
      case 'traffic':
        void startTraffic(e.label);
        return;
      case 'send-line':
        void sendTyped(e.line);
        return;
      case 'docker-line':
        void runDocker(e.line);
        return;
      case 'guess': {
        const row = servers[e.index];
        if (!row) return;
        predictBase.current = trafficTotal.current;
        update((s) => ({ ...s, ui: episodeUiReducer(s.ui, { type: 'predict-guess', server: row.key }) }));
        void startTraffic('request');
        return;
      }
      case 'next-request':
        say(`space now sends: ${session.nextExperiment()}`, 'accent');
        return;
      case 'checks':
        void runChecks();
        return;
      case 'open-editor':
        return; // the effect below runs the editor once `editing` is set and raw mode is off
      case 'open-inline':
        openInlineEditor(
          editorSet ? undefined : 'EDITOR is not set, so e opens the inline editor: ↑↓ line · enter edit · s save · esc leave. To use your own: EDITOR=nano lab',
        );
        return;
      case 'save-inline':
        try {
          session.writeConfigFile(e.text);
        } catch (err) {
          say((err as Error).message, 'bad');
          return;
        }
        void reload('edit');
        return;
      case 'reload':
        void reload('key');
        return;
      case 'next-file':
        say(session.selectNextFile(), 'accent');
        setConfigText(session.configText());
        setFileText(session.readConfigFile());
        setErrors([]);
        return;
      case 'weight':
        changeWeight(e.delta);
        return;
      case 'write-weights':
        try {
          say(session.writeLiveWeights(), 'ok');
        } catch (err) {
          say((err as Error).message, 'bad');
          return;
        }
        void reload('edit');
        return;
      case 'toggle-backend':
        void toggleBackend();
        return;
      case 'reset-step':
        void session.resetStep().then(async () => {
          await reload('edit');
          say('This step’s starting config is back in your file (the kept copy is gone).', 'accent');
        });
        return;
      case 'step':
        onStep(e.delta);
        return;
      case 'home':
        onHome();
        return;
      case 'quit':
        onQuit();
        return;
      case 'abort-traffic':
        queue.current = [];
        running.current?.abort();
        return;
    }
  };

  useInput(
    (input, key) => {
      for (const p of splitKeys({ input, key })) {
        // What runs is read at the keypress (a render may not have happened since the last key changed it).
        const live = session.liveChanges();
        const r = pressKey(getScreen(), p, { ...ctx, liveChanges: live, hasLiveWeights: live.length > 0, trafficRunning: running.current !== null, busy: running.current !== null });
        setScreen(r.state);
        for (const e of r.effects) run(e);
      }
    },
    { isActive: !screen.editing },
  );

  // Declared after useInput so raw mode is already off when the editor takes the terminal.
  useEffect(() => {
    if (!screen.editing || !session.configPath) return;
    let cancelled = false;
    void (async () => {
      const r = await editFile(session.configPath!);
      if (cancelled) return;
      update((s) => ({ ...s, editing: false }));
      if (r.noEditor) {
        openInlineEditor(r.message);
        return;
      }
      if (!r.ok) say(r.message, 'bad');
      await reload('edit');
    })();
    return () => {
      cancelled = true;
    };
  }, [screen.editing]);

  return { screen, traffic, log, servers, snapshot, checks, errors, configText, fileText, lastLog, exchange, ctx, pane, containers };
}
