// The runtime API's `set var <name> [fmt|expr] {<fmt>|<expr>}` (vars_parse_cli_set_var, an experimental-mode
// command in 2.6): a process-wide variable set from a sample expression or a format string, evaluated with no
// stream, so only constants and proc.* variables give samples.
import type { Engine } from '../api.ts';
import { PLAIN_FORMAT, tryRuleFormat } from '../sample/rule-format.ts';
import { compileSampleExpr } from '../sample/sample-expr.ts';
import type { SampleContext } from '../sample/context.ts';
import { parseVarName } from '../sample/vars.ts';

// Runs `set var` (args as split by the CLI); returns the text to print ('' when the variable was set). The
// messages cli_dynerr prints from memprintf have no newline of their own: the CLI's empty line ends them.
export function runSetVar(args: readonly string[], engine: Engine): string {
  const name = args[2] ?? '';
  if (name === '') return 'Missing process-wide variable identifier.\n';
  const kind = args[3] ?? '';
  if (kind === '') return "Missing either 'expr', 'fmt' or expression.\n";
  const long = (args[4] ?? '') !== '';
  if (long && kind !== 'fmt' && kind !== 'expr') return `'${args[0]} ${args[1]}': arg type must be either 'expr' or 'fmt' but got '${kind}'.`;
  const text = long ? args[4]! : kind;
  const useFmt = long && kind === 'fmt';
  const variable = parseVarName(name);
  if ('error' in variable) return `${variable.error}.`;
  if (variable.scope !== 'proc') return `'${args[0]} ${args[1]}': cannot set variable '${name}', only scope 'proc' is permitted here.`;
  const store = engine.procVars();
  const ctx: SampleContext = { src: '', srcPort: 0, dst: '', dstPort: 0, vars: { proc: store } };
  if (useFmt) {
    const f = tryRuleFormat(text, { proxy: 'CLI' }, PLAIN_FORMAT);
    if ('error' in f) return f.error;
    store.set(variable.name, f.format(ctx));
    return '';
  }
  const expr = compileSampleExpr(text, { proxy: 'CLI' });
  if ('error' in expr) return expr.error;
  const value = expr.evaluateSample(ctx);
  // action_store with no sample leaves the variable as it was
  if (value !== undefined) store.set(variable.name, value);
  return '';
}
