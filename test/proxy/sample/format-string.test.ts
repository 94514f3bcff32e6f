// One format-string compiler for header values, request-line rewrites and log-format lines; each place says which
// variables it has and how an absent sample prints.
import { describe, expect, it } from 'vitest';
import { compileFormat, compileRuleFormat, type FormatPlace } from '../../../proxy/sample/format-string.ts';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { frontend, messages, load, model, proxyConfig } from '../config/config-helpers.ts';

const ctx: SampleContext = {
  src: '127.0.0.9', srcPort: 40001, dst: '127.0.0.1', dstPort: 8080,
  req: { method: 'GET', uri: '/a?b=1', version: '1.1', path: '/a', query: 'b=1', headers: ['Host', 'example'] },
};

const LOG: FormatPlace<SampleContext> = { vars: { ci: (c) => c.src, ts: () => 'ts', tsc: () => 'tsc' }, sampleContext: (c) => c, logLine: true };

describe('format strings in rules', () => {
  it('fills %ci %cp %fi %fp and %[samples], and an absent sample is empty', () => {
    expect(compileRuleFormat('%ci:%cp -> %fi:%fp %[req.hdr(host),upper] [%[req.hdr(none)]] %%')(ctx)).toBe('127.0.0.9:40001 -> 127.0.0.1:8080 EXAMPLE [] %');
  });

  it('keeps what is not a variable or a parsable sample as literal text', () => {
    expect(compileRuleFormat('100% %zz %[nosuchfetch] %{+Q}x')(ctx)).toBe('100% %zz %[nosuchfetch] %{+Q}x');
  });
});

describe('format strings in log lines', () => {
  it('prints an absent or empty sample as "-", or "" when quoted, and quotes values with +Q', () => {
    expect(compileFormat('%[req.hdr(none)] %{+Q}[req.hdr(none)] %[str()] %{+Q}[path] %{+Q}ci', LOG)(ctx)).toBe('- "" - "/a" "127.0.0.9"');
  });

  it('takes the longest known variable name and unescapes backslashes', () => {
    expect(compileFormat('%tsc %ts %tsx a\\"b', LOG)(ctx)).toBe('tsc ts tsx a"b');
  });

  it('refuses an unknown variable when it is compiled, naming it', () => {
    expect(() => compileFormat('%ci %Zz', LOG)).toThrow("unknown log-format variable '%Zz'");
  });
});

describe('compiled when the config loads', () => {
  it('gives rules and proxies their compiled formats, and a malformed log-format is a load error', () => {
    const m = model(proxyConfig(['http-request set-header X-Client %ci', 'log-format "%ci %ft"']));
    const fe = frontend(m, 'f');
    const rule = fe.httpRequestRules[0]!;
    expect(rule.action === 'set-header' && rule.format(ctx)).toBe('127.0.0.9');
    expect(typeof fe.logFormatter).toBe('function');
    expect(messages(load(proxyConfig(['log-format "%ci %Zz"']))).join('\n')).toContain("failed to parse log-format : no such format variable 'Zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'.");
  });
});
