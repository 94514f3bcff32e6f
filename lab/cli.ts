// The `lab` command line: one file per command under commands/, each adding itself to the program; only the
// named command's module is loaded (see commands/index.ts), so `lab curl` or `lab proxy` starts without the rest.
import { Command } from 'commander';
import { commandsFor } from './commands/index.ts';

const program = new Command();
program
  .name('lab')
  .description('HAProxy Lab: learn load balancing by running real haproxy.cfg files')
  .version('0.1.0', '-v, --version')
  .showHelpAfterError();

const registers = await Promise.all(commandsFor(process.argv.slice(2)).map((c) => c.load()));
for (const register of registers) register(program);

await program.parseAsync(process.argv);
