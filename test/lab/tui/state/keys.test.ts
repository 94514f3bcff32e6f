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
