// The backends: one row per server with its glyph, runtime, state as health checks see it, weight, answers it
// gave, and a bar of its share against the share its weight promises — counts and bars from one baseline, shown
// in the header ("since reload #2").
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext, serverColor, serverGlyph } from '../theme.ts';
import type { ServerRow } from '../session/types.ts';
import { shareBar, type Share } from '../state/shares.ts';
import { fit } from '../state/text.ts';

export interface ServersTableProps {
  readonly rows: readonly ServerRow[];
  readonly shares: ReadonlyMap<string, Share>;
  readonly selected: number;
  readonly width: number;
  /** "since reload #2": what the bars count from. */
  readonly since: string;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`.padStart(4);

// Rows are exactly width cells wide; the bar takes what the fixed columns leave.
export function ServersTable({ rows, shares, selected, width, since }: ServersTableProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const nameW = Math.min(12, Math.max(6, ...rows.map((r) => r.server.length)));
  const fixed = 2 + 1 + nameW + 1 + 8 + 1 + 6 + 1 + 5 + 1 + 4 + 1 + 6 + 1 + 10;
  const barW = Math.max(6, width - fixed);
  const head = `  ${fit('server', nameW + 1)} ${fit('runtime', 8)} ${fit('state', 6)} ${fit('check', 5)} ${fit('wght', 4)} ${fit('served', 6)} ${fit(`share ${since}`, barW)}  got/due`;
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        {fit(head, width)}
      </Text>
      {rows.length === 0 ? <Text dimColor>  (no servers)</Text> : null}
      {rows.map((r, i) => {
        const s = shares.get(r.key) ?? { observed: 0, promised: null, count: 0 };
        const color = serverColor(theme, r.index);
        const glyph = serverGlyph(r.index);
        const bar = shareBar(s.observed, s.promised, barW, theme.color ? '█' : glyph);
        const state = fit(r.state, 6);
        const stateColor = r.up ? theme.ok : theme.bad;
        return (
          <Box key={r.key}>
            <Text inverse={i === selected} bold={i === selected}>
              {i === selected ? '▸' : ' '}
            </Text>
            <Text {...(color ? { color } : {})}>{glyph} </Text>
            <Text bold={i === selected}>{fit(r.server, nameW)} </Text>
            <Text dimColor>{fit(r.runtime ?? (r.app ? '-' : 'extern'), 8)} </Text>
            <Text {...(stateColor ? { color: stateColor } : {})} bold>
              {state}
            </Text>
            <Text dimColor> {fit(r.check || '-', 5)} </Text>
            <Text>{fit(String(r.weight), 4)} </Text>
            <Text>{String(s.count).padStart(6)} </Text>
            <Text {...(color ? { color } : {})}>{bar}</Text>
            <Text> {pct(s.observed)}/{s.promised === null ? '  - ' : pct(s.promised)}</Text>
          </Box>
        );
      })}
    </Box>
  );
}
