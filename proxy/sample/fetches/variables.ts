// The var(NAME[,DEFAULT]) fetch (smp_fetch_var in src/vars.c): a variable's value with the type it was stored
// with, or DEFAULT (a string) when it is not set or its scope is not reachable here.
import type { FetchDef, FetchFn } from '../sample.ts';
import { getVar, parseVarName } from '../vars.ts';

export const variableFetches: readonly FetchDef[] = [
  {
    name: 'var',
    outType: 'any',
    args: ['str', 'str'],
    minArgs: 1,
    source: 'const',
    validate(args) {
      const v = parseVarName(String(args[0] ?? ''));
      return 'error' in v ? v.error : null;
    },
    compile(args): FetchFn {
      const v = parseVarName(String(args[0] ?? ''));
      if ('error' in v) throw new Error(v.error);
      const dflt = args[1] === undefined ? undefined : String(args[1]);
      return (ctx, visit) => {
        const value = getVar(ctx.vars, v);
        if (value !== undefined) return visit(value);
        return dflt !== undefined ? visit(dflt) : false;
      };
    },
  },
];
