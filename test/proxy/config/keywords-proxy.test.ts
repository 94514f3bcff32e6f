import { describe, expect, it } from 'vitest';
import { backend, DEFAULTS, frontend, load, messages, model, proxyConfig } from './config-helpers.ts';

describe('bind', () => {
  it('reads *:port, :port, addr:port, [v6]:port, ipv4@ and several binds per frontend', () => {
    const m = model(proxyConfig(['bind :8001', 'bind 127.0.0.2:8002', 'bind [::1]:8003', 'bind ipv4@127.0.0.3:8004', 'bind *:8005,127.0.0.4:8006']));
    expect(frontend(m, 'f').binds.map((b) => [b.host, b.port, b.text])).toEqual([
      ['127.0.0.1', 8000, '127.0.0.1:8000'],
      [null, 8001, ':8001'],
      ['127.0.0.2', 8002, '127.0.0.2:8002'],
      ['::1', 8003, '[::1]:8003'],
      ['127.0.0.3', 8004, 'ipv4@127.0.0.3:8004'],
      [null, 8005, '*:8005'],
      ['127.0.0.4', 8006, '127.0.0.4:8006'],
    ]);
    expect(frontend(m, 'f').binds[1]!.loc).toEqual({ file: 'haproxy.cfg', line: 8, col: 10 });
  });

  it('rejects a missing port, a bad port and a bad address with HAProxy wording', () => {
    const r = load(proxyConfig(['bind 127.0.0.1', 'bind 127.0.0.1:abc', 'bind :99999', 'bind 1.2.3.4.5:80', 'bind']));
    expect(messages(r)).toEqual([
      "8: 'bind' : missing port specification in '127.0.0.1'",
      "9: 'bind' : invalid character 'a' in port number 'abc' in '127.0.0.1:abc'",
      "10: 'bind' : invalid port '99999'",
      "11: 'bind' : invalid address: '1.2.3.4.5' in '1.2.3.4.5:80'",
      "12: 'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.",
    ]);
    expect(r.model).toBeNull();
  });

  it('accepts name, warns about process as HAProxy does, and warns about a TLS option the lab does not implement', () => {
    const r = load(proxyConfig(['bind :8001 name web process 1', 'bind :8002 allow-0rtt']));
    expect(messages(r, 'warning')).toEqual([
      "8: 'bind :8001' in section 'frontend' : 'process 1' on 'bind' lines is deprecated and will be removed in 2.7.",
      "9: 'bind :8002' in section 'frontend' : 'allow-0rtt' is not supported by HAProxy Lab yet and is ignored.",
    ]);
    expect(r.model).not.toBeNull();
  });

  it('alerts on an unknown bind option, with a hint when one is close', () => {
    expect(messages(load(proxyConfig(['bind :8001 nmae x'])))).toEqual([
      "8: 'bind :8001' in section 'frontend': unknown keyword 'nmae'; did you mean 'name' maybe ?",
    ]);
  });

  it('is refused in defaults and ignored with a warning in a backend', () => {
    const r = load(`${DEFAULTS}    bind :80\nbackend b\n    bind :81\n    server s 127.0.0.1:1\n`);
    expect(messages(r)).toEqual(["6: 'bind' not allowed in 'defaults' section."]);
    expect(messages(r, 'warning')).toEqual(["8: 'bind' ignored because backend 'b' has no frontend capability."]);
  });
});

describe('mode, maxconn, retries, fullconn', () => {
  it('reads mode http|tcp and refuses others', () => {
    expect(frontend(model(proxyConfig(['mode tcp'], ['mode tcp', 'server s 127.0.0.1:1'])), 'f').mode).toBe('tcp');
    expect(messages(load(proxyConfig(['mode udp', 'mode health'])))).toEqual([
      "8: unknown proxy mode 'udp'.",
      "9: 'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.",
    ]);
  });

  it('reads maxconn on a frontend and fullconn/retries on a backend, and says when a side lacks them', () => {
    const m = model(proxyConfig(['maxconn 100'], ['fullconn 50', 'retries 5', 'server s 127.0.0.1:1']));
    expect(frontend(m, 'f').maxconn).toBe(100);
    expect(backend(m, 'b').fullconn).toBe(50);
    expect(backend(m, 'b').retries).toBe(5);
    expect(backend(model(proxyConfig([]))  , 'b').retries).toBe(3);
    const r = load(proxyConfig(['fullconn 10', 'retries 2'], ['maxconn 10', 'server s 127.0.0.1:1']));
    expect(messages(r, 'warning')).toEqual([
      "8: 'fullconn' ignored because frontend 'f' has no backend capability. Maybe you want 'maxconn' instead ?",
      "9: 'retries' ignored because frontend 'f' has no backend capability.",
      "12: 'maxconn' ignored because backend 'b' has no frontend capability. Maybe you want 'fullconn' instead ?",
    ]);
  });
});

describe('balance and hash-type', () => {
  const algo = (line: string) => backend(model(proxyConfig([], [line, 'server s 127.0.0.1:1'])), 'b').balance;

  it('reads every algorithm the lab implements, with its arguments as written', () => {
    expect(algo('balance roundrobin')).toMatchObject({ algorithm: 'roundrobin', options: [] });
    expect(algo('balance static-rr').algorithm).toBe('static-rr');
    expect(algo('balance leastconn').algorithm).toBe('leastconn');
    expect(algo('balance first').algorithm).toBe('first');
    expect(algo('balance source').algorithm).toBe('source');
    expect(algo('balance uri whole len 10 depth 2')).toMatchObject({ algorithm: 'uri', options: ['whole', 'len', '10', 'depth', '2'] });
    expect(algo('balance url_param userid')).toMatchObject({ algorithm: 'url_param', arg: 'userid' });
    expect(algo('balance hdr(User-Agent)')).toMatchObject({ algorithm: 'hdr', arg: 'User-Agent', options: [] });
    expect(algo('balance hdr(host) use_domain_only')).toMatchObject({ arg: 'host', options: ['use_domain_only'] });
    expect(algo('balance random')).toMatchObject({ algorithm: 'random', options: [] });
    expect(algo('balance random(3)')).toMatchObject({ algorithm: 'random', options: ['3'] });
  });

  it('defaults to roundrobin and map-based hashing, and reads hash-type consistent', () => {
    const b = backend(model(proxyConfig([], ['server s 127.0.0.1:1'])), 'b').balance;
    expect(b).toMatchObject({ algorithm: 'roundrobin', hashType: 'map-based' });
    const c = backend(model(proxyConfig([], ['balance source', 'hash-type consistent', 'server s 127.0.0.1:1'])), 'b').balance;
    expect(c.hashType).toBe('consistent');
  });

  it('refuses bad algorithms and arguments with HAProxy wording', () => {
    const r = load(proxyConfig([], ['balance roundrobn', 'balance uri len 0', 'balance random(0)', 'balance hdr()', 'balance url_param', 'hash-type fast', 'server s 127.0.0.1:1']));
    expect(messages(r)).toEqual([
      "10: balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.",
      "11: balance uri : 'len' expects a positive integer (got '0').",
      '12: balance random : number of draws must be at least 1.',
      '13: balance hdr requires an http header field name.',
      '14: balance url_param requires an URL parameter name.',
      "15: 'hash-type' only supports 'consistent' and 'map-based'.",
    ]);
  });

  it('warns that balance is ignored in a frontend', () => {
    expect(messages(load(proxyConfig(['balance leastconn'])), 'warning')).toEqual([
      "8: 'balance' ignored because frontend 'f' has no backend capability.",
    ]);
  });
});

describe('timeout', () => {
  it('reads every timeout with its unit, a bare number being milliseconds', () => {
    const m = model(`defaults\n    mode http\n    timeout connect 5000\n    timeout client 2s\n    timeout server 1m\n    timeout http-request 500ms\n    timeout http-keep-alive 1h\n    timeout check 3s\n    timeout queue 4s\n    timeout tunnel 1d\n    timeout client-fin 100us\n    timeout server-fin 6s\n    timeout tarpit 7s\nlisten l\n    bind 127.0.0.1:8000\n    server s 127.0.0.1:1\n`);
    expect(frontend(m, 'l').timeouts).toEqual({
      connect: 5000, client: 2000, server: 60000, httpRequest: 500, httpKeepAlive: 3600000, check: 3000,
      queue: 4000, tunnel: 86400000, clientFin: 1, serverFin: 6000, tarpit: 7000,
    });
  });

  it('refuses a bad unit, a missing value and an unknown timeout', () => {
    expect(messages(load(proxyConfig(['timeout client 5x', 'timeout client', 'timeout bogus 5s'])))).toEqual([
      "8: unexpected character 'x' in 'timeout client'",
      "9: 'timeout client' expects an integer value (in milliseconds)",
      "10: 'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got 'bogus')",
    ]);
  });

  it('refuses contimeout, clitimeout and srvtimeout as HAProxy 2.1+ does', () => {
    expect(messages(load(proxyConfig(['clitimeout 5000'], ['contimeout 5000', 'srvtimeout 5000', 'server s 127.0.0.1:1'])))).toEqual([
      "8: the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.",
      "11: the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
      "12: the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'.",
    ]);
  });

  it('warns when a timeout belongs to the other side', () => {
    expect(messages(load(proxyConfig(['timeout queue 5s'])), 'warning')).toEqual([
      "8: 'timeout queue' will be ignored because frontend 'f' has no backend capability",
    ]);
  });
});

describe('log, log-format, stats', () => {
  it('reads log targets and "log global" copies the global ones', () => {
    const m = model(`global\n    log stdout format raw local0\n    log 127.0.0.1:514 local1 notice\n    log stderr local2\n${DEFAULTS}    log global\nlisten l\n    bind 127.0.0.1:8000\n    log 127.0.0.2 local3\n    server s 127.0.0.1:1\n`);
    expect(m.global.logs.map((l) => [l.target, l.format, l.facility, l.level])).toEqual([
      ['stdout', 'raw', 'local0', undefined],
      ['127.0.0.1:514', 'rfc3164', 'local1', 'notice'],
      ['stderr', 'rfc3164', 'local2', undefined],
    ]);
    expect(frontend(m, 'l').logs.map((l) => l.target)).toEqual(['stdout', '127.0.0.1:514', 'stderr', '127.0.0.2:514']);
  });

  it('"no log" drops inherited targets', () => {
    const m = model(`global\n    log stdout local0\n${DEFAULTS}    log global\nlisten l\n    bind 127.0.0.1:8000\n    no log\n    server s 127.0.0.1:1\n`);
    expect(frontend(m, 'l').logs).toEqual([]);
  });

  it('refuses a bad log line with HAProxy wording', () => {
    const r = load(`global\n    log\n    log stdout format json local0\n    log stdout local9\n    log global\n${DEFAULTS}    log stdout\n`);
    expect(messages(r)).toEqual([
      '2: log : expects <address> and <facility>  as arguments',
      "3: log : unknown log format 'json'",
      "4: log : unknown log facility 'local9'",
      "5: log : 'global' is not supported for a global syslog server",
      '11: log : expects <address> and <facility> or global as arguments',
    ]);
  });

  it('keeps log-format as one word and refuses several', () => {
    expect(frontend(model(proxyConfig(['log-format "%ci [%t] %s"'])), 'f').logFormat).toBe('%ci [%t] %s');
    expect(messages(load(proxyConfig(['log-format %ci [%t]'])))).toEqual([
      "8: log-format expects only one argument, don't forget to escape spaces!",
    ]);
  });

  it('reads stats enable, uri and refresh (seconds by default)', () => {
    const s = frontend(model(proxyConfig(['stats enable', 'stats uri /stats', 'stats refresh 10'])), 'f').stats;
    expect(s).toMatchObject({ enabled: true, uri: '/stats', refresh: 10000 });
    expect(messages(load(proxyConfig(['stats foo'])))).toEqual([
      "8: unknown stats parameter 'foo', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.",
    ]);
  });
});

describe('unknown and unsupported keywords', () => {
  it('alerts on an unknown keyword with a did-you-mean hint when it is close', () => {
    const r = load(proxyConfig(['weigth 3'], ['balanc roundrobin', 'server s 127.0.0.1:1']));
    expect(messages(r)).toEqual([
      "8: unknown keyword 'weigth' in 'frontend' section",
      "11: unknown keyword 'balanc' in 'backend' section; did you mean 'balance' maybe ?",
    ]);
  });

  it('warns, never silently, about valid HAProxy keywords the lab does not implement', () => {
    const r = load(proxyConfig(['external-check command /bin/true', 'email-alert from lab@example.org']));
    expect(messages(r, 'warning')).toEqual([
      "8: 'external-check' is not supported by HAProxy Lab yet and is ignored.",
      "9: 'email-alert' is not supported by HAProxy Lab yet and is ignored.",
    ]);
    expect(r.model).not.toBeNull();
  });

  it("reads errorfile and errorloc pages, refusing bad ones with haproxy -c's words", () => {
    const ok = load(proxyConfig(['errorfile 503 /etc/haproxy/errors/503.http', 'errorloc303 403 /forbidden']));
    expect(messages(ok)).toEqual([]);
    expect(messages(ok, 'warning')).toEqual([]);
    const pages = frontend(ok.model!, 'f').errorPages;
    expect(pages.get(503)!.head).toMatch(/^HTTP\/1\.0 503 Service Unavailable\r\ncache-control: no-cache\r\ncontent-type: text\/html$/);
    expect(pages.get(403)!.head).toBe('HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: /forbidden');
    const bad = load(proxyConfig(['errorloc 503', 'errorloc302 999 /x', 'errorfile 503 /etc/hostname']));
    expect(messages(bad)).toEqual([
      '8: errorloc : expects <status_code> and <url> as arguments.',
      "9: errorloc302 : status code '999' not handled.",
      "10: errorfile : '/etc/hostname': unable to parse headers (error offset: 0)",
    ]);
  });

  it('alerts on keywords before any section', () => {
    expect(messages(load('log stdout local0\nglobal\n'))).toEqual(["1: unknown keyword 'log' out of section."]);
  });

  it('refuses "no" on keywords other than option and log, then still reads the keyword', () => {
    expect(messages(load(proxyConfig(['no mode'])))).toEqual([
      '8: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.',
      "8: unknown proxy mode ''.",
    ]);
  });

  it('collects every error instead of stopping at the first', () => {
    const r = load(proxyConfig(['weigth 3', 'mode foo', 'timeout client 5x'], ['server s1 127.0.0.1:1 weigth 2', 'balance bogus']));
    expect(messages(r).map((m) => m.split(':')[0])).toEqual(['8', '9', '10', '13', '14']);
  });
});
