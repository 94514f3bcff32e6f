// The episodes, with the learner's progress; enter opens one.
import React, { useContext, useReducer } from 'react';
import { Box, Text, useInput } from 'ink';
import { ThemeContext } from '../theme.ts';
import type { EpisodeSummary } from '../session/types.ts';
import { homeReducer } from '../state/home.ts';
import { truncate, wrapText } from '../state/text.ts';
import { useTerminalSize } from '../hooks/use-terminal-size.ts';
import { Footer } from '../components/Footer.tsx';

export interface HomeScreenProps {
  readonly episodes: readonly EpisodeSummary[];
  /** Problems of episodes that did not load, one line each. */
  readonly problems: readonly string[];
  readonly runtimeLine: string;
  readonly onOpen: (id: string) => void;
  readonly onQuit: () => void;
  readonly initial?: number;
}

// A progress bar of done/total steps, e.g. "■■□ 2/3".
export function progressText(done: number, total: number): string {
  return `${'■'.repeat(Math.min(done, total))}${'□'.repeat(Math.max(0, total - done))} ${done}/${total}`;
}

// The episode list: arrows choose, enter opens, q quits.
export function HomeScreen({ episodes, problems, runtimeLine, onOpen, onQuit, initial = 0 }: HomeScreenProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const { columns, rows } = useTerminalSize();
  const width = Math.max(40, columns);
  const [s, dispatch] = useReducer(homeReducer, { cursor: Math.min(initial, Math.max(0, episodes.length - 1)) });
  const [ctrlC, setCtrlC] = React.useState(false);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      if (ctrlC) onQuit();
      else setCtrlC(true);
      return;
    }
    setCtrlC(false);
    if (key.upArrow || input === 'k') dispatch({ type: 'move', delta: -1, count: episodes.length });
    else if (key.downArrow || input === 'j') dispatch({ type: 'move', delta: 1, count: episodes.length });
    else if (key.return || input === ' ' || key.rightArrow) {
      const e = episodes[s.cursor];
      if (e) onOpen(e.id);
    } else if (input === 'q' || key.escape) onQuit();
    else if (/^[1-9]$/.test(input)) {
      const e = episodes[Number(input) - 1];
      if (e) onOpen(e.id);
    }
  });
  const selected = episodes[s.cursor];
  // Title, blank, the list, blank, the summary (what is left), problems, runtime, footer: all within rows - 1.
  const summaryRows = Math.max(0, rows - 1 - (4 + episodes.length + 1 + Math.min(problems.length, 3) + 1 + 1));
  const summary = selected ? wrapText(selected.summary, width - 2).slice(0, summaryRows) : [];
  return (
    <Box flexDirection="column" width={width}>
      <Text bold {...(theme.accent ? { color: theme.accent } : {})}>
        {truncate('HAProxy Lab — learn load balancing by running real haproxy.cfg files', width)}
      </Text>
      <Text> </Text>
      {episodes.length === 0 ? <Text>No episodes found under episodes/.</Text> : null}
      {episodes.map((e, i) => {
        const on = i === s.cursor;
        const prog = progressText(e.done, e.steps);
        const left = `${on ? '▸' : ' '} ${i + 1}. ${e.title}`;
        const room = width - Array.from(prog).length - 1;
        return (
          <Box key={e.id}>
            <Text inverse={on} bold={on} wrap="truncate-end">
              {truncate(left, room).padEnd(room)}
            </Text>
            <Text {...(e.done === e.steps && e.steps > 0 && theme.ok ? { color: theme.ok } : {})}> {prog}</Text>
          </Box>
        );
      })}
      <Text> </Text>
      {selected ? (
        <Text dimColor wrap="truncate-end">
          {truncate(`${selected.document} · lab open ${selected.id}`, width)}
        </Text>
      ) : null}
      {summary.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {'  ' + l}
        </Text>
      ))}
      {problems.slice(0, 3).map((p, i) => (
        <Text key={`p${i}`} {...(theme.bad ? { color: theme.bad } : {})} wrap="truncate-end">
          {truncate(p, width)}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {truncate(runtimeLine, width)}
      </Text>
      <Footer keys={['↑↓ choose', 'enter open', '1-9 open', ctrlC ? 'Ctrl+C again: quit' : 'q quit']} width={width} rows={1} />
    </Box>
  );
}
