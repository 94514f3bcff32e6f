// The keys that work right now, packed into at most `rows` rows; when they do not fit, the footer pages
// (`m` shows the next page) so that no key is only in the help overlay.
import React, { useContext } from 'react';
import { Box, Text } from 'ink';
import { ThemeContext } from '../theme.ts';
export interface FooterProps {
  /** "key does" items, most important first. */
  readonly keys: readonly string[];
  readonly width: number;
  readonly rows?: number;
  /** Which page to show (wraps around). */
  readonly page?: number;
}

const len = (s: string): number => Array.from(s).length;
const PINNED = /^(\? |q |esc )/;

// Packs items into rows of at most width cells; returns the rows and the items that did not fit.
export function packKeys(keys: readonly string[], width: number, rows: number): string[][] {
  return pack(keys, width, rows).rows;
}

function pack(keys: readonly string[], width: number, rows: number): { rows: string[][]; rest: string[] } {
  const out: string[][] = [[]];
  const rest: string[] = [];
  let used = 0;
  for (const item of keys) {
    const n = len(item) + (used > 0 ? 2 : 0);
    if (used + n > width) {
      if (out.length >= rows) {
        rest.push(item);
        continue;
      }
      out.push([]);
      used = 0;
    }
    out[out.length - 1]!.push(item);
    used += len(item) + (used > 0 ? 2 : 0);
  }
  return { rows: out, rest };
}

// The footer's pages: every page keeps the pinned keys (help, quit, close) and "m more i/n"; the others are
// spread over the pages in order, so each key is on exactly one page.
export function footerPages(keys: readonly string[], width: number, rows: number): string[][][] {
  const all = pack(keys, width, rows);
  if (all.rest.length === 0) return [all.rows];
  const pinned = keys.filter((k) => PINNED.test(k));
  let others = keys.filter((k) => !PINNED.test(k));
  const pages: string[][][] = [];
  while (others.length > 0 && pages.length < 20) {
    // "m more 10/10" is the widest the marker gets.
    const p = pack([...pinned, 'm more 10/10', ...others], width, rows);
    const taken = others.length - p.rest.length;
    if (taken <= 0) break;
    pages.push(p.rows);
    others = p.rest;
  }
  return pages.map((page, i) => page.map((row) => row.map((item) => (item === 'm more 10/10' ? `m more ${i + 1}/${pages.length}` : item))));
}

// Key labels bold (and in the accent color), descriptions dim.
export function Footer({ keys, width, rows = 2, page = 0 }: FooterProps): React.JSX.Element {
  const theme = useContext(ThemeContext);
  const pages = footerPages(keys, width, rows);
  const packed = pages[page % pages.length] ?? [];
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
