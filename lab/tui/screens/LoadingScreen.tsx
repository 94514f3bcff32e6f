// Shown while a step's apps start (and images build): the last progress lines, so a slow build is visibly alive.
import React, { useContext, useEffect, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { ThemeContext } from '../theme.ts';
import { truncate, wrapText } from '../state/text.ts';
import { useTerminalSize } from '../hooks/use-terminal-size.ts';

export interface LoadingScreenProps {
  readonly title: string;
  readonly lines: readonly string[];
  /** Set when starting failed: shown with a way back. */
  readonly error?: string;
  readonly onBack: () => void;
  readonly onQuit: () => void;
}

const SPIN = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

// A spinner over the latest progress lines, or the error with a way back.
export function LoadingScreen({ title, lines, error, onBack, onQuit }: LoadingScreenProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const { columns, rows } = useTerminalSize();
  const width = Math.max(40, columns);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (error) return;
    const t = setInterval(() => setTick((n) => n + 1), 120);
    return () => clearInterval(t);
  }, [error]);
  useInput((input, key) => {
    if (error && (key.escape || key.return || input === 'H')) onBack();
    if (input === 'q' || (key.ctrl && input === 'c')) onQuit();
  });
  // Errors wrap: their end (the known ids, the fix) matters most.
  const errorLines = error ? wrapText(error, width) : [];
  const room = Math.max(1, rows - 4 - errorLines.length);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold {...(theme.accent ? { color: theme.accent } : {})}>
        {truncate(`${error ? '✗' : SPIN[tick % SPIN.length]} ${title}`, width)}
      </Text>
      {lines.slice(-room).map((l, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {truncate(l, width)}
        </Text>
      ))}
      {errorLines.map((l, i) => (
        <Text key={`e${i}`} {...(theme.bad ? { color: theme.bad } : {})} wrap="truncate-end">
          {truncate(l, width)}
        </Text>
      ))}
      <Text dimColor>{error ? 'enter/esc back to the episodes · q quit' : 'q quit'}</Text>
    </Box>
  );
}
