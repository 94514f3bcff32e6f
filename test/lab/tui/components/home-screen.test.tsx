import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { HomeScreen, progressText } from '../../../../lab/tui/screens/HomeScreen.tsx';
import { press, until } from '../until.ts';

afterEach(() => cleanup());
const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));

const episodes = [
  { id: 'ep9-weighted-rr', title: 'Weighted round robin', document: 'HAProxy EP 9', summary: 'Weights.', steps: 3, done: 1 },
  { id: 'ep4-acl', title: 'ACLs', document: 'HAProxy EP 4', summary: 'Rules on requests.', steps: 7, done: 7 },
];

describe('home screen', () => {
  it('lists the episodes with the learner’s progress', async () => {
    const { lastFrame } = render(<HomeScreen episodes={episodes} problems={[]} runtimeLine="runtime: builtin" onOpen={() => {}} onQuit={() => {}} />);
    await tick();
    expect(lastFrame()).toMatch(/▸ 1\. Weighted round robin +■□□ 1\/3/);
    expect(lastFrame()).toMatch(/2\. ACLs +■■■■■■■ 7\/7/);
    expect(lastFrame()).toContain('Weights.');
  });

  it('opens the episode under the cursor with enter', async () => {
    const onOpen = vi.fn();
    const { stdin, lastFrame } = render(<HomeScreen episodes={episodes} problems={[]} runtimeLine="" onOpen={onOpen} onQuit={() => {}} />);
    await tick();
    await press(stdin, '\u001b[B');
    await tick();
    await until(() => expect(lastFrame()).toMatch(/▸ 2\. ACLs/));
    await press(stdin, '\r');
    await until(() => expect(onOpen).toHaveBeenCalledWith('ep4-acl'));
  });

  it('draws progress as filled and empty boxes', () => {
    expect(progressText(2, 3)).toBe('■■□ 2/3');
    expect(progressText(0, 0)).toBe(' 0/0');
  });
});
