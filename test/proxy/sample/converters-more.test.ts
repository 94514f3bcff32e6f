// The converters added for issue 11 give, on the engine alone, the answers recorded from HAProxy 2.6.12 in
// converter-cases.ts (test/parity/converters.test.ts checks those answers against the real binary too).
import { describe, expect, it } from 'vitest';
import { compileRuleFormat } from '../../../proxy/sample/rule-format.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { VarStore, type VarSet } from '../../../proxy/sample/vars.ts';
import { parseMask4, parseMask6 } from '../../../proxy/sample/converters-addr.ts';
import { formatG } from '../../../proxy/sample/converters-json.ts';
import { CONVERTER_CASES } from './converter-cases.ts';

// The variables the parity config sets with http-request set-var before its return rules.
function context(headers: readonly string[] = []): SampleContext {
  const txn = new VarStore('txn');
  txn.set('abc', 'abc');
  txn.set('abd', 'abd');
  txn.set('ab', 'ab');
  txn.set('int', 42);
  txn.set('key', 'c2VjcmV0');
  const vars: VarSet = { proc: new VarStore('proc'), sess: new VarStore('sess'), txn, reqres: new VarStore('req') };
  return {
    src: '127.0.0.1', srcPort: 40001, dst: '127.0.0.1', dstPort: 8080, vars,
    req: { method: 'GET', uri: '/a', version: '1.1', path: '/a', query: '', headers: ['Host', 'x', ...headers] },
  };
}

describe('converters give the answers HAProxy gave', () => {
  for (const c of CONVERTER_CASES) {
    it(c.name, () => {
      expect(compileRuleFormat(c.fmt, { proxy: '' })(context(c.headers))).toBe(c.expect);
    });
  }
});

describe('converter helpers read and print as HAProxy does', () => {
  it('formats numbers like printf %g', () => {
    expect([0.5, 100000, 1000000, 0.0001, 0.00001234, -12.5, 1e300, 123456.7].map(formatG)).toEqual(['0.5', '100000', '1e+06', '0.0001', '1.234e-05', '-12.5', '1e+300', '123457']);
  });
  it('reads masks as str2mask/str2mask6 do: dotted or bits up to 32, IPv6 form or bits up to 128', () => {
    expect([parseMask4('24'), parseMask4('255.255.0.0'), parseMask4('33'), parseMask4('x')]).toEqual([0xffffff00, 0xffff0000, null, null]);
    expect(parseMask6('129')).toBeNull();
    expect(Array.from(parseMask6('20')!)).toEqual([0xffff, 0xf000, 0, 0, 0, 0, 0, 0]);
  });
});

describe('a fetch or converter HAProxy has and the engine lacks', () => {
  it('parses with HAProxy arguments and gives no sample at run time; a name HAProxy lacks stays unknown', async () => {
    const { compileSampleExpr } = await import('../../../proxy/sample/sample-expr.ts');
    const notes = new Set<string>();
    expect(compileRuleFormat('[%[str(x),jwt_header_query]][%[cpu_calls]][%[str(x),lower]]', { proxy: '', notes })(context())).toBe('[][][x]');
    expect([...notes].sort()).toEqual(["converter 'jwt_header_query'", "fetch method 'cpu_calls'"]);
    expect(compileSampleExpr('str(x),xxh33', { proxy: '' })).toEqual({ error: "unknown converter 'xxh33'" });
    expect(compileSampleExpr('str(x),xxh3(a)', { proxy: '' })).toEqual({ error: "invalid arg 1 in converter 'xxh3' : failed to parse 'a' as type 'integer' at position 1" });
  });
});
