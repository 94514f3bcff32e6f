// A block of pre-fitted lines, each one terminal row, colored by tone (or by server when it carries one).
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext, serverColor, toneColor } from '../theme.ts';
import type { Line } from '../state/text.ts';

export interface LinesProps {
  readonly lines: readonly Line[];
  /** Pads with empty rows to this height, so the layout below does not jump. */
  readonly height?: number;
}

// Renders each line truncated to the row (never wrapping), so the block is exactly lines.length rows tall.
export function Lines({ lines, height }: LinesProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const pad = height !== undefined ? Math.max(0, height - lines.length) : 0;
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => {
        const color = l.server !== undefined ? serverColor(theme, l.server) : toneColor(theme, l.tone);
        return (
          <Text key={i} wrap="truncate-end" {...(color ? { color } : {})} dimColor={l.tone === 'dim'} bold={l.bold === true}>
            {l.text || ' '}
          </Text>
        );
      })}
      {Array.from({ length: pad }, (_, i) => (
        <Text key={`pad${i}`}> </Text>
      ))}
    </Box>
  );
}
