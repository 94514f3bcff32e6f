// One step of an episode, drawn: the upper pane (explanation, config, overlays), backends with live traffic,
// log lines, status and footer. What keys do lives in state/episode-screen.ts; binding them and running their
// effects in hooks/use-episode-screen.ts; this file only draws what the hook returns.
import React, { useContext, useMemo } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext, serverGlyph, toneColor } from '../theme.ts';
import { Lines } from '../components/Lines.tsx';
import { ServersTable } from '../components/ServersTable.tsx';
import { ContainersTable } from '../components/ContainersTable.tsx';
import { TrafficLine } from '../components/TrafficLine.tsx';
import { Footer } from '../components/Footer.tsx';
import { PromptLine } from '../components/PromptLine.tsx';
import { LogPane } from '../components/LogPane.tsx';
import { allShares } from '../state/shares.ts';
import { lastTrace } from '../state/traffic.ts';
import { plainWhy } from '../state/explain.ts';
import { footerKeys } from '../state/keys.ts';
import { PROMPT_STATUS } from '../state/request-prompt.ts';
import { layout, headerText } from '../state/panes.ts';
import { screenPane, configPaneTitle } from '../state/screen-pane.ts';
import { configLines, remapMarks } from '../state/config-lines.ts';
import { truncate, windowOf, wrapText } from '../state/text.ts';
import { useTerminalSize } from '../hooks/use-terminal-size.ts';
import { useEpisodeScreen, type EpisodeScreenProps } from '../hooks/use-episode-screen.ts';

export type { EpisodeScreenProps } from '../hooks/use-episode-screen.ts';

// How containers come to run on a Docker step, for its empty table.
function containersHint(step: EpisodeScreenProps['session']['step']): string {
  if (step.docker?.run) return `c runs ${step.docker.run.image}, or type : docker run -p ${step.docker.run.port}:${step.docker.run.port} ${step.docker.run.image}`;
  if (step.docker?.compose) return 'c brings the stack up; it stays up while you are on this step';
  if (step.docker?.stack) return 'c builds the images and runs them on a network';
  return 'this step builds an image (c, or : docker build); it runs none';
}

export function EpisodeScreen(props: EpisodeScreenProps): React.JSX.Element {
  const m = useEpisodeScreen(props);
  const { session, done } = props;
  const theme = useContext(ThemeContext);
  const { columns, rows: termRows } = useTerminalSize();
  const width = Math.max(40, columns);
  const { screen, traffic, servers } = m;
  const { ui, inline } = screen;
  const step = session.step;

  const indexOf = useMemo(() => {
    const map = new Map(servers.map((r) => [r.key, r.index]));
    return (key: string): number | undefined => map.get(key);
  }, [servers]);

  const status = ((): { text: string; tone: string } => {
    if (screen.editing) return { text: `Editing ${session.configPath} — save and quit the editor to apply.`, tone: 'accent' };
    if (screen.request.prompt) return { text: PROMPT_STATUS, tone: 'accent' };
    if (ui.busy) return { text: `${ui.busy} (Ctrl+C stops)`, tone: 'accent' };
    if (ui.predict) {
      const p = ui.predict;
      // A wrong guess comes with the reason the balancer gave.
      const why = p.last && !p.last.ok ? lastTrace(traffic)?.balances[0] : undefined;
      const last = p.last ? `${p.last.ok ? '✓ right' : `✗ it was ${p.last.actual ?? 'no server'}${why ? ` (${plainWhy(why)})` : ''}`} · ` : '';
      const choices = servers.slice(0, 9).map((r, i) => `${i + 1}${serverGlyph(r.index)}${r.server}`).join(' ');
      return { text: `${last}${p.right}/${p.total} · which server answers next? ${choices}`, tone: 'accent' };
    }
    if (ui.message) return ui.message;
    return { text: done ? 'This step is complete; it stays open for experiments.' : 'space sends a request · c runs the step’s experiments and checks', tone: 'dim' };
  })();
  const statusColor = toneColor(theme, status.tone);
  // A long message takes a second row (from the pane) rather than being cut.
  const statusLines = wrapText(status.text, width).slice(0, 2);
  if (wrapText(status.text, width).length > 2) statusLines[1] = truncate(statusLines[1]!, width);
  // A Docker step shows its containers: in the servers table's place when the step has no servers, else under it.
  const docker = step.needs.includes('docker');
  const containersOnly = docker && servers.length === 0;
  const containerRows = Math.max(1, m.containers.rows.length);
  const lay = layout(
    termRows, containersOnly ? containerRows : servers.length, session.configPath !== null && ui.overlay === 'none' && inline === null,
    docker && !containersOnly ? 1 + containerRows : 0,
  );
  const both = lay.second > 0;
  const prompt = screen.request.prompt;
  const paneHeight = Math.max(0, lay.pane - 1 - (statusLines.length - 1) - (prompt ? 1 : 0));
  const pane = screenPane({ session, model: m, width, both, indexOf, height: paneHeight });
  // The inline editor keeps its cursor line in view; other panes start at their focus and scroll by page.
  const paneOffset = inline ? Math.max(0, pane.focus - Math.floor(paneHeight / 2)) : (screen.scroll ?? Math.max(0, pane.focus - 1));
  const win = windowOf(pane.lines, paneHeight, paneOffset);
  m.pane.height = paneHeight;
  m.pane.offset = win.offset;
  const shownConfig = m.errors.length > 0 ? m.fileText : m.configText;
  const second =
    both && shownConfig !== null
      ? configLines({ text: shownConfig, marks: remapMarks(session.startingConfig ?? shownConfig, shownConfig, step.marks), errors: m.errors, width })
      : null;
  const secondWin = second ? windowOf(second.lines, Math.max(0, lay.second - 1), Math.max(0, second.focus - 1)) : null;

  const shares = allShares(m.snapshot?.backends ?? null, servers.map((r) => r.key), traffic);


  const titleRow = (t: string, more: boolean, offset: number): string => {
    const marks = `${offset > 0 ? '↑' : ''}${more ? '↓' : ''}`;
    const head = `── ${t} ${marks ? `(${marks} pgup/pgdn) ` : ''}`;
    return truncate(head + '─'.repeat(Math.max(0, width - Array.from(head).length)), width);
  };

  const footer = screen.editing
    ? ['(editor open)']
    : prompt
      ? ['enter send', 'esc drop', '↑↓ history']
      : inline
      ? inline.edit
        ? ['enter keep', 'esc drop', '←→ move', 'home/end start/end']
        : ['s save+apply', 'esc leave', '↑↓ line', 'enter edit', 'o add line', 'D delete line']
      : footerKeys(m.ctx);

  return (
    <>
      <LogPane key={`log-${m.log.epoch}`} items={m.log.items} width={width} />
      <Box flexDirection="column" width={width}>
        <Text bold {...(theme.accent ? { color: theme.accent } : {})} wrap="truncate-end">
          {headerText(session.episode, session.stepIndex, done, width)}
        </Text>
        {lay.tooSmall ? (
          <Text wrap="truncate-end">{truncate(`Terminal ${columns}x${termRows} is too small: make it at least 80x24.`, width)}</Text>
        ) : (
          <>
            <Text dimColor wrap="truncate-end">
              {titleRow(pane.title, win.more, win.offset)}
            </Text>
            <Lines lines={win.shown} height={paneHeight} />
            {prompt ? <PromptLine text={prompt.text} width={width} /> : null}
            {second && secondWin ? (
              <>
                <Text dimColor wrap="truncate-end">
                  {titleRow(configPaneTitle(session.configName, m.errors.length > 0, false), secondWin.more, secondWin.offset)}
                </Text>
                <Lines lines={secondWin.shown} height={Math.max(0, lay.second - 1)} />
              </>
            ) : null}
          </>
        )}
        {containersOnly ? null : <ServersTable rows={servers} shares={shares} selected={ui.selected} width={width} since={traffic.since} />}
        {docker ? <ContainersTable state={m.containers} width={width} empty={containersHint(step)} /> : null}
        <TrafficLine
          sequence={traffic.sequence}
          latencies={traffic.latencies}
          serverIndex={indexOf}
          width={width}
          window={traffic}
        />
        {(statusLines.length ? statusLines : ['']).map((t, i) => (
          <Text key={`status${i}`} wrap="truncate-end" {...(statusColor ? { color: statusColor } : {})} dimColor={status.tone === 'dim'}>
            {t || ' '}
          </Text>
        ))}
        <Footer keys={footer} width={width} rows={2} page={screen.footerPage} />
      </Box>
    </>
  );
}
