// Colors and glyphs of the TUI. Every backend server has its own glyph so the screen reads without color (NO_COLOR).
import { createContext } from 'react';

export interface Theme {
  readonly color: boolean;
  /** Ink color names, or undefined when color is off. */
  readonly accent: string | undefined;
  readonly ok: string | undefined;
  readonly bad: string | undefined;
  readonly warn: string | undefined;
  readonly dim: string | undefined;
  readonly mark: string | undefined;
}

const SERVER_GLYPHS = ['●', '■', '▲', '◆', '★', '✚', '♦', '▼', '◐', '✖'] as const;
const SERVER_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red', 'white', 'cyanBright', 'magentaBright', 'yellowBright'] as const;

// Color is on unless NO_COLOR is set to anything non-empty (https://no-color.org).
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '');
}

// The theme for this environment; every color is undefined when color is off, so <Text color> prints plain text.
export function makeTheme(color: boolean = colorEnabled()): Theme {
  const c = (name: string): string | undefined => (color ? name : undefined);
  return { color, accent: c('cyan'), ok: c('green'), bad: c('red'), warn: c('yellow'), dim: c('gray'), mark: c('yellow') };
}

// The glyph of the index-th server of an episode (stable across screens, so the sequence line matches the bars).
export function serverGlyph(index: number): string {
  return SERVER_GLYPHS[((index % SERVER_GLYPHS.length) + SERVER_GLYPHS.length) % SERVER_GLYPHS.length]!;
}

// The color of the index-th server, or undefined without color.
export function serverColor(theme: Theme, index: number): string | undefined {
  if (!theme.color) return undefined;
  return SERVER_COLORS[((index % SERVER_COLORS.length) + SERVER_COLORS.length) % SERVER_COLORS.length];
}

/** The theme every component reads; the app provides the one for its environment. */
export const ThemeContext = createContext<Theme>(makeTheme());

// The color of a tone in this theme.
export function toneColor(theme: Theme, tone: string | undefined): string | undefined {
  switch (tone) {
    case 'ok':
      return theme.ok;
    case 'bad':
      return theme.bad;
    case 'warn':
      return theme.warn;
    case 'accent':
      return theme.accent;
    default:
      return undefined;
  }
}
