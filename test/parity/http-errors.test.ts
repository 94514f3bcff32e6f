// http-errors sections, `errorfiles NAME [CODE...]` and `http-error status N ...` against real HAProxy 2.6: the
// declarations of a proxy apply in order (a later one replaces an earlier one's page), defaults are inherited,
// and every answer of the proxy's own uses them (deny, tarpit's page, a 503 without a server, a 504). Also
// http-after-response rules on errorfile pages and on http-response return replies.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth } from '../helpers/config-check.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';
import { serveOnLoopback, type TestServer } from '../helpers/raw-http.ts';

const page = (code: number, text: string) => `HTTP/1.1 ${code} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`;

const CONFIG = (dir: string, port: number) => `
global
    log stdout format raw local0
http-errors site
    errorfile 403 ${dir}/403-site.http
    errorfile 503 ${dir}/503-site.http
    errorfile 504 ${dir}/504-site.http
http-errors other
    errorfile 403 ${dir}/403-other.http
defaults
    log global
    option httplog
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 300ms
    errorfiles site 503
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request deny if { path /deny }
    http-request tarpit if { path /tarpit }
    timeout tarpit 50ms
    use_backend none if { path /none }
    use_backend slow if { path /slow }
    use_backend ret if { path /ret }
    default_backend be
frontend all
    bind 127.0.0.1:{{port1}}
    errorfiles site
    errorfile 403 ${dir}/403-own.http
    http-request deny if { path /deny }
    use_backend none if { path /none }
    default_backend slow
frontend later
    bind 127.0.0.1:{{port2}}
    errorfile 403 ${dir}/403-own.http
    errorfiles other
    http-error status 503 content-type text/plain lf-string "no server for %[path]" hdr X-Err %[method]
    http-error status 504 errorfiles site
    http-request deny if { path /deny }
    use_backend none if { path /none }
    default_backend slow
frontend after
    bind 127.0.0.1:{{port3}}
    errorfile 403 ${dir}/403-own.http
    http-request deny if { path /deny }
    http-request deny errorfile ${dir}/403-other.http if { path /deny-file }
    http-after-response set-header X-After yes
    http-after-response set-status 299 if { status 403 }
    use_backend ret if { path /ret }
    default_backend none
frontend h1
    bind 127.0.0.1:{{port4}}
    timeout http-request 300ms
    errorfile 400 ${dir}/400-own.http
    errorfile 408 ${dir}/408-own.http
    default_backend be
backend be
    server s1 127.0.0.1:${port}
backend none
backend slow
    server s1 127.0.0.1:${port}
backend ret
    http-response return status 202 content-type text/plain string returned
    server s1 127.0.0.1:${port}
`;

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;
const CASES: RawCase[] = [
  { name: 'a deny keeps the built-in page when only errorfiles site 503 is inherited', send: get('/deny') },
  { name: 'a 503 without a server takes the section page inherited from defaults', send: get('/none') },
  { name: 'a tarpit 500 is still the built-in page', send: get('/tarpit') },
  { name: 'errorfiles without codes takes every page of the section; a later errorfile wins', port: 1, send: get('/deny') },
  { name: 'a 504 takes the section page', port: 1, send: get('/slow') },
  { name: 'a later errorfiles replaces an earlier errorfile', port: 2, send: get('/deny') },
  { name: 'http-error with a log-format body and a header', port: 2, send: get('/none') },
  { name: 'http-error status 504 errorfiles site', port: 2, send: get('/slow') },
  { name: 'http-after-response rules edit an errorfile page', port: 3, send: get('/deny') },
  { name: 'http-after-response rules edit a deny errorfile reply', port: 3, send: get('/deny-file') },
  { name: 'http-after-response rules edit an http-response return reply', port: 3, send: get('/ret') },
  { name: 'http-after-response rules edit the built-in 503', port: 3, send: get('/x') },
  // haproxy 2.6.12's H1 layer answers these itself, with its built-in pages whatever the errorfiles say
  { name: 'a malformed request gets the built-in 400 despite errorfile 400', port: 4, send: 'GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n' },
  { name: 'a silent client gets the built-in 408 despite errorfile 408', port: 4, send: 'GET / HTTP/1.1\r\n', quietMs: 900 },
];

describe.skipIf(!hasHaproxy)('http-errors and http-error match real HAProxy 2.6', () => {
  let dir = '';
  let srv: TestServer;
  let expected = new Map<string, Seen>();
  let got = new Map<string, Seen>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'http-errors-'));
    for (const [code, name] of [[403, 'site'], [503, 'site'], [504, 'site'], [403, 'other'], [403, 'own'], [400, 'own'], [408, 'own']] as const) {
      writeFileSync(join(dir, `${code}-${name}.http`), page(code, `${code} from ${name}`));
    }
    // answers /slow never (the server timeout makes the 504), everything else at once
    srv = await serveOnLoopback((sock) => {
      sock.on('data', (d) => {
        if (!d.toString('latin1').startsWith('GET /slow')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    ({ expected, got } = await playThroughBoth(CONFIG(dir, srv.port), CASES, 5));
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  eachCaseAsHaproxy(CASES, () => ({ expected, got }));

  it('the comparison saw the section pages and the rules', () => {
    expect(expected.get(CASES[1]!.name)!.bytes).toContain('503 from site');
    expect(expected.get(CASES[8]!.name)!.bytes).toMatch(/^HTTP\/1\.1 299 [^]*x-after: yes\r\n[^]*403 from own$/);
    expect(expected.get(CASES[10]!.name)!.bytes).toMatch(/^HTTP\/1\.1 202 [^]*x-after: yes\r\n/);
  });
});

const HEAD = `defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
`;
const FE = `frontend fe
    bind 127.0.0.1:9
`;
const CHECKS: Record<string, string> = {
  'http-errors without a name': `http-errors\n${HEAD}${FE}`,
  'http-errors with a bad name': `http-errors a/b\n${HEAD}${FE}`,
  'two http-errors of one name': `http-errors a\nhttp-errors a\n${HEAD}${FE}`,
  'an unknown keyword in http-errors': `http-errors a\n    foo bar\n${HEAD}${FE}`,
  'errorfile without file in http-errors': `http-errors a\n    errorfile 503\n${HEAD}${FE}`,
  'errorfile of a missing file in http-errors': `http-errors a\n    errorfile 503 /nonexistent/503.http\n${HEAD}${FE}`,
  'errorfiles without name': `${HEAD}${FE}    errorfiles\n`,
  'errorfiles of an unknown section': `${HEAD}${FE}    errorfiles nosuch\n`,
  'errorfiles with an unhandled code': `http-errors a\n${HEAD}${FE}    errorfiles a 999\n`,
  'errorfiles with a code the section lacks': `http-errors a\n    errorfile 503 /etc/haproxy/errors/503.http\n${HEAD}${FE}    errorfiles a 403\n`,
  'http-error without status': `${HEAD}${FE}    http-error content-type text/plain string x\n`,
  'http-error with an unhandled status': `${HEAD}${FE}    http-error status 201\n`,
  'http-error with an unknown word': `${HEAD}${FE}    http-error status 503 foo\n`,
  'http-error errorfiles of an unknown section': `${HEAD}${FE}    http-error status 503 errorfiles nosuch\n`,
  'valid: every form': `http-errors a\n    errorfile 503 /etc/haproxy/errors/503.http\n${HEAD}    errorfiles a\n${FE}    http-error status 503 default-errorfiles\n    http-error status 403 content-type text/plain string no hdr X 1\n    http-error status 400 errorfile /etc/haproxy/errors/400.http\n    http-error status 504 errorfiles a\n    http-request deny errorfiles a if { path /x }\n`,
};

describe.skipIf(!hasHaproxy)('http-errors config errors match `haproxy -c`', () => {
  for (const [name, text] of Object.entries(CHECKS)) {
    it(name, () => {
      const { haproxy, engine } = checkBoth(text);
      expect(engine.accepted).toBe(haproxy.accepted);
      for (const a of haproxy.alerts) expect(engine.alerts).toContain(a);
      for (const w of haproxy.warnings) expect(engine.warnings).toContain(w);
    });
  }
});
