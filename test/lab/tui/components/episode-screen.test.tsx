import { afterEach, describe, expect, it, vi } from 'vitest';

// Colors on for ink (chalk decides at import), so the NO_COLOR test below can tell the difference.
vi.hoisted(() => {
  process.env['FORCE_COLOR'] = '1';
});
import { cleanup, render } from 'ink-testing-library';
import { EpisodeScreen } from '../../../../lab/tui/screens/EpisodeScreen.tsx';
import { ThemeContext, makeTheme, serverGlyph } from '../../../../lab/tui/theme.ts';
import { CONFIG, FakeSession } from '../fake-session.ts';
import { writeFileSync } from 'node:fs';
import { press, until } from '../until.ts';

const tick = (ms = 120) => new Promise((r) => setTimeout(r, ms));
// The live area: what is below the last static log line (ink-testing-library prints static lines first).
const plain = (frame: string | undefined): string => (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const live = (frame: string | undefined): string => {
  const lines = plain(frame).split('\n');
  const start = lines.findIndex((l) => l.startsWith('Test episode'));
  return lines.slice(start).join('\n');
};

function mount(session = new FakeSession(), color = true) {
  const handlers = { onStepDone: vi.fn(), onStep: vi.fn(), onHome: vi.fn(), onQuit: vi.fn(), editFile: vi.fn(async () => ({ ok: true, message: '' })) };
  const r = render(
    <ThemeContext.Provider value={makeTheme(color)}>
      <EpisodeScreen session={session} done={false} burstSize={12} {...handlers} />
    </ThemeContext.Provider>,
  );
  return { ...r, session, ...handlers };
}

afterEach(() => cleanup());

describe('episode screen', () => {
  it('shows the step, its explanation, the servers and the keys that work, within 24 rows', async () => {
    const { lastFrame } = mount();
    await tick();
    const screen = live(lastFrame());
    expect(screen).toContain('step 1/2: Weights 2 and 1');
    expect(screen).toContain('Server1 takes two requests');
    expect(screen).toMatch(/● server1 +builtin +UP/);
    expect(screen).toMatch(/■ server2 +builtin +UP/);
    expect(screen).toContain('space request');
    expect(screen).not.toContain('← previous');
    expect(screen.split('\n').length).toBeLessThan(24);
  });

  it('draws the answers of a burst as glyphs and bars against the weights', async () => {
    const { lastFrame, stdin } = mount();
    await tick();
    await press(stdin, 'b');
    await until(() => expect(live(lastFrame())).toMatch(/order ● ■ ● ● ■ ●/));
    const screen = live(lastFrame());
    expect(screen).toMatch(/server1 .* 67%\/ 67%/);
    expect(screen).toMatch(/server2 .* 33%\/ 33%/);
    expect(plain(lastFrame())).toContain('http_front servers/server1');
  });

  it('explains the last request: the ACL and the value it saw, the deciding rule, the balancer', async () => {
    const { lastFrame, stdin } = mount();
    await tick();
    await press(stdin, ' ');
    await until(() => expect(live(lastFrame())).toContain('1 requests · latency'));
    await press(stdin, 'x');
    await until(() => expect(live(lastFrame())).toContain('Why the last request'));
    const screen = live(lastFrame());
    expect(screen).toContain('is_static: path_beg saw "/" → false');
    expect(screen).toContain('Decided by default_backend → backend servers');
    expect(screen).toContain('→ server1: next in the weighted rotation');
  });

  it('changes the selected server’s weight live and restarts the bars', async () => {
    const { lastFrame, stdin, session } = mount();
    await tick();
    await press(stdin, 'j');
    await tick(50);
    await press(stdin, '+');
    await until(() => expect(live(lastFrame())).toContain('since server2=w2'));
    expect(session.weights['server2']).toBe(2);
  });

  it('warns that c drops live weights, writes them into the file with W, and resets the step on R R', async () => {
    const { lastFrame, stdin, session } = mount();
    await tick();
    await press(stdin, '+');
    await until(() => expect(session.weights['server1']).toBe(3));
    await press(stdin, 'c');
    await until(() => expect(live(lastFrame())).toContain('drops your live changes'));
    expect(live(lastFrame())).toContain('HAProxy too forgets runtime changes on reload');
    await press(stdin, 'W');
    await until(() => expect(session.fileWeights['server1']).toBe(3));
    await press(stdin, 'R');
    await until(() => expect(live(lastFrame())).toContain('R again puts this step’s starting config back'));
    expect(session.resets).toBe(0);
    await press(stdin, 'R');
    await until(() => expect(session.resets).toBe(1));
    await until(() => expect(live(lastFrame())).toContain('starting config is back'));
  });

  it('shows the learner’s refused text with the error under its line, and says the old one serves', async () => {
    const session = new FakeSession();
    writeFileSync(session.configPath, CONFIG.replace('server1 app1:5001 weight 2', 'server1 app1:5001 wieght 2') + '\n');
    session.nextReload = { ok: false, diagnostics: [{ severity: 'alert', message: "'server server1' unknown keyword 'wieght'", loc: { file: 'haproxy.cfg', line: 9, col: 31 } }] };
    const { lastFrame, stdin } = mount(session);
    await tick();
    await press(stdin, 'r');
    await until(() => expect(live(lastFrame())).toContain('9✗'));
    const screen = live(lastFrame());
    // The learner's own line (not the one still serving) carries the error.
    expect(screen).toMatch(/9✗ +server server1 app1:5001 wieght 2 check/);
    expect(screen).toContain("↑ 'server server1' unknown keyword 'wieght'");
    expect(screen).toContain('the previous config keeps serving');
    expect(screen.match(/refused/gi)?.length).toBe(2);
  });

  it('scores predictions: guess with a digit, then see who answered', async () => {
    const { lastFrame, stdin } = mount();
    await tick();
    await press(stdin, 'p');
    await until(() => expect(live(lastFrame())).toContain('which server answers next?'));
    await press(stdin, '2');
    // A wrong guess says why the balancer chose otherwise.
    await until(() => expect(live(lastFrame())).toContain('✗ it was servers/server1 (round robin:'));
    expect(live(lastFrame())).toMatch(/ · 0\/1 ·/);
    await press(stdin, '2');
    await until(() => expect(live(lastFrame())).toContain('✓ right · 1/2'));
  });

  it('runs the checks and shows what a failing one expected, saw, and its lines', async () => {
    const { lastFrame, stdin, onStepDone } = mount();
    await tick();
    await press(stdin, 'c');
    await until(() => expect(live(lastFrame())).toContain('0/1 checks pass'));
    const screen = live(lastFrame());
    expect(screen).toContain('0/1 checks pass');
    expect(screen).toContain('expected server1 67%, server2 33%');
    expect(screen).toContain('haproxy.cfg:9: server server1');
    expect(onStepDone).not.toHaveBeenCalled();
  });

  it('marks a stopped backend DOWN when its server-state event arrives', async () => {
    const { lastFrame, stdin } = mount();
    await tick();
    await press(stdin, 's');
    await until(() => expect(plain(lastFrame())).toContain('Server servers/server1 is DOWN'));
    await until(() => expect(live(lastFrame())).toMatch(/server1 +builtin +DOWN/));
    // Said once, not once per event kind.
    expect(plain(lastFrame()).match(/Server servers\/server1 is DOWN/g)).toHaveLength(1);
  });

  it('quits on the second Ctrl+C, not the first', async () => {
    const { stdin, onQuit } = mount();
    await tick();
    await press(stdin, '\x03');
    await tick(50);
    expect(onQuit).not.toHaveBeenCalled();
    await press(stdin, '\x03');
    await until(() => expect(onQuit).toHaveBeenCalledTimes(1));
  });

  it('without color still tells servers apart by glyph and prints no color codes', async () => {
    const { lastFrame, stdin } = mount(new FakeSession(), false);
    await tick();
    await press(stdin, 'b');
    await until(() => expect(plain(lastFrame())).toContain(`order ${serverGlyph(0)} ${serverGlyph(1)}`));
    const frame = lastFrame() ?? '';
    expect(plain(frame)).toContain(`order ${serverGlyph(0)} ${serverGlyph(1)}`);
    // SGR colors 30-37/90-97 (foreground) must not appear; bold and dim may.
    expect(frame).not.toMatch(/\u001b\[(3[0-7]|9[0-7])m/);
  });

  it('with color paints each server in its own color', async () => {
    const { lastFrame, stdin } = mount(new FakeSession(), true);
    await tick();
    await press(stdin, 'b');
    await until(() => expect(lastFrame() ?? '').toMatch(/\u001b\[36m●/));
  });

  it('moves between steps with the arrow keys', async () => {
    const { stdin, onStep } = mount();
    await tick();
    await press(stdin, '\u001b[C');
    await until(() => expect(onStep).toHaveBeenCalledWith(1));
  });
});

describe('inline editor', () => {
  it('edits a config line in place, saves it to the file and reloads', async () => {
    const { lastFrame, stdin, session } = mount();
    await press(stdin, 'i');
    await until(() => expect(live(lastFrame())).toContain('Inline editor'));
    // The cursor starts on the first marked line (9: server1 ... weight 2 check); the caret at its end.
    await press(stdin, '\r');
    for (let i = 0; i < 6; i++) await press(stdin, '\u001b[D');
    await press(stdin, '\u007f');
    await press(stdin, '5');
    await press(stdin, '\r');
    await until(() => expect(live(lastFrame())).toContain('(unsaved)'));
    await press(stdin, 's');
    await until(() => expect(session.reloads).toHaveLength(1));
    expect(session.reloads[0]).toContain('    server server1 app1:5001 weight 5 check\n');
    await until(() => expect(live(lastFrame())).toContain('Config applied live'));
  });
});

describe('terminal size', () => {
  it('follows a resize: a tall terminal shows explanation and config together, a small one tabs them', async () => {
    const { lastFrame, stdout } = mount();
    await until(() => expect(live(lastFrame())).toContain('Explanation (tab: config)'));
    Object.defineProperty(stdout, 'rows', { value: 60, configurable: true });
    stdout.emit('resize');
    await until(() => expect(live(lastFrame())).toMatch(/── Config haproxy\.cfg/));
    expect(live(lastFrame())).toMatch(/── Explanation ─/);
    expect(live(lastFrame()).split('\n').length).toBeLessThan(60);
    Object.defineProperty(stdout, 'rows', { value: 24, configurable: true });
    stdout.emit('resize');
    await until(() => expect(live(lastFrame())).toContain('Explanation (tab: config)'));
  });
});
