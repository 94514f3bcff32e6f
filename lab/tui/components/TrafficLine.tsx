// Who answered, in order (newest on the right), each as its server's glyph; and how fast, from HAProxy's Tt.
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext, serverColor, serverGlyph } from '../theme.ts';
import { latencyStats, type Answer, type TrafficState } from '../state/traffic.ts';
import { fit } from '../state/text.ts';

export interface TrafficLineProps {
  readonly sequence: readonly Answer[];
  readonly latencies: readonly number[];
  readonly serverIndex: (key: string) => number | undefined;
  readonly width: number;
  /** The window's counts (the same baseline as the table's bars). */
  readonly window: Pick<TrafficState, 'windowTotal' | 'windowUnanswered' | 'windowFailed' | 'windowRetries'>;
}

/** The order strip's glyph for a request no server answered: failed at the server, refused, redirected. */
export function missGlyph(a: Answer): string {
  if (a.outcome === 'failed') return '!';
  if (a.status >= 300 && a.status < 400) return '↪';
  return a.status >= 400 ? '✗' : '?';
}

// "60 requests", or with what did not get a server's answer: "60 requests: 58 answered · 1 ! failed · 1 ✗ …".
export function countsText(w: TrafficLineProps['window']): string {
  const answered = w.windowTotal - w.windowUnanswered;
  const extra = [
    w.windowFailed > 0 ? `${w.windowFailed} ! server failed` : '',
    w.windowUnanswered - w.windowFailed > 0 ? `${w.windowUnanswered - w.windowFailed} ✗ no server` : '',
    w.windowRetries > 0 ? `${w.windowRetries} retries` : '',
  ].filter(Boolean);
  return `${w.windowTotal} requests${extra.length ? `: ${answered} answered · ${extra.join(' · ')}` : ''}`;
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

// Two rows: the sequence of answering servers, then latency and totals.
export function TrafficLine({ sequence, latencies, serverIndex, width, window }: TrafficLineProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const label = 'order ';
  const room = Math.max(4, Math.floor((width - label.length) / 2));
  const shown = sequence.slice(-room);
  const lat = latencyStats(latencies);
  const stats = lat
    ? `latency last ${fmt(lat.last)} ms · avg ${fmt(lat.avg)} · p95 ${fmt(lat.p95)} · max ${fmt(lat.max)}`
    : 'latency: no answers yet';
  // Counts first: latency is the part that may be cut at 80 columns.
  const head = `${countsText(window)} · `;
  return (
    <Box flexDirection="column">
      <Box>
        <Text dimColor>{label}</Text>
        {shown.length === 0 ? <Text dimColor>(none yet)</Text> : null}
        {shown.map((a, i) => {
          const idx = a.server && a.outcome === 'answered' ? serverIndex(a.server) : undefined;
          const color = idx !== undefined ? serverColor(theme, idx) : theme.bad;
          const glyph = idx !== undefined ? serverGlyph(idx) : missGlyph(a);
          return (
            <Text key={a.id + ':' + i} {...(color ? { color } : {})} bold={i === shown.length - 1}>
              {glyph}
              {i === shown.length - 1 ? '' : ' '}
            </Text>
          );
        })}
      </Box>
      <Text dimColor wrap="truncate-end">
        {fit(head + stats, width)}
      </Text>
    </Box>
  );
}
