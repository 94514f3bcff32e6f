// Finished log lines, printed once above the live area by ink's <Static>; only the live part redraws.
import React, { useContext } from 'react';
import { Box, Static, Text } from 'ink';
import { ThemeContext, toneColor } from '../theme.ts';
import type { LogItem } from '../state/log.ts';

export interface LogPaneProps {
  readonly items: readonly LogItem[];
  readonly width: number;
}

// Lines wrap rather than cut: an httplog line is wider than 80 columns and its end (status, request) matters.
export function LogPane({ items, width }: LogPaneProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  return (
    <Static items={items as LogItem[]}>
      {(item) => {
        const color = toneColor(theme, item.tone);
        return (
          <Box key={item.id} width={width}>
            <Text wrap="wrap" dimColor={item.tone === 'dim'} {...(color ? { color } : {})}>
              {item.text}
            </Text>
          </Box>
        );
      }}
    </Static>
  );
}
