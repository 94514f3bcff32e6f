// The router: home → loading (apps start, images build) → episode step; quitting closes the open step first.
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { Text, useApp } from 'ink';
import type { Episode } from '../episodes/schema.ts';
import type { EpisodeSummary, LabServices, StepSessionView } from './session/types.ts';
import { ThemeContext, makeTheme, type Theme } from './theme.ts';
import { HomeScreen } from './screens/HomeScreen.tsx';
import { LoadingScreen } from './screens/LoadingScreen.tsx';
import { EpisodeScreen } from './screens/EpisodeScreen.tsx';

export interface AppProps {
  readonly services: LabServices;
  /** Open this episode (and step index) right away, as `lab open` does. */
  readonly open?: { readonly episode: string; readonly step?: number };
  readonly runtimeLine: string;
  readonly theme?: Theme;
  readonly burstSize?: number;
  /** Wipes the terminal (ink's frame and the log lines above it), so a new step starts on a clean screen. */
  readonly clearScreen?: () => void;
}

type Route =
  | { readonly name: 'home' }
  | { readonly name: 'loading'; readonly title: string; readonly lines: readonly string[]; readonly error?: string }
  | { readonly name: 'episode'; readonly session: StepSessionView; readonly done: ReadonlySet<string> }
  | { readonly name: 'closing' };

// Routes between home, loading and episode screens and owns the open step's lifetime.
export function App({ services, open, runtimeLine, theme, burstSize, clearScreen }: AppProps): React.JSX.Element {
  const { exit } = useApp();
  const [route, setRoute] = useState<Route>(open ? { name: 'loading', title: `Opening ${open.episode}…`, lines: [] } : { name: 'home' });
  const [episodes, setEpisodes] = useState<readonly EpisodeSummary[] | null>(null);
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [lastEpisode, setLastEpisode] = useState(0);
  const current = useRef<StepSessionView | null>(null);
  const generation = useRef(0);

  const refreshHome = useCallback(async () => {
    try {
      setEpisodes(await services.listEpisodes());
    } catch (e) {
      setEpisodes([]);
      setProblems((e as Error).message.split('\n'));
    }
  }, [services]);

  useEffect(() => {
    if (route.name === 'home') void refreshHome();
  }, [route.name, refreshHome]);

  const closeCurrent = useCallback(async () => {
    const s = current.current;
    current.current = null;
    if (s) await s.close();
  }, []);

  const openStep = useCallback(
    async (episode: Episode | string, stepIndex: number) => {
      const gen = ++generation.current;
      await closeCurrent();
      const title = typeof episode === 'string' ? episode : episode.title;
      const lines: string[] = [];
      // The last step's log lines (health checks, requests) belong to it, not to the step opening now.
      clearScreen?.();
      setRoute({ name: 'loading', title: `Opening ${title}…`, lines });
      try {
        const ep = typeof episode === 'string' ? await services.loadEpisode(episode) : episode;
        const index = Math.max(0, Math.min(stepIndex, ep.steps.length - 1));
        setRoute({ name: 'loading', title: `${ep.title} · step ${index + 1}/${ep.steps.length}: starting…`, lines: [] });
        const session = await services.openStep(ep, index, (line) => {
          lines.push(line);
          if (gen === generation.current) setRoute({ name: 'loading', title: `${ep.title} · step ${index + 1}: starting…`, lines: lines.slice(-50) });
        });
        if (gen !== generation.current) {
          await session.close();
          return;
        }
        current.current = session;
        const done = await services.doneSteps(ep.id);
        setRoute({ name: 'episode', session, done });
      } catch (e) {
        if (gen === generation.current) setRoute({ name: 'loading', title: `Could not open ${title}`, lines, error: (e as Error).message });
      }
    },
    [services, closeCurrent, clearScreen],
  );

  useEffect(() => {
    if (open) void openStep(open.episode, open.step ?? 0);
  }, []);

  const quit = useCallback(async () => {
    generation.current++;
    setRoute({ name: 'closing' });
    await closeCurrent();
    exit();
  }, [closeCurrent, exit]);

  const goHome = useCallback(async () => {
    generation.current++;
    await closeCurrent();
    clearScreen?.();
    setRoute({ name: 'home' });
  }, [closeCurrent, clearScreen]);

  let screen: React.JSX.Element;
  switch (route.name) {
    case 'home':
      screen = episodes ? (
        <HomeScreen
          episodes={episodes}
          problems={problems}
          runtimeLine={runtimeLine}
          initial={lastEpisode}
          onOpen={(id) => {
            setLastEpisode(Math.max(0, episodes.findIndex((e) => e.id === id)));
            const e = episodes.find((x) => x.id === id);
            // Back where the learner left off, else at the first step.
            void openStep(id, e?.current ?? 0);
          }}
          onQuit={() => void quit()}
        />
      ) : (
        <Text>Loading episodes…</Text>
      );
      break;
    case 'loading':
      screen = (
        <LoadingScreen
          title={route.title}
          lines={route.lines}
          {...(route.error !== undefined ? { error: route.error } : {})}
          onBack={() => void goHome()}
          onQuit={() => void quit()}
        />
      );
      break;
    case 'episode': {
      const s = route.session;
      screen = (
        <EpisodeScreen
          key={`${s.episode.id}#${s.stepIndex}`}
          session={s}
          done={route.done.has(s.step.id)}
          editFile={services.editFile}
          editorSet={services.editorSet ?? true}
          {...(burstSize !== undefined ? { burstSize } : {})}
          onStepDone={() => {
            void services.markDone(s.episode.id, s.step.id).then(async () => {
              const done = await services.doneSteps(s.episode.id);
              setRoute((r) => (r.name === 'episode' && r.session === s ? { ...r, done } : r));
            });
          }}
          onStep={(delta) => {
            const next = s.stepIndex + delta;
            if (next >= 0 && next < s.episode.steps.length) void openStep(s.episode, next);
          }}
          onHome={() => void goHome()}
          onQuit={() => void quit()}
        />
      );
      break;
    }
    case 'closing':
      screen = <Text>Stopping every backend the lab started…</Text>;
      break;
  }
  return <ThemeContext.Provider value={theme ?? makeTheme()}>{screen}</ThemeContext.Provider>;
}
