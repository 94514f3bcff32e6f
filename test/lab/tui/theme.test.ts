import { describe, expect, it } from 'vitest';
import { colorEnabled, makeTheme, serverColor, serverGlyph } from '../../../lab/tui/theme.ts';

describe('theme', () => {
  it('turns color off when NO_COLOR is set to anything', () => {
    expect(colorEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({})).toBe(true);
    expect(colorEnabled({ NO_COLOR: '' })).toBe(true);
    expect(serverColor(makeTheme(false), 0)).toBeUndefined();
    expect(makeTheme(false).bad).toBeUndefined();
  });

  it('gives the first servers distinct glyphs', () => {
    const glyphs = Array.from({ length: 8 }, (_, i) => serverGlyph(i));
    expect(new Set(glyphs).size).toBe(8);
  });
});
