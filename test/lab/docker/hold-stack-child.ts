// A lab process for ep9-hold.test.ts: opens EP 9's compose step as the TUI does, runs its checks once (the stack
// comes up and is held), says so, and waits to be killed (a crash) or signalled (a quit by signal).
import { loadEpisode } from '../../../lab/episodes/loader.ts';
import { BuiltinRuntime } from '../../../lab/runtimes/builtin.ts';
import { openStepSession } from '../../../lab/tui/session/step-session.ts';

const episode = loadEpisode('ep9-weighted-rr');
const index = episode.steps.findIndex((s) => s.id === 'compose-stack');
const session = await openStepSession(episode, index, { runtime: new BuiltinRuntime(), publishPorts: false, progress: (l) => console.log(`progress: ${l}`) });
console.log('OPENED');
const checks = await session.runChecks(undefined, (l) => console.log(`progress: ${l}`));
const failed = checks.filter((c) => !c.ok).map((c) => c.check.title);
console.log(failed.length === 0 ? 'UP pass' : `UP fail: ${failed.join('; ')}`);
setInterval(() => {}, 60_000);
