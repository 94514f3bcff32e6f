import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../../../../lab/tui/app.tsx';
import type { LabServices } from '../../../../lab/tui/session/types.ts';
import { FakeSession, fakeEpisode } from '../fake-session.ts';
import { press, until } from '../until.ts';

afterEach(() => cleanup());
const tick = (ms = 150) => new Promise((r) => setTimeout(r, ms));

function services(opened: FakeSession[], fail?: string): LabServices {
  const episode = fakeEpisode();
  return {
    listEpisodes: async () => [{ id: episode.id, title: episode.title, document: 'Doc', summary: 'A test.', steps: 2, done: 0 }],
    loadEpisode: async () => episode,
    doneSteps: async () => new Set(),
    markDone: async () => {},
    openStep: async (ep, index, progress) => {
      progress('building image ep9-app1… step 3/5');
      if (fail) throw new Error(fail);
      const s = new FakeSession(ep, index);
      opened.push(s);
      return s;
    },
    editFile: async () => ({ ok: true, message: '' }),
  };
}

describe('app router', () => {
  it('goes from the home screen into an episode and, on quit, closes what it opened', async () => {
    const opened: FakeSession[] = [];
    const { lastFrame, stdin } = render(<App services={services(opened)} runtimeLine="runtime: builtin" />);
    await until(() => expect(lastFrame()).toContain('1. Test episode'));
    await press(stdin, '\r');
    await until(() => expect(lastFrame()).toContain('step 1/2'));
    await tick();
    await press(stdin, 'q');
    await until(() => expect(opened[0]?.closed).toBe(true));
    expect(opened).toHaveLength(1);
  });

  it('closes the step it leaves when moving to the next one', async () => {
    const opened: FakeSession[] = [];
    const { lastFrame, stdin } = render(<App services={services(opened)} runtimeLine="" open={{ episode: 'ep-test' }} />);
    await until(() => expect(lastFrame()).toContain('step 1/2'));
    await tick();
    await press(stdin, 'n');
    await until(() => expect(lastFrame()).toContain('step 2/2: Second step'));
    expect(opened.map((s) => s.closed)).toEqual([true, false]);
  });

  it('shows the progress lines and the error when a step cannot start', async () => {
    const { lastFrame } = render(<App services={services([], 'docker: image build failed')} runtimeLine="" open={{ episode: 'ep-test' }} />);
    await until(() => expect(lastFrame()).toContain('docker: image build failed'));
    expect(lastFrame()).toContain('building image ep9-app1… step 3/5');
    expect(lastFrame()).toContain('docker: image build failed');
    expect(lastFrame()).toContain('enter/esc back to the episodes');
  });
});
