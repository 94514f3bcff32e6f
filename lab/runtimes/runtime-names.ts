// The runtimes' names and --runtime's parser, apart from the runtimes themselves: a command declares its options
// with these without loading execa, dockerode or the apps (see lab/commands/index.ts).
import type { RuntimeName } from './runtime.ts';

export const RUNTIME_NAMES: readonly RuntimeName[] = ['docker', 'process', 'builtin'];
/** The runtime every command (the TUI, `lab run`, `lab up`) uses when --runtime is not given. */
export const DEFAULT_RUNTIME: RuntimeName = 'builtin';

// Parses --runtime; throws naming the choices.
export function parseRuntimeName(text: string): RuntimeName {
  if ((RUNTIME_NAMES as readonly string[]).includes(text)) return text as RuntimeName;
  throw new Error(`--runtime: expected one of ${RUNTIME_NAMES.join(', ')}, got '${text}'`);
}
