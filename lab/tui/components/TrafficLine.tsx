// Who answered, in order (newest on the right), each as its server's glyph; and how fast, from HAProxy's Tt.
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext, serverColor, serverGlyph } from '../theme.ts';
import { latencyStats, type Answer } from '../state/traffic.ts';
import { fit } from '../state/text.ts';

export interface TrafficLineProps {
  readonly sequence: readonly Answer[];
  readonly latencies: readonly number[];
  readonly serverIndex: (key: string) => number | undefined;
  readonly width: number;
  readonly total: number;
  readonly unanswered: number;
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

// Two rows: the sequence of answering servers, then latency and totals.
export function TrafficLine({ sequence, latencies, serverIndex, width, total, unanswered }: TrafficLineProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const label = 'order ';
  const room = Math.max(4, Math.floor((width - label.length) / 2));
  const shown = sequence.slice(-room);
  const lat = latencyStats(latencies);
  const stats = lat
    ? `latency last ${fmt(lat.last)} ms · avg ${fmt(lat.avg)} · p95 ${fmt(lat.p95)} · max ${fmt(lat.max)}`
    : 'latency: no answers yet';
  const tail = ` · ${total} requests${unanswered > 0 ? `, ${unanswered} without a server` : ''}`;
  return (
    <Box flexDirection="column">
      <Box>
        <Text dimColor>{label}</Text>
        {shown.length === 0 ? <Text dimColor>(none yet)</Text> : null}
        {shown.map((a, i) => {
          const idx = a.server ? serverIndex(a.server) : undefined;
          const color = idx !== undefined ? serverColor(theme, idx) : theme.bad;
          const glyph = idx !== undefined ? serverGlyph(idx) : a.status >= 400 ? '✗' : '?';
          return (
            <Text key={a.id + ':' + i} {...(color ? { color } : {})} bold={i === shown.length - 1}>
              {glyph}
              {i === shown.length - 1 ? '' : ' '}
            </Text>
          );
        })}
      </Box>
      <Text dimColor wrap="truncate-end">
        {fit(stats + tail, width)}
      </Text>
    </Box>
  );
}
