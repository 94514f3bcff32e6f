// The keys that work right now, packed into as many rows as the width needs (at most `rows`).
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext } from '../theme.ts';
export interface FooterProps {
  /** "key does" items, most important first. */
  readonly keys: readonly string[];
  readonly width: number;
  readonly rows?: number;
}

// Packs "key does" items into rows of at most width cells; what does not fit is dropped (help lists all).
export function packKeys(keys: readonly string[], width: number, rows: number): string[][] {
  const out: string[][] = [[]];
  let used = 0;
  for (const item of keys) {
    const len = Array.from(item).length + (used > 0 ? 2 : 0);
    if (used + len > width) {
      if (out.length >= rows) continue;
      out.push([]);
      used = 0;
    }
    out[out.length - 1]!.push(item);
    used += Array.from(item).length + (used > 0 ? 2 : 0);
  }
  return out;
}

// Key labels bold (and in the accent color), descriptions dim.
export function Footer({ keys, width, rows = 2 }: FooterProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const packed = packKeys(keys, width, rows);
  return (
    <Box flexDirection="column">
      {packed.map((row, r) => (
        <Box key={r}>
          {row.map((item, i) => {
            const sp = item.indexOf(' ');
            return (
              <Text key={i}>
                {i > 0 ? '  ' : ''}
                <Text bold {...(theme.accent ? { color: theme.accent } : {})}>
                  {item.slice(0, sp)}
                </Text>
                <Text dimColor>{item.slice(sp)}</Text>
              </Text>
            );
          })}
        </Box>
      ))}
    </Box>
  );
}
