import { describe, expect, it } from 'vitest';
import { backend, DEFAULTS, load, messages, model, proxyConfig } from './config-helpers.ts';

const servers = (lines: string[]) => backend(model(proxyConfig([], lines)), 'b').servers;

describe('server', () => {
  it('reads name, host, port and keeps hostnames as written (the lab maps them)', () => {
    const s = servers(['server server1 app1:5001 weight 2 check', 'server s2 127.0.0.2', 'server s3 [::1]:8080']);
    expect(s.map((x) => [x.name, x.host, x.port, x.weight, x.check])).toEqual([
      ['server1', 'app1', 5001, 2, true],
      ['s2', '127.0.0.2', 0, 1, false],
      ['s3', '::1', 8080, 1, false],
    ]);
    expect(s[0]!.loc).toEqual({ file: 'haproxy.cfg', line: 10, col: 5 });
  });

  it('uses HAProxy defaults: weight 1, inter 2s, rise 2, fall 3, unlimited maxconn', () => {
    expect(servers(['server s 127.0.0.1:1'])[0]).toMatchObject({ weight: 1, inter: 2000, rise: 2, fall: 3, maxconn: 0, maxqueue: 0, backup: false, disabled: false });
  });

  it('reads every health and limit keyword, with time units', () => {
    const [s] = servers(['server s 127.0.0.1:80 check inter 500ms fastinter 1s downinter 1m rise 4 fall 5 backup disabled maxconn 10 maxqueue 20 addr 127.0.0.9 port 8081 id 7']);
    expect(s).toMatchObject({
      check: true, inter: 500, fastinter: 1000, downinter: 60000, rise: 4, fall: 5, backup: true, disabled: true,
      maxconn: 10, maxqueue: 20, checkAddr: '127.0.0.9', checkPort: 8081, id: 7,
    });
  });

  it('numbers servers like HAProxy: explicit ids kept, the others take the first free id in order', () => {
    const s = servers(['server a 127.0.0.1:1', 'server b 127.0.0.1:2 id 2', 'server c 127.0.0.1:3', 'server d 127.0.0.1:4']);
    expect(s.map((x) => [x.name, x.id])).toEqual([['a', 1], ['b', 2], ['c', 3], ['d', 4]]);
    const t = servers(['server a 127.0.0.1:1 id 1', 'server b 127.0.0.1:2', 'server c 127.0.0.1:3 id 3', 'server d 127.0.0.1:4']);
    expect(t.map((x) => x.id)).toEqual([1, 2, 3, 4]);
    const u = servers(['server a 127.0.0.1:1', 'server b 127.0.0.1:2 id 1']);
    expect(u.map((x) => x.id)).toEqual([2, 1]);
  });

  it('takes default-server settings for the servers that follow it, and lets them override', () => {
    const s = servers(['server a 127.0.0.1:1', 'default-server inter 3s fall 2 check', 'server b 127.0.0.1:2', 'server c 127.0.0.1:3 no-check fall 9']);
    expect(s.map((x) => [x.name, x.inter, x.fall, x.check])).toEqual([
      ['a', 2000, 3, false],
      ['b', 3000, 2, true],
      ['c', 3000, 9, false],
    ]);
  });

  it('inherits default-server from the defaults section', () => {
    const m = model(`${DEFAULTS}    default-server weight 5\nbackend b\n    server s 127.0.0.1:1\n`);
    expect(backend(m, 'b').servers[0]!.weight).toBe(5);
  });

  it('reports errors in HAProxy\'s "[file:line] : \'server be/name\' :" form', () => {
    const r = load(proxyConfig([], [
      'server s1 127.0.0.1:5001 weigth 2 check',
      'server s2 127.0.0.1:5002 weight 300',
      'server s3 127.0.0.1:5003 rise 0',
      'server s4 127.0.0.1:5004 inter',
      'server s5 127.0.0.1:99999',
      'server s6 127.0.0.1:80-81',
      'server s7 256.1.1.1:80',
      'server s8',
      'server s9 127.0.0.1:1 id 0',
    ]));
    expect(messages(r)).toEqual([
      "10: 'server b/s1' : unknown keyword 'weigth'; did you mean 'weight' maybe ?",
      "11: 'server b/s2' : weight of server s2 is not within 0 and 256 (300)..",
      "12: 'server b/s3' : 'rise' has to be > 0..",
      "13: 'server b/s4' : 'inter' expects a delay as argument..",
      "14: 'server b/s5' : invalid port '99999'",
      "15: 'server b/s6' : port range not permitted here in '127.0.0.1:80-81'",
      "16: 'server b/s7' : could not resolve address '256.1.1.1'.",
      "17: 'server' expects <name> and <addr>[:<port>] as arguments.",
      "18: 'server b/s9' : 'id' : custom id has to be > 0.",
    ]);
    expect(r.diagnostics.filter((d) => d.severity === 'alert').every((d) => d.form === 'bracket')).toBe(true);
  });

  it('words the default-server unknown keyword like HAProxy, with its hint', () => {
    expect(messages(load(proxyConfig([], ['default-server chek', 'server s 127.0.0.1:1'])))).toEqual([
      "10: unknown keyword 'chek'; did you mean 'check' maybe ? Hint: no address was expected for this server.",
    ]);
  });

  it('warns about server keywords the lab does not implement and skips their arguments', () => {
    // cookie, send-proxy, agent-check, slowstart and observe are implemented now; minconn and max-reuse are not
    const r = load(proxyConfig([], ['server s 127.0.0.1:1 minconn 10 check max-reuse 5 slowstart 10s observe layer4']));
    expect(messages(r, 'warning')).toEqual([
      "10: 'server b/s' : 'minconn' is not supported by HAProxy Lab yet and is ignored.",
      "10: 'server b/s' : 'max-reuse' is not supported by HAProxy Lab yet and is ignored.",
    ]);
    const s = backend(r.model!, 'b').servers[0]!;
    expect(s.check).toBe(true);
    expect(s.slowstart).toBe(10);
    expect(s.observe).toEqual({ mode: 'layer4', errorLimit: 10, onError: 'fail-check' });
  });

  it('reads agent-check with its port, address, interval and send string', () => {
    const r = load(proxyConfig([], ['default-server agent-inter 3s', 'server s 127.0.0.1:1 check addr 127.0.0.2 agent-check agent-port 9999 agent-send "hi\\n"', 'server t 127.0.0.1:1 inter 700 agent-check agent-port 9 agent-addr 127.0.0.3', 'server u 127.0.0.1:1 agent-port 9']));
    expect(messages(r)).toEqual([]);
    const [s, t, u] = backend(r.model!, 'b').servers;
    expect(s!.agent).toEqual({ port: 9999, addr: '127.0.0.2', inter: 3000, send: 'hi\n' });
    expect(t!.agent).toEqual({ port: 9, addr: '127.0.0.3', inter: 3000 });
    // agent-port alone does not enable the agent
    expect(u!.agent).toBeUndefined();
  });

  it('gives checks the server TLS unless a check port moves them, and check-ssl forces it (init_srv_check)', () => {
    const r = load(proxyConfig([], ['server a 127.0.0.1:1 check ssl verify none check-sni x.test check-alpn h2', 'server b 127.0.0.1:1 check ssl verify none port 2', 'server c 127.0.0.1:1 check check-ssl verify none port 2', 'server d 127.0.0.1:1 check ssl verify none no-check-ssl']));
    expect(messages(r)).toEqual([]);
    const [a, b, c, d] = backend(r.model!, 'b').servers;
    expect(a!.checkTls).toMatchObject({ verify: 'none', checkSni: 'x.test', alpn: ['h2'] });
    expect(b!.checkTls).toBeUndefined();
    expect(c!.checkTls).toMatchObject({ verify: 'none' });
    expect(c!.ssl).toBeUndefined();
    expect(d!.checkTls).toBeUndefined();
  });

  it('refuses check-ssl without a CA or verify none, and check-sni without a name, in HAProxy words', () => {
    expect(messages(load(proxyConfig([], ['server s1 127.0.0.1:80 check check-ssl'])))).toEqual([
      "10: 'server b/s1' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.",
    ]);
    expect(messages(load(proxyConfig([], ['server s2 127.0.0.1:80 check check-sni'])))).toEqual(["10: 'server b/s2' : 'check-sni' : missing SNI."]);
  });

  it('refuses an agent-check without agent-port and bad agent values, as HAProxy words it', () => {
    const r = load(proxyConfig([], ['server s 127.0.0.1:1 agent-check', 'server t 127.0.0.1:1 agent-inter 0', 'server u 127.0.0.1:1 agent-inter 1x', 'server v 127.0.0.1:1 agent-addr nowhere.test', 'server w 127.0.0.1:1 agent-port']));
    expect(messages(r)).toEqual([
      "10: 'server b/s' : server s does not have agent port. Agent check has been disabled.",
      "11: 'server b/t' : invalid value 0 for argument 'agent-inter' of server t..",
      "12: 'server b/u' : unexpected character 'x' in 'agent-inter' argument of server u..",
      "13: 'server b/v' : parsing agent-addr failed. Check if 'nowhere.test' is correct address..",
      "14: 'server b/w' : 'agent-port' expects a port number as argument..",
    ]);
  });

  it('is refused in defaults and in a frontend', () => {
    const r = load(`${DEFAULTS}    server s 127.0.0.1:1\nfrontend f\n    bind 127.0.0.1:8000\n    server s 127.0.0.1:1\n`);
    expect(messages(r)).toEqual([
      "6: 'server' not allowed in 'defaults' section.",
      "9: parsing [haproxy.cfg:9] : 'server' not allowed because frontend 'f' has no backend capability.",
    ]);
  });
});
