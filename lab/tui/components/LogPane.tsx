// Finished log lines, printed once above the live area by ink's <Static>; only the live part redraws.
import React, { useContext } from 'react';
import { Static, Text } from 'ink';
import { ThemeContext, toneColor } from '../theme.ts';
import type { LogItem } from '../state/log.ts';

export interface LogPaneProps {
  readonly items: readonly LogItem[];
  readonly width: number;
}

// Each item is one terminal row (cut to the width), so the scrollback stays readable at 80 columns.
export function LogPane({ items, width }: LogPaneProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  return (
    <Static items={items as LogItem[]}>
      {(item) => {
        const color = toneColor(theme, item.tone);
        return (
          <Text key={item.id} wrap="truncate-end" dimColor={item.tone === 'dim'} {...(color ? { color } : {})}>
            {Array.from(item.text).length > width ? Array.from(item.text).slice(0, width - 1).join('') + '…' : item.text}
          </Text>
        );
      }}
    </Static>
  );
}
