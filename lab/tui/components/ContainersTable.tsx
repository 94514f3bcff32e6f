// The step's containers: name, image, state, the 127.0.0.1 port it is published on, requests seen in its own
// output, and which answered last (a proxy: whom its log named last). Rows are exactly width cells wide.
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext } from '../theme.ts';
import { containerCells, type ContainersState } from '../state/containers.ts';
import { fit } from '../state/text.ts';

export interface ContainersTableProps {
  readonly state: ContainersState;
  readonly width: number;
  /** Said in the empty table: how containers come to run on this step. */
  readonly empty: string;
}

export function ContainersTable({ state, width, empty }: ContainersTableProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const cells = containerCells(state);
  const nameW = Math.min(16, Math.max(9, ...cells.map((c) => c.name.length)));
  const fixed = 2 + nameW + 1 + 11 + 1 + 15 + 1 + 5 + 1;
  const imageW = Math.max(8, Math.min(22, Math.floor((width - fixed) / 2)));
  const noteW = Math.max(0, width - fixed - imageW - 1);
  const head = `  ${fit('container', nameW)} ${fit('image', imageW)} ${fit('state', 11)} ${fit('published', 15)} ${fit('reqs', 5)} ${fit('', noteW)}`;
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        {fit(head, width)}
      </Text>
      {cells.length === 0 ? <Text dimColor wrap="truncate-end">{fit(`  (no containers: ${empty})`, width)}</Text> : null}
      {cells.map((c) => {
        const up = c.state.startsWith('running');
        const color = up ? theme.ok : c.state === 'removed' ? undefined : theme.bad;
        return (
          <Box key={c.name}>
            <Text>{'  '}</Text>
            <Text bold>{fit(c.name, nameW)} </Text>
            <Text dimColor>{fit(c.image, imageW)} </Text>
            <Text {...(color ? { color } : {})} dimColor={c.state === 'removed'}>{fit(c.state, 11)} </Text>
            <Text>{fit(c.published, 15)} </Text>
            <Text>{c.requests.padStart(4)}  </Text>
            <Text {...(theme.accent ? { color: theme.accent } : {})}>{fit(c.note, noteW)}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
