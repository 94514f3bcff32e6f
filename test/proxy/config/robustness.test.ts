// Whatever the text, loading it reports diagnostics and never throws: an editor buffer is often half-typed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { load } from './config-helpers.ts';

const WORDS = [
  'global', 'defaults', 'frontend', 'backend', 'listen', 'f', 'b', 'from', 'bind', ':80', '*:8080', '127.0.0.1:1', 'server', 's1',
  'weight', '2', 'check', 'inter', '5x', 'mode', 'http', 'tcp', 'balance', 'roundrobin', 'uri', 'len', 'hdr(host)', 'random(',
  'acl', 'a', 'path_beg', '/x', 'use_backend', 'if', 'unless', '!a', '{', '}', 'or', 'http-request', 'deny', 'deny_status',
  'redirect', 'location', 'code', 'return', 'status', 'string', 'tcp-request', 'connection', 'content', 'inspect-delay', 'timeout',
  'client', 'option', 'no', 'httplog', 'forwardfor', 'except', 'log', 'global', 'stdout', 'local0', 'format', 'raw', 'stats',
  'socket', 'default-server', 'default_backend', '.if', '.endif', '.else', '"', "'", '\\', '#', '${X}', '"${X', 'http-check',
  'expect', 'send', 'meth', 'errorfile', '503', 'maxconn', 'retries', 'hash-type', 'consistent', 'id', '0', '-1', '',
];

const line = fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 })), { maxLength: 8 }).map((ws) => ws.join(' '));
const text = fc.array(fc.tuple(fc.constantFrom('', '    '), line), { maxLength: 25 }).map((ls) => ls.map(([i, l]) => i + l).join('\n'));

describe('robustness', () => {
  it('never throws, and every diagnostic with a place points at a line of the text', () => {
    fc.assert(
      fc.property(text, (t) => {
        const r = load(t);
        const lines = t.split('\n').length;
        for (const d of r.diagnostics) {
          if (d.loc) expect(d.loc.line).toBeGreaterThanOrEqual(1);
          if (d.loc) expect(d.loc.line).toBeLessThanOrEqual(lines);
        }
        expect(r.model === null).toBe(r.diagnostics.some((d) => d.severity === 'alert'));
      }),
      { numRuns: 400 },
    );
  });
});
