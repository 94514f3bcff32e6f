import { describe, expect, it } from 'vitest';
import { evalCondition } from '../../../proxy/config/directives.ts';
import { DEFAULTS, load, messages, model } from './config-helpers.ts';

describe('.if conditions', () => {
  const env = { HOME: '/root', EMPTY: '' };
  it('evaluates numbers, predicates, negation, && and || with HAProxy precedence', () => {
    expect(evalCondition('1', env)).toBe(true);
    expect(evalCondition('0', env)).toBe(false);
    expect(evalCondition('', env)).toBe(false);
    expect(evalCondition('defined(HOME)', env)).toBe(true);
    expect(evalCondition('defined(EMPTY)', env)).toBe(true);
    expect(evalCondition('!defined(NOPE)', env)).toBe(true);
    expect(evalCondition('streq(a,b) || strneq(a,b) && 1', env)).toBe(true);
    expect(evalCondition('(streq(a,b) || 1) && 0', env)).toBe(false);
    expect(evalCondition('version_atleast(2.4) && version_before(2.7) && feature(OPENSSL)', env)).toBe(true);
    expect(evalCondition('version_atleast(2.8)', env)).toBe(false);
  });

  it('refuses what HAProxy cannot parse', () => {
    expect(() => evalCondition('(1', env)).toThrow("expected ')' after conditional expression '(1'");
    expect(() => evalCondition('foo(1)', env)).toThrow("unparsable conditional expression 'foo(1)'");
    expect(() => evalCondition('1 x', env)).toThrow("unexpected character 'x' at the end of conditional expression '1 x'");
  });
});

describe('.if blocks and message directives', () => {
  it('keeps only the taken branch of .if/.elif/.else, nested', () => {
    const text = `${DEFAULTS}listen l\n    bind 127.0.0.1:8000\n.if defined(LAB)\n    server a 127.0.0.1:1\n.elif 1\n    .if 0\n    server b 127.0.0.1:2\n    .else\n    server c 127.0.0.1:3\n    .endif\n.else\n    server d 127.0.0.1:4\n.endif\n`;
    const names = (env: Record<string, string>) => load(text, env).model!.frontends[0]!.servers.map((s) => s.name);
    expect(names({ LAB: '1' })).toEqual(['a']);
    expect(names({})).toEqual(['c']);
  });

  it('prints .notice, .warning and .alert messages, and .alert refuses the config', () => {
    const r = load(`.notice "hello"\n.warning "careful"\n${DEFAULTS}.alert "stop"\n`);
    expect(r.diagnostics.map((d) => [d.severity, d.loc!.line, d.message])).toEqual([
      ['notice', 1, "'hello'."],
      ['warning', 2, "'careful'."],
      ['alert', 8, "'stop'."],
    ]);
    expect(r.model).toBeNull();
  });

  it('reports unbalanced blocks and unknown directives', () => {
    expect(messages(load('.endif\n.else\n.bogus\n.warning a b\n.if 1 x\n.if 1\n'))).toEqual([
      "1: lone '.endif' with no matching '.if'.",
      "2: lone '.else' with no matching '.if'.",
      "3: unknown directive '.bogus'.",
      "4: Unexpected argument 'b' for '.warning'. Use quotes if the message should contain spaces.",
      "5: unexpected character 'x' at the end of conditional expression '1 x' in '.if' at position 3:\n  .if 1 x\n        ^",
      "6: non-terminated '.if' block.",
    ]);
  });

  it('leaves the model alone when no directive is used', () => {
    expect(model(`${DEFAULTS}listen l\n    bind 127.0.0.1:8000\n    server a 127.0.0.1:1\n`).frontends[0]!.servers).toHaveLength(1);
  });
});
