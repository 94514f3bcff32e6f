import { describe, expect, it } from 'vitest';
import { backend, DEFAULTS, frontend, load, messages, model, proxyConfig } from './config-helpers.ts';

describe('option', () => {
  it('reads logging options', () => {
    const f = frontend(model(proxyConfig(['option httplog clf', 'option dontlognull', 'option logasap'])), 'f').options;
    expect(f).toMatchObject({ httplog: true, httplogClf: true, tcplog: false, dontlognull: true, logasap: true });
    expect(frontend(model(proxyConfig(['option httplog', 'option tcplog'])), 'f').options).toMatchObject({ httplog: false, tcplog: true });
  });

  it('reads forwardfor with except, header and if-none', () => {
    expect(frontend(model(proxyConfig(['option forwardfor'])), 'f').options.forwardfor).toEqual({ header: 'X-Forwarded-For', ifNone: false });
    expect(frontend(model(proxyConfig(['option forwardfor except 127.0.0.0/8 header X-Real-IP if-none'])), 'f').options.forwardfor).toEqual({
      header: 'X-Real-IP', except: '127.0.0.0/8', ifNone: true,
    });
  });

  it('keeps only the last of the HTTP connection modes, and "no option" cancels it', () => {
    expect(frontend(model(proxyConfig(['option httpclose', 'option http-server-close'])), 'f').options).toMatchObject({ httpClose: false, httpServerClose: true });
    const m = model(`${DEFAULTS}    option http-keep-alive\nlisten l\n    bind 127.0.0.1:8000\n    no option http-keep-alive\n    server s 127.0.0.1:1\n`);
    expect(frontend(m, 'l').options.httpKeepAlive).toBe(false);
  });

  it('reads redispatch, allbackups and httpchk with http-check expect', () => {
    const b = backend(model(proxyConfig([], ['option redispatch', 'option allbackups', 'option httpchk GET /health HTTP/1.1', 'http-check expect status 200', 'server s 127.0.0.1:1 check'])), 'b');
    expect(b.options).toMatchObject({ redispatch: true, allbackups: true });
    expect(b.options.httpchk).toMatchObject({ method: 'GET', uri: '/health', version: 'HTTP/1.1', expectStatus: [200] });
    expect(backend(model(proxyConfig([], ['option httpchk', 'server s 127.0.0.1:1'])), 'b').options.httpchk).toMatchObject({ method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' });
    expect(backend(model(proxyConfig([], ['option httpchk /ping', 'server s 127.0.0.1:1'])), 'b').options.httpchk).toMatchObject({ method: 'OPTIONS', uri: '/ping' });
  });

  it('lets http-check send override the check request of option httpchk', () => {
    const b = backend(model(proxyConfig([], ['option httpchk', 'http-check send meth HEAD uri /health ver HTTP/1.1 hdr Host app.local', 'server s 127.0.0.1:1 check'])), 'b');
    expect(b.options.httpchk).toMatchObject({ method: 'HEAD', uri: '/health', version: 'HTTP/1.1', host: 'app.local' });
    expect(messages(load(proxyConfig([], ['option httpchk', 'http-check send meth', 'http-check send foo', 'server s 127.0.0.1:1'])))).toEqual([
      "11: 'http-check send' : 'meth' expects a string as argument..",
      "12: 'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got 'foo' as argument..",
    ]);
  });

  it('turns an inherited option off with "no option"', () => {
    const m = model(`${DEFAULTS}    option dontlognull\nfrontend f\n    bind 127.0.0.1:8000\n    no option dontlognull\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`);
    expect(frontend(m, 'f').options.dontlognull).toBe(false);
  });

  it('refuses unknown options with a hint, and "no" on options that cannot be negated', () => {
    expect(messages(load(proxyConfig(['option httplg', 'option bogus', 'no option httplog', 'option httplog bogus', 'option forwardfor bogus', 'option'])))).toEqual([
      "8: unknown option 'httplg'; did you mean 'httplog' maybe ?",
      "9: unknown option 'bogus'.",
      "10: negation/default is not supported for option 'httplog'.",
      "11: keyword 'httplog' only supports option 'clf'.",
      "12: 'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.",
      "13: 'option' expects an option name.",
    ]);
  });

  it('warns when an option belongs to the other side, and about valid options the lab does not implement', () => {
    expect(messages(load(proxyConfig(['option allbackups', 'option httpchk', 'option splice-auto'], ['option dontlognull', 'server s 127.0.0.1:1'])), 'warning')).toEqual([
      "8: 'allbackups' ignored because frontend 'f' has no backend capability.",
      "9: 'httpchk' ignored because frontend 'f' has no backend capability.",
      "10: 'option splice-auto' is not supported by HAProxy Lab yet and is ignored.",
      "13: 'dontlognull' ignored because backend 'b' has no frontend capability.",
    ]);
  });

  it('refuses http-check mistakes with HAProxy wording', () => {
    expect(messages(load(proxyConfig([], ['option httpchk', 'http-check expect status abc', 'http-check expect', 'http-check foo', 'server s 127.0.0.1:1'])))).toEqual([
      "11: 'http-check expect' : invalid character 'a' in the list of status codes.",
      "12: 'http-check expect' : expects at least a matching pattern as arguments.",
      "13: 'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got 'foo'",
    ]);
  });
});
