import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindingFor, episodeKeys, footerKeys, keysMarkdown, type KeyContext } from '../../../../lab/tui/state/keys.ts';

const ctx: KeyContext = {
  hasEngine: true, hasServers: true, hasConfig: true, hasChecks: true, predicting: false, overlayOpen: false,
  canNext: true, canPrev: false, hasHint: true, hasSolution: false, busy: false, hasLastRequest: false, requests: 1,
};

describe('key table', () => {
  it('gives every action exactly one binding and no key to two actions', () => {
    const actions = episodeKeys.map((k) => k.action);
    expect(new Set(actions).size).toBe(actions.length);
    const chars = episodeKeys.flatMap((k) => k.chars);
    expect(new Set(chars).size).toBe(chars.length);
  });

  it('ignores keys whose action does not work now', () => {
    expect(bindingFor('b', {}, ctx)?.action).toBe('burst');
    expect(bindingFor('', { leftArrow: true }, ctx)).toBeUndefined();
    expect(bindingFor('o', {}, ctx)).toBeUndefined();
    expect(bindingFor('1', {}, ctx)).toBeUndefined();
    expect(bindingFor('1', {}, { ...ctx, predicting: true })?.action).toBe('guess');
    expect(bindingFor('c', { ctrl: true }, ctx)).toBeUndefined();
    expect(bindingFor('', { escape: true, meta: true }, { ...ctx, overlayOpen: true })?.action).toBe('close');
  });

  it('lists help and quit first in the footer, and each pair once', () => {
    const f = footerKeys(ctx);
    expect(f.slice(0, 2)).toEqual(['? help', 'q quit']);
    expect(f.filter((k) => k === '↑↓ server')).toHaveLength(1);
    expect(f).not.toContain('← previous step');
  });

  it('keeps docs/keys.md in step with the key table', () => {
    expect(readFileSync(new URL('../../../../docs/keys.md', import.meta.url), 'utf8')).toBe(keysMarkdown());
  });
});

describe('footer pages at 80 columns', async () => {
  const { footerPages } = await import('../../../../lab/tui/components/Footer.tsx');
  it('puts every key that works on some page, help and quit on every page, and pages with m', () => {
    const ctx: KeyContext = {
      hasEngine: true, hasServers: true, hasConfig: true, hasChecks: true, predicting: false, overlayOpen: false, canNext: true,
      canPrev: true, hasHint: true, hasSolution: true, busy: false, hasLastRequest: true, requests: 2, hasLiveWeights: true, hasLogLine: true,
    };
    const keys = footerKeys(ctx);
    const pages = footerPages(keys, 80, 2);
    expect(pages.length).toBeGreaterThan(1);
    const shown = pages.flatMap((p) => p.flat());
    for (const k of keys) expect(shown).toContain(k);
    for (const k of ['h hint', 'o solution', 'H home']) expect(shown).toContain(k);
    for (const [i, p] of pages.entries()) {
      const items = p.flat();
      expect(items).toContain('? help');
      expect(items).toContain('q quit');
      expect(items).toContain(`m more ${i + 1}/${pages.length}`);
      expect(p).toHaveLength(2);
      for (const row of p) expect(row.join('  ').length).toBeLessThanOrEqual(80);
    }
  });
});
