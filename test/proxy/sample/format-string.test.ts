// One format-string compiler for every place (parse_logformat_string): the parse and its alerts are the same
// everywhere; each place brings its variables and options (mandatory '-', merged spaces, HTTP encoding).
import { describe, expect, it } from 'vitest';
import { compileFormat, FormatError, type FormatPlace } from '../../../proxy/sample/format-string.ts';
import { compileRuleFormat, PLAIN_FORMAT } from '../../../proxy/sample/rule-format.ts';
import { textVar } from '../../../proxy/sample/format-vars.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { frontend, messages, load, model, proxyConfig } from '../config/config-helpers.ts';

const ctx: SampleContext = {
  src: '127.0.0.9', srcPort: 40001, dst: '127.0.0.1', dstPort: 8080,
  frontend: { name: 'fe', id: 1 },
  req: { method: 'GET', uri: '/a?b=1', version: '1.1', path: '/a', query: 'b=1', headers: ['Host', 'example'] },
};

const LOG: FormatPlace<SampleContext> = {
  name: 'tests', vars: { ci: textVar((c) => c.src), ts: () => 'ts', tsc: () => 'tsc' }, sampleContext: (c) => c, mandatory: true, mergeSpaces: true, http: false,
};
const scope = { proxy: 'fe' };

describe('format strings in rules', () => {
  it('fills %ci %cp %fi %fp, names and the request, and %[samples]; an absent sample is empty', () => {
    expect(compileRuleFormat('%ci:%cp -> %fi:%fp %[req.hdr(host),upper] [%[req.hdr(none)]] %%', scope)(ctx)).toBe('127.0.0.9:40001 -> 127.0.0.1:8080 EXAMPLE [] %');
    expect(compileRuleFormat('%f %b %s|%HM %HU %HP %HQ %HV|%{+Q}r', scope)(ctx)).toBe('fe fe <NOSRV>|GET /a?b=1 /a ?b=1 HTTP/1.1|"GET /a?b=1 HTTP/1.1"');
  });

  it('keeps spaces as written, quotes variables with +Q but never HTTP samples, and writes hex with +X', () => {
    expect(compileRuleFormat('%{+Q}o  %ci %{+Q}[src] %{-Q,+X}ci:%{+X}cp', scope)(ctx)).toBe('  "127.0.0.9" 127.0.0.9 7F000009:9C41');
  });

  it('quotes samples with +Q where the place is not HTTP (set-var-fmt), and an absent one is ""', () => {
    expect(compileRuleFormat('%{+Q}[src] %{+Q}[req.hdr(none)] %[req.hdr(none)].', scope, PLAIN_FORMAT)(ctx)).toBe('"127.0.0.9" "" .');
  });

  it('refuses what HAProxy refuses, with its messages', () => {
    const refused = (fmt: string) => {
      try {
        compileRuleFormat(fmt, scope);
      } catch (err) {
        expect(err).toBeInstanceOf(FormatError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(refused('%zz')).toBe("no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'");
    expect(refused('50%')).toBe("truncated line after '%'");
    expect(refused('% x')).toBe("unexpected variable name near ' ' at position 1 line : '% x'. Maybe you want to write a single '%', use the syntax '%%'");
    expect(refused('%[src')).toBe("missing ']' after 'src'");
    expect(refused('%[nosuch]')).toBe("failed to parse sample expression <nosuch]> : unknown fetch method 'nosuch'");
    expect(refused('%{+Q}')).toBe("parse argument modifier without variable name near '%{+Q}'");
    expect(refused('%Tw %ID %[src]')).toBe('accepted');
  });

  it('notes a variable HAProxy fills there and the engine does not, and prints it as absent', () => {
    const notes = new Set<string>();
    expect(compileRuleFormat('[%Tw]', { proxy: 'fe', notes })(ctx)).toBe('[]');
    expect([...notes]).toEqual(["log-format variable '%Tw' in HTTP rules"]);
  });
});

describe('format strings in log lines', () => {
  it('prints an absent or empty sample as "-", or "" when quoted, and quotes values with +Q', () => {
    expect(compileFormat('%[req.hdr(none)] %{+Q}[req.hdr(none)] %[str()] %{+Q}[path] %{+Q}ci', LOG, scope)(ctx)).toBe('- "" - "/a" "127.0.0.9"');
  });

  it('reads exact variable names, merges spaces, and keeps backslashes as written', () => {
    expect(compileFormat('  %tsc   %ts a\\"b', LOG, scope)(ctx)).toBe('tsc ts a\\"b');
    expect(() => compileFormat('%tsx', LOG, scope)).toThrow("no such format variable 'tsx'");
  });
});

describe('compiled when the config loads', () => {
  it('gives rules and proxies their compiled formats, and a malformed format is a load error at its line', () => {
    const m = model(proxyConfig(['http-request set-header X-Client %ci', 'log-format "%ci %ft"']));
    const fe = frontend(m, 'f');
    const rule = fe.httpRequestRules[0]!;
    expect(rule.action === 'set-header' && rule.format(ctx)).toBe('127.0.0.9');
    expect(typeof fe.logFormatter).toBe('function');
    expect(messages(load(proxyConfig(['log-format "%ci %Zz"']))).join('\n')).toContain("failed to parse log-format : no such format variable 'Zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'.");
    expect(messages(load(proxyConfig(['http-request set-header X "%zz"']))).join('\n')).toContain("while parsing 'http-request set-header' rule : no such format variable 'zz'.");
  });
});
