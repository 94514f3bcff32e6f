// The request prompt's line, as the playground and the episode screen both draw it: what is typed so far and
// a cursor; a long line keeps its end in view.
import React, { useContext } from 'react';
import { Text } from 'ink';
import { ThemeContext } from '../theme.ts';
import { truncate } from '../state/text.ts';

export function PromptLine({ text, width }: { readonly text: string; readonly width: number }): React.JSX.Element {
  const theme = useContext(ThemeContext);
  return (
    <Text {...(theme.accent ? { color: theme.accent } : {})} wrap="truncate-start">
      {truncate(`request> ${text}█`, width)}
    </Text>
  );
}
