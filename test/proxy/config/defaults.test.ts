import { describe, expect, it } from 'vitest';
import { backend, frontend, load, messages, model } from './config-helpers.ts';

const T = '    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

describe('defaults inheritance', () => {
  it('gives each proxy the settings of the last defaults section above it', () => {
    const m = model(`defaults\n    mode tcp\n${T}    retries 7\n    balance leastconn\nbackend a\n    server s 127.0.0.1:1\ndefaults\n    mode http\n${T}backend b\n    server s 127.0.0.1:1\n`);
    expect([backend(m, 'a').mode, backend(m, 'a').retries, backend(m, 'a').balance.algorithm]).toEqual(['tcp', 7, 'leastconn']);
    // A new defaults section starts from HAProxy's built-in values, not from the previous one.
    expect([backend(m, 'b').mode, backend(m, 'b').retries, backend(m, 'b').balance.algorithm]).toEqual(['http', 3, 'roundrobin']);
  });

  it('lets a proxy name its defaults with "from", and records which one it used', () => {
    const m = model(`defaults tcpdef\n    mode tcp\n${T}defaults webdef\n    mode http\n${T}    option httplog\n    log stdout local0\nfrontend f from tcpdef\n    bind 127.0.0.1:8000\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`);
    expect(frontend(m, 'f').mode).toBe('tcp');
    expect(frontend(m, 'f').defaultsFrom).toBe('tcpdef');
    expect(backend(m, 'b').mode).toBe('http');
    expect(backend(m, 'b').defaultsFrom).toBe('webdef');
  });

  it('chains defaults with "defaults B from A"', () => {
    const m = model(`defaults a\n    mode http\n${T}    retries 9\ndefaults b from a\n    balance source\nbackend x from b\n    server s 127.0.0.1:1\n`);
    expect([backend(m, 'x').mode, backend(m, 'x').retries, backend(m, 'x').balance.algorithm]).toEqual(['http', 9, 'source']);
  });

  it('leaves the defaults section unchanged when a proxy overrides a setting', () => {
    const m = model(`defaults\n    mode http\n${T}    option dontlognull\nfrontend f\n    bind 127.0.0.1:8000\n    no option dontlognull\n    timeout client 9s\n    default_backend b\nfrontend g\n    bind 127.0.0.1:8001\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`);
    expect([frontend(m, 'f').options.dontlognull, frontend(m, 'f').timeouts.client]).toEqual([false, 9000]);
    expect([frontend(m, 'g').options.dontlognull, frontend(m, 'g').timeouts.client]).toEqual([true, 1000]);
  });

  it('inherits default_backend, timeouts, log targets, options and default-server', () => {
    const m = model(`global\n    log stdout format raw local0\ndefaults\n    mode http\n${T}    log global\n    option httplog\n    option forwardfor\n    default_backend b\n    default-server inter 5s\nfrontend f\n    bind 127.0.0.1:8000\nbackend b\n    server s 127.0.0.1:1\n`);
    const f = frontend(m, 'f');
    expect(f.defaultBackend).toBe('b');
    expect(f.logs.map((l) => l.target)).toEqual(['stdout']);
    expect(f.options).toMatchObject({ httplog: true, forwardfor: { header: 'X-Forwarded-For', ifNone: false } });
    expect(backend(m, 'b').servers[0]!.inter).toBe(5000);
  });

  it('alerts on an unknown defaults name, and on ambiguous ones', () => {
    expect(messages(load(`defaults d\n    mode http\nfrontend f from nope\n    bind 127.0.0.1:8000\n`))).toEqual([
      "3: defaults section 'nope' not found for frontend 'f'.",
    ]);
    expect(messages(load(`defaults d\n    mode http\ndefaults d\n    mode tcp\nbackend b from d\n    server s 127.0.0.1:1\n`))).toEqual([
      "5: ambiguous defaults section name 'd' referenced by backend 'b' exists at least at haproxy.cfg:1 and haproxy.cfg:3.",
    ]);
  });

  it('asks for bind instead of an address after the frontend name', () => {
    expect(messages(load(`frontend f *:80\n    bind 127.0.0.1:8000\n`))).toEqual([
      "1: please use the 'bind' keyword for listening addresses.",
      "2: 'listen' or 'defaults' expected.",
    ]);
  });

  it('refuses rules that need a named defaults section in an anonymous one', () => {
    expect(messages(load(`defaults\n    acl x path /x\n    tcp-request content reject\n`))).toEqual([
      "2: 'acl' not allowed in anonymous 'defaults' section.",
      "3: tcp-request content is not allowed in anonymous 'defaults' sections",
    ]);
  });
});
