// The `lab` command line: one file per command under commands/, each adding itself to the program.
import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command();
program
  .name('lab')
  .description('HAProxy Lab: learn load balancing by running real haproxy.cfg files')
  .version('0.1.0', '-v, --version')
  .showHelpAfterError();

for (const register of commands) register(program);

await program.parseAsync(process.argv);
