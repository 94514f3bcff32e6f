// The playground as drawn: header, the pane (response, config, explain, ignored keywords, help) or the prompt,
// the backends table, the order strip, the status line and the footer. Props in, text out: it only draws.
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext, toneColor } from '../theme.ts';
import { Lines } from '../components/Lines.tsx';
import { ServersTable } from '../components/ServersTable.tsx';
import { TrafficLine, type TrafficLineProps } from '../components/TrafficLine.tsx';
import { Footer } from '../components/Footer.tsx';
import { PromptLine } from '../components/PromptLine.tsx';
import { LogPane } from '../components/LogPane.tsx';
import type { LogItem } from '../state/log.ts';
import type { ServerRow } from '../session/types.ts';
import type { Share } from '../state/shares.ts';
import type { Answer } from '../state/traffic.ts';
import { truncate, type Line } from '../state/text.ts';

export interface PlaygroundModel {
  readonly width: number;
  readonly header: string;
  readonly subheader: string;
  readonly paneTitle: string;
  readonly paneLines: readonly Line[];
  readonly paneHeight: number;
  readonly more: { readonly up: boolean; readonly down: boolean };
  /** The request prompt's text while it is open. */
  readonly prompt: string | null;
  readonly servers: readonly ServerRow[];
  readonly shares: ReadonlyMap<string, Share>;
  readonly selected: number;
  readonly since: string;
  readonly sequence: readonly Answer[];
  readonly latencies: readonly number[];
  readonly serverIndex: (key: string) => number | undefined;
  /** The window's counts, on the same baseline as the table's bars. */
  readonly window: TrafficLineProps['window'];
  readonly status: { readonly text: string; readonly tone: string };
  readonly footer: readonly string[];
  readonly log: readonly LogItem[];
  readonly logEpoch: number;
}

export function PlaygroundView({ m }: { readonly m: PlaygroundModel }): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const statusColor = toneColor(theme, m.status.tone);
  const marks = `${m.more.up ? '↑' : ''}${m.more.down ? '↓' : ''}`;
  const head = `── ${m.paneTitle} ${marks ? `(${marks} pgup/pgdn) ` : ''}`;
  return (
    <>
      <LogPane key={`log-${m.logEpoch}`} items={m.log} width={m.width} />
      <Box flexDirection="column" width={m.width}>
        <Text bold {...(theme.accent ? { color: theme.accent } : {})} wrap="truncate-end">
          {truncate(m.header, m.width)}
        </Text>
        <Text dimColor wrap="truncate-end">{truncate(m.subheader, m.width)}</Text>
        <Text dimColor wrap="truncate-end">{truncate(head + '─'.repeat(Math.max(0, m.width - Array.from(head).length)), m.width)}</Text>
        <Lines lines={m.paneLines} height={m.paneHeight} />
        {m.prompt !== null ? <PromptLine text={m.prompt} width={m.width} /> : null}
        <ServersTable rows={m.servers} shares={m.shares} selected={m.selected} width={m.width} since={m.since} />
        <TrafficLine sequence={m.sequence} latencies={m.latencies} serverIndex={m.serverIndex} width={m.width} window={m.window} />
        <Text wrap="truncate-end" {...(statusColor ? { color: statusColor } : {})} dimColor={m.status.tone === 'dim'}>
          {truncate(m.status.text, m.width) || ' '}
        </Text>
        <Footer keys={m.footer} width={m.width} rows={2} />
      </Box>
    </>
  );
}
