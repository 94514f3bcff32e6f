// Every command of `lab`, in the order `lab --help` lists them.
import type { Command } from 'commander';
import { registerProxy } from './proxy.ts';
import { registerDoctor } from './doctor.ts';
import { registerUp } from './up.ts';
import { registerDown } from './down.ts';
import { registerHome } from './home.ts';
import { registerOpen } from './open.ts';
import { registerReset } from './reset.ts';
import { registerEpisodes } from './episodes.ts';
import { registerRun } from './run.ts';
import { registerCurl } from './curl.ts';
import { registerPlay } from './play.ts';

export const commands: ReadonlyArray<(program: Command) => void> = [registerProxy, registerUp, registerDown, registerDoctor, registerHome, registerOpen, registerReset, registerEpisodes, registerRun, registerCurl, registerPlay];
