import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../proxy/config/diagnostics.ts';
import { backend, DEFAULTS, frontend, load, messages, model } from './config-helpers.ts';

describe('validate', () => {
  it('names a missing default_backend and use_backend target as HAProxy does', () => {
    const r = load(`${DEFAULTS}frontend f\n    bind 127.0.0.1:8000\n    use_backend nope\n    default_backend nope2\n`);
    expect(messages(r)).toEqual([
      "9: Proxy 'f': unable to find required default_backend: 'nope2'.",
      "8: Proxy 'f': unable to find required use_backend: 'nope'.",
    ]);
    expect(formatDiagnostic(r.diagnostics[0]!, 7)).toBe("[ALERT]    (7) : config : Proxy 'f': unable to find required default_backend: 'nope2'.");
  });

  it('refuses an http frontend that sends to a tcp backend, but lets tcp go to http', () => {
    const r = load(`${DEFAULTS}frontend f\n    bind 127.0.0.1:8000\n    default_backend c\nbackend c\n    mode tcp\n    server s 127.0.0.1:1\nfrontend t\n    mode tcp\n    bind 127.0.0.1:8001\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`);
    expect(messages(r)).toEqual([
      "8: http frontend 'f' (haproxy.cfg:6) tries to use incompatible tcp backend 'c' (haproxy.cfg:9) as its default backend (see 'mode').",
    ]);
  });

  it('refuses a frontend, backend or listen named like another of the same side', () => {
    const r = load(`${DEFAULTS}frontend x\n    bind 127.0.0.1:8000\n    default_backend x\nbackend x\n    server s 127.0.0.1:1\nlisten x\n    bind 127.0.0.1:8001\n    server s 127.0.0.1:1\n`);
    expect(messages(r)).toEqual(["11: Parsing [haproxy.cfg:11]: proxy 'x' has the same name as frontend 'x' declared at haproxy.cfg:6."]);
  });

  it('refuses two servers with one name in a backend, and a reused server id', () => {
    const r = load(`${DEFAULTS}backend b\n    server s1 127.0.0.1:1 id 4\n    server s1 127.0.0.1:2\n    server s3 127.0.0.1:3 id 4\n`);
    expect(messages(r)).toEqual([
      "8: backend 'b', another server named 's1' was already defined at line 7, please use distinct names.",
      "9: 'server b/s3' : 'id' : custom id 4 already used at haproxy.cfg:7 ('server s1').",
    ]);
  });

  it('warns about a frontend without bind and about missing timeouts, in HAProxy words', () => {
    const r = load(`defaults\n    mode http\nfrontend f\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\nbackend empty\n`);
    expect(r.model).not.toBeNull();
    expect(messages(r, 'warning')).toEqual([
      "3: frontend 'f' has no 'bind' directive. Please declare it as a backend if this was intended.",
      "3: missing timeouts for frontend 'f'.\n   | While not properly invalid, you will certainly encounter various problems\n   | with such a configuration. To fix this, please ensure that all following\n   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
      expect.stringMatching(/^5: missing timeouts for backend 'b'\./),
    ]);
  });

  it('falls back from httplog to tcplog in tcp mode and drops http-only settings with warnings', () => {
    const r = load(`${DEFAULTS.replace('mode http', 'mode tcp')}    option httplog\nfrontend f\n    bind 127.0.0.1:8000\n    option forwardfor\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`);
    expect(messages(r, 'warning')).toEqual([
      "6: 'option httplog' not usable with frontend 'f' (needs 'mode http'). Falling back to 'option tcplog'.",
      "7: log format ignored for frontend 'f' since it has no log address.",
      "7: 'option forwardfor' ignored for frontend 'f' as it requires HTTP mode.",
    ]);
    expect(frontend(r.model!, 'f').options).toMatchObject({ httplog: false, tcplog: true });
    expect(frontend(r.model!, 'f').options.forwardfor).toBeUndefined();
  });

  it('numbers proxies in declaration order and lists listen sections on both sides', () => {
    const m = model(`${DEFAULTS}backend b\n    server s 127.0.0.1:1\nfrontend f\n    bind 127.0.0.1:8000\n    default_backend b\nlisten l\n    bind 127.0.0.1:8001\n    server s 127.0.0.1:2\n`);
    expect(m.frontends.map((p) => [p.name, p.id])).toEqual([['f', 2], ['l', 3]]);
    expect([...m.backends.keys()]).toEqual(['b', 'l']);
    expect(backend(m, 'b').id).toBe(1);
  });
});
