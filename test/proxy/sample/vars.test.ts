// Variables: name parsing as HAProxy words its errors, scope reachability and the req/res switch, typed values
// through var(), the arithmetic converters (values recorded from haproxy 2.6.12) and the set-var converter.
import { describe, expect, it } from 'vitest';
import { compileSampleExpr } from '../../../proxy/sample/sample-expr.ts';
import { getVar, parseVarName, setVar, VarStore, type VarSet } from '../../../proxy/sample/vars.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';

function ctxWith(vars: VarSet): SampleContext {
  return { src: '127.0.0.1', srcPort: 1, dst: '127.0.0.1', dstPort: 2, vars };
}

function expr(text: string) {
  const e = compileSampleExpr(text, { proxy: 'f' });
  if ('error' in e) throw new Error(e.error);
  return e;
}

describe('variable names', () => {
  it('takes the scope from the prefix', () => {
    expect(parseVarName('txn.a.b')).toEqual({ scope: 'txn', name: 'a.b' });
    expect(parseVarName('proc.x')).toEqual({ scope: 'proc', name: 'x' });
  });

  it('refuses a name without a known scope, or with nothing after it, in haproxy words', () => {
    expect(parseVarName('foo')).toEqual({ error: expect.stringContaining("invalid variable name 'foo'. A variable name must be start by its scope") });
    expect(parseVarName('txn.')).toEqual({ error: expect.stringContaining("invalid variable name 'txn.'") });
    expect(parseVarName('')).toEqual({ error: 'Empty variable name cannot be accepted' });
  });

  it('quotes the rest of the word from the bad character on', () => {
    expect(parseVarName('txn.a-b', ')')).toEqual({ error: "invalid syntax at char '-b)'" });
  });
});

describe('scopes', () => {
  it('keeps req and res variables apart: a res variable cannot be set while the store is on the request side', () => {
    const reqres = new VarStore('req');
    const set: VarSet = { proc: new VarStore('proc'), reqres };
    expect(setVar(set, { scope: 'res', name: 'a' }, 'x')).toBe(false);
    expect(setVar(set, { scope: 'req', name: 'a' }, 'y')).toBe(true);
    reqres.clear();
    reqres.scope = 'res';
    expect(getVar(set, { scope: 'req', name: 'a' })).toBeUndefined();
    expect(setVar(set, { scope: 'res', name: 'a' }, 'z')).toBe(true);
    expect(getVar(set, { scope: 'res', name: 'a' })).toBe('z');
  });

  it('gives nothing for a scope the context does not reach', () => {
    expect(getVar({ proc: new VarStore('proc') }, { scope: 'txn', name: 'a' })).toBeUndefined();
    expect(getVar(undefined, { scope: 'proc', name: 'a' })).toBeUndefined();
  });
});

describe('var() and the converters', () => {
  const vars = (): VarSet => ({ proc: new VarStore('proc'), sess: new VarStore('sess'), txn: new VarStore('txn'), reqres: new VarStore('req') });

  it('keeps an int an int, so add() and the string cast see a number', () => {
    const v = vars();
    const ctx = ctxWith(v);
    v.txn!.set('n', 41);
    expect(expr('var(txn.n),add(1)').evaluateSample(ctx)).toBe(42);
    expect(expr('var(txn.n),add(1)').evaluate(ctx)).toBe('42');
  });

  it('gives the default as a string when the variable is not set', () => {
    expect(expr('var(txn.none,7)').evaluateSample(ctxWith(vars()))).toBe('7');
    expect(expr('var(txn.none)').evaluate(ctxWith(vars()))).toBeUndefined();
  });

  it('does arithmetic as haproxy: integer division, a zero modulus, a variable operand, an unset one failing', () => {
    const v = vars();
    const ctx = ctxWith(v);
    v.txn!.set('d', 4);
    expect(expr('int(7),div(2)').evaluate(ctx)).toBe('3');
    expect(expr('int(-7),div(2)').evaluate(ctx)).toBe('-3');
    expect(expr('int(7),mod(0)').evaluate(ctx)).toBe('0');
    expect(expr('int(7),mul(txn.d),sub(3),neg').evaluate(ctx)).toBe('-25');
    expect(expr('int(7),add(txn.unset)').evaluate(ctx)).toBeUndefined();
  });

  it('stores the sample on the way with set-var and hands it on unchanged', () => {
    const v = vars();
    const ctx = ctxWith(v);
    expect(expr('str(abc),set-var(txn.s),upper').evaluate(ctx)).toBe('ABC');
    expect(v.txn!.get('s')).toBe('abc');
    expect(expr('int(3),set-var(sess.i)').evaluateSample(ctx)).toBe(3);
    expect(v.sess!.get('i')).toBe(3);
  });

  it('refuses a converter argument that is neither an integer nor a variable name', () => {
    expect(compileSampleExpr('int(1),add(foo)', { proxy: 'f' })).toEqual({ error: expect.stringContaining("invalid args in converter 'add' : invalid variable name 'foo'") });
  });
});
