// The `lab` command line: one file per command under commands/, each adding itself to the program.
// `lab proxy` loads only its own command: the engine then runs in a small heap (no Ink, React or dockerode),
// which makes every garbage collection cheaper under load.
import { Command } from 'commander';

const program = new Command();
program
  .name('lab')
  .description('HAProxy Lab: learn load balancing by running real haproxy.cfg files')
  .version('0.1.0', '-v, --version')
  .showHelpAfterError();

if (process.argv[2] === 'proxy') {
  const { registerProxy } = await import('./commands/proxy.ts');
  registerProxy(program);
} else {
  const { commands } = await import('./commands/index.ts');
  for (const register of commands) register(program);
}

await program.parseAsync(process.argv);
