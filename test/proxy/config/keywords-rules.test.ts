import { describe, expect, it } from 'vitest';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import { backend, DEFAULTS, frontend, load, messages, model, proxyConfig } from './config-helpers.ts';

// A rule's data as written; its compiled format string is checked by running it (below).
const withoutFormat = (rule: object): object => {
  const { format: _format, ...data } = rule as { format?: unknown };
  return data;
};

function request(path: string, method = 'GET', src = '127.0.0.1'): SampleContext {
  const [p, q] = path.split('?');
  return {
    src, srcPort: 40000, dst: '127.0.0.1', dstPort: 8000,
    req: { method, uri: path, version: '1.1', path: p!, query: q ?? null, headers: ['Host', 'x'] },
  };
}

describe('acl and use_backend', () => {
  it('compiles use_backend conditions through the ACL module, in order', () => {
    const m = model(proxyConfig(['acl is_static path_beg /static', 'acl is_post method POST', 'use_backend b if is_static', 'use_backend b unless is_post']));
    const rules = frontend(m, 'f').useBackends;
    expect(rules.map((r) => [r.backend, r.cond?.polarity, r.cond?.text, r.loc.line, r.text])).toEqual([
      ['b', 'if', 'is_static', 10, 'use_backend b if is_static'],
      ['b', 'unless', 'is_post', 11, 'use_backend b unless is_post'],
    ]);
    expect(rules[0]!.cond!.test(request('/static/a.css'))).toBe(true);
    expect(rules[0]!.cond!.test(request('/index.html'))).toBe(false);
  });

  it('needs an ACL declared before the rule that uses it, as HAProxy does', () => {
    const r = load(proxyConfig(['use_backend b if later', 'acl later path /x']));
    expect(messages(r)).toEqual(["8: error detected while parsing switching rule : no such ACL : 'later'."]);
  });

  it('refuses a rule word other than if/unless and a missing backend name', () => {
    expect(messages(load(proxyConfig(['use_backend b when x', 'use_backend'])))).toEqual([
      "8: unexpected keyword 'when' after switching rule, only 'if' and 'unless' are allowed.",
      "9: 'use_backend' expects a backend name.",
    ]);
  });

  it('passes ACL errors through with their wording', () => {
    expect(messages(load(proxyConfig(['acl x path_bex /a'])))).toEqual([
      "8: error detected while parsing ACL 'x' : unknown fetch method 'path_bex' in ACL expression 'path_bex'.",
    ]);
  });

  it('does not let a proxy use an ACL of its defaults section', () => {
    const r = load(`defaults web\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n    acl x path /x\nfrontend f from web\n    bind 127.0.0.1:8000\n    http-request deny if x\n`);
    expect(messages(r)).toEqual(["9: error detected while parsing an 'http-request deny' condition : no such ACL : 'x'."]);
  });
});

describe('http-request', () => {
  it('reads deny, allow, tarpit, redirect, return and header actions with their defaults', () => {
    const m = model(proxyConfig([
      'http-request allow if { src 127.0.0.9 }',
      'http-request deny if { path /a }',
      'http-request deny deny_status 429 if { path /b }',
      'http-request tarpit if { path /c }',
      'http-request redirect location /new code 301 drop-query append-slash if { path /d }',
      'http-request redirect scheme https if { path /e }',
      'http-request return status 200 content-type text/plain string "ok" if { path /f }',
      'http-request set-header X-A "a b"',
      'http-request add-header X-B %[src]',
      'http-request del-header X-C',
    ]));
    const rules = frontend(m, 'f').httpRequestRules.map(({ cond, loc, text, ...rest }) => withoutFormat(rest));
    expect(rules).toEqual([
      { action: 'allow' },
      { action: 'deny', reply: { kind: 'errmsg', status: 403 } },
      { action: 'deny', reply: { kind: 'errmsg', status: 429 } },
      { action: 'tarpit', reply: { kind: 'errmsg', status: 500 } },
      { action: 'redirect', type: 'location', value: '/new', code: 301, dropQuery: true, appendSlash: true, ignoreEmpty: false },
      { action: 'redirect', type: 'scheme', value: 'https', code: 302, dropQuery: false, appendSlash: false, ignoreEmpty: false },
      { action: 'return', reply: { kind: 'payload', status: 200, contentType: 'text/plain', headers: [], body: Buffer.from('ok') } },
      { action: 'set-header', name: 'X-A', value: 'a b' },
      { action: 'add-header', name: 'X-B', value: '%[src]' },
      { action: 'del-header', name: 'X-C', match: 'str' },
    ]);
    const deny = frontend(m, 'f').httpRequestRules[1]!;
    expect(deny.cond!.test(request('/a'))).toBe(true);
    expect(deny.text).toBe('http-request deny if { path /a }');
  });

  it('compiles negations and AND-ed ACLs (the EP 4 admin example)', () => {
    const m = model(proxyConfig(['acl is_admin_path path_beg /admin', 'acl is_internal_network src 127.0.0.0/24', 'http-request deny if is_admin_path !is_internal_network']));
    const c = frontend(m, 'f').httpRequestRules[0]!.cond!;
    expect(c.test(request('/admin', 'GET', '127.0.1.5'))).toBe(true);
    expect(c.test(request('/admin', 'GET', '127.0.0.5'))).toBe(false);
    expect(c.test(request('/home', 'GET', '127.0.1.5'))).toBe(false);
  });

  it('refuses bad statuses, codes and arguments with HAProxy wording', () => {
    const r = load(proxyConfig([
      'http-request deny deny_status abc',
      'http-request deny deny_status 599',
      'http-request redirect',
      'http-request redirect location',
      'http-request redirect location /x code 305',
      'http-request return status 999',
      'http-request return status 200 lf-string %T',
      'http-request set-header X',
      'http-request del-header',
      'http-request allow foo',
      'http-request deny if nosuch',
    ]));
    expect(messages(r)).toEqual([
      "8: error detected in frontend 'f' while parsing 'http-request deny' rule : Unexpected status code '0'.",
      "9: error detected in frontend 'f' while parsing 'http-request deny' rule : status code '599' not handled by default with 'default-errorfiles' argument..",
      "10: error detected in frontend 'f' while parsing 'http-request redirect' rule : redirection type expected ('prefix', 'location', or 'scheme').",
      "11: error detected in frontend 'f' while parsing 'http-request redirect' rule : missing argument for 'location'.",
      "12: error detected in frontend 'f' while parsing 'http-request redirect' rule : 'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307 or 308).",
      "13: error detected in frontend 'f' while parsing 'http-request return' rule : Unexpected status code '999'.",
      "14: error detected in frontend 'f' while parsing 'http-request return' rule : a content type must be defined with a log-format payload.",
      "15: error detected in frontend 'f' while parsing 'http-request set-header' rule : expects exactly 2 arguments.",
      "16: error detected in frontend 'f' while parsing 'http-request del-header' rule : expects at least 1 argument.",
      "17: 'http-request allow' expects either 'if' or 'unless' followed by a condition but found 'foo'.",
      "18: error detected while parsing an 'http-request deny' condition : no such ACL : 'nosuch'.",
    ]);
  });

  it('suggests the closest action for a misspelt one', () => {
    const [msg] = messages(load(proxyConfig(['http-request dney'])));
    expect(msg).toMatch(/^8: 'http-request' expects 'wait-for-handshake', .* but got 'dney'\. Did you mean 'deny' maybe \?$/);
  });

  it("rejects bad reply arguments with haproxy -c's words (recorded from HAProxy 2.6.12)", () => {
    const r = load(proxyConfig([
      'http-request return status 200 hdr',
      'http-request return status 200 content-type text/plain file /nonexistent/body',
      'http-request return errorfile /nonexistent/page',
      'http-request return status 200 content-type text/plain string a file /etc/hostname',
      'http-request return status 204 content-type text/plain string a',
      'http-request return status 302 default-errorfiles',
      'http-request return content-type text/plain lf-string "%[nosuchfetch]"',
      'http-request return status 200 string a',
      'http-request return status 200 lf-string a',
      'http-request return status 200 content-type text/plain string ""',
    ]));
    expect(messages(r)).toEqual([
      "8: error detected in frontend 'f' while parsing 'http-request return' rule : 'hdr' expects <name> and <value> as arguments.",
      "9: error detected in frontend 'f' while parsing 'http-request return' rule : error opening file '/nonexistent/body'..",
      "10: error detected in frontend 'f' while parsing 'http-request return' rule : error opening file '/nonexistent/page'..",
      "11: error detected in frontend 'f' while parsing 'http-request return' rule : unexpected 'file' argument, 'string' already defined.",
      "12: error detected in frontend 'f' while parsing 'http-request return' rule : No body expected for 204 responses.",
      "13: error detected in frontend 'f' while parsing 'http-request return' rule : status code '302' not handled by default with 'default-errorfiles' argument..",
      "14: error detected in frontend 'f' while parsing 'http-request return' rule : failed to parse sample expression <nosuchfetch]> : unknown fetch method 'nosuchfetch'.",
      "15: error detected in frontend 'f' while parsing 'http-request return' rule : a content type must be defined when non-empty payload is configured.",
      "16: error detected in frontend 'f' while parsing 'http-request return' rule : a content type must be defined with a log-format payload.",
      "17: error detected in frontend 'f' while parsing 'http-request return' rule : 'string' expects <str> as argument.",
    ]);
  });

  it('warns, as HAProxy does, about reply headers and a content type it ignores', () => {
    const r = load(proxyConfig(['http-request return status 200 hdr content-length 3 if { path /a }', 'http-request return status 200 content-type text/plain']));
    expect(messages(r, 'warning')).toEqual([
      "8: header 'content-length' always ignored by the http reply.",
      "9: content-type 'text/plain' ignored by the http reply because neither errorfile nor payload defined.",
    ]);
  });

  it('keeps deny_status as the error page but makes status alone an empty answer', () => {
    const rules = frontend(model(proxyConfig(['http-request deny deny_status 503 if { path /a }', 'http-request deny status 503 if { path /b }'])), 'f').httpRequestRules;
    expect(rules.map((r) => ('reply' in r ? r.reply : null))).toEqual([
      { kind: 'errmsg', status: 503 },
      { kind: 'payload', status: 503, headers: [], body: Buffer.alloc(0) },
    ]);
  });

  it("reads the standalone redirect keyword, with haproxy -c's errors and misplacement warnings", () => {
    const m = model(proxyConfig(['redirect prefix /v2 code 301 drop-query if { path_beg /api }']));
    expect(frontend(m, 'f').redirectRules.map(({ cond, loc, text, ...r }) => r)).toEqual([
      { action: 'redirect', type: 'prefix', value: '/v2', code: 301, dropQuery: true, appendSlash: false, ignoreEmpty: false },
    ]);
    const bad = load(proxyConfig([
      'redirect',
      'redirect foo /x',
      'redirect location',
      'redirect location /x code 300',
      'redirect location /x if nosuch',
    ]));
    expect(messages(bad)).toEqual([
      "8: error detected in frontend 'f' while parsing redirect rule : redirection type expected ('prefix', 'location', or 'scheme').",
      "9: error detected in frontend 'f' while parsing redirect rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo').",
      "10: error detected in frontend 'f' while parsing redirect rule : missing argument for 'location'.",
      "11: error detected in frontend 'f' while parsing redirect rule : 'code': unsupported HTTP code '300' (must be one of 301, 302, 303, 307 or 308).",
      "12: error detected in frontend 'f' while parsing redirect rule : error in condition: no such ACL : 'nosuch'.",
    ]);
    const misplaced = load(proxyConfig(['use_backend b if { path /u }', 'redirect location /x if { path /a }', 'http-request deny if { path /b }']));
    expect(messages(misplaced, 'warning')).toEqual([
      "9: a 'redirect' rule placed after a 'use_backend' rule will still be processed before.",
      "10: a 'http-request' rule placed after a 'redirect' rule will still be processed before.",
    ]);
  });

  it('warns that rules after an unconditional final action are never reached', () => {
    expect(messages(load(proxyConfig(['http-request deny', 'http-request allow'])), 'warning')).toEqual([
      "9: previous 'http-request' action is final and has no condition attached, further entries are NOOP.",
    ]);
  });

  it('warns about valid actions the lab does not run', () => {
    const r = load(proxyConfig(['http-request set-var(txn.x) str(a)', 'http-request capture req.hdr(Host) len 10', 'http-request set-log-level err']));
    // set-var and capture run now (test/parity/variables.test.ts, test/parity/captures.test.ts)
    expect(messages(r, 'warning')).toEqual(["10: 'http-request set-log-level' is not supported by HAProxy Lab yet and is ignored."]);
    expect(model(proxyConfig(['http-request set-var(txn.x) str(a)'])).frontends[0]!.httpRequestRules[0]).toMatchObject({ action: 'set-var', variable: { scope: 'txn', name: 'x' } });
  });

  it('is refused in an anonymous defaults section but runs first from a named one', () => {
    expect(messages(load(`${DEFAULTS}    http-request deny\n`))).toEqual(["6: 'http-request' not allowed in anonymous 'defaults' section."]);
    const m = model(`backend b\n    mode http\n    server s 127.0.0.1:1\ndefaults web\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n    http-request set-header X-From defaults\nfrontend f from web\n    bind 127.0.0.1:8000\n    http-request set-header X-From frontend\n    default_backend b\n`);
    expect(frontend(m, 'f').httpRequestRules.map((r) => r.loc.line)).toEqual([9, 12]);
  });
});

describe('http-response and tcp-request', () => {
  it('reads http-response header actions and deny (502 by default)', () => {
    const m = model(proxyConfig([], ['http-response set-header X-Server s1', 'http-response del-header Server', 'http-response deny if { src 127.0.0.66 }', 'server s 127.0.0.1:1']));
    expect(backend(m, 'b').httpResponseRules.map(({ cond, loc, text, ...r }) => withoutFormat(r))).toEqual([
      { action: 'set-header', name: 'X-Server', value: 's1' },
      { action: 'del-header', name: 'Server', match: 'str' },
      { action: 'deny', reply: { kind: 'errmsg', status: 502 } },
    ]);
  });

  it('reads tcp-request connection/content rules and inspect-delay', () => {
    const m = model(`${DEFAULTS}frontend f\n    mode tcp\n    bind 127.0.0.1:8000\n    tcp-request inspect-delay 5s\n    tcp-request connection reject if { src 127.0.0.66 }\n    tcp-request content accept if { req.len gt 0 }\n    default_backend b\nbackend b\n    mode tcp\n    server s 127.0.0.1:1\n`);
    const f = frontend(m, 'f');
    expect(f.tcpInspectDelay).toBe(5000);
    expect(f.tcpRequestRules.map((r) => [r.stage, r.action, r.cond?.text])).toEqual([
      ['connection', 'reject', '{ src 127.0.0.66 }'],
      ['content', 'accept', '{ req.len gt 0 }'],
    ]);
  });

  it('refuses bad tcp-request lines with HAProxy wording', () => {
    const r = load(proxyConfig(['tcp-request', 'tcp-request foo', 'tcp-request inspect-delay', 'tcp-request connection accept foo'], ['tcp-request connection reject', 'server s 127.0.0.1:1']));
    expect(messages(r)).toEqual([
      "8: missing argument for 'tcp-request' in frontend 'f'",
      "9: 'tcp-request' expects 'inspect-delay', 'connection', or 'content' in frontend 'f' (got 'foo')",
      "10: 'tcp-request inspect-delay' expects a positive delay in milliseconds, in frontend 'f'",
      "11: 'tcp-request connection accept' only accepts 'if' or 'unless', in frontend 'f' (got 'foo')",
      '14: tcp-request connection is not allowed because backend b is not a frontend',
    ]);
  });
});
