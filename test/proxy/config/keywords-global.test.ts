import { describe, expect, it } from 'vitest';
import { load, messages, model } from './config-helpers.ts';

const tail = 'defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n';

describe('global', () => {
  it('reads maxconn, nbthread, tune.bufsize, tune.http.maxhdr and stats sockets', () => {
    const m = model(`global\n    maxconn 4096\n    nbthread 4\n    tune.bufsize 32768\n    tune.http.maxhdr 200\n    stats socket ipv4@127.0.0.1:9999 level admin\n    stats socket /tmp/lab.sock\n    stats timeout 30s\n${tail}`);
    expect(m.global).toMatchObject({ maxconn: 4096, nbthread: 4, bufsize: 32768, maxhdr: 200 });
    expect(m.global.statsSockets.map((s) => [s.address, s.level])).toEqual([
      ['ipv4@127.0.0.1:9999', 'admin'],
      ['/tmp/lab.sock', 'operator'],
    ]);
  });

  it('has HAProxy defaults when nothing is set', () => {
    expect(model(tail).global).toMatchObject({ maxconn: 0, nbthread: 1, bufsize: 16384, maxhdr: 101, logs: [], statsSockets: [] });
  });

  it('accepts process-management keywords that change nothing in the lab, without a word', () => {
    const r = load(`global\n    daemon\n    master-worker\n    user haproxy\n    group haproxy\n    chroot /var/lib/haproxy\n    pidfile /run/haproxy.pid\n${tail}`);
    expect(r.diagnostics.filter((d) => d.severity !== 'notice')).toEqual([]);
    // Like haproxy -c, it still says that nothing listens.
    expect(r.diagnostics.map((d) => d.message)).toEqual(['Configuration file has no error but will not start (no listener) => exit(2).']);
  });

  it('warns about valid global keywords the lab does not implement', () => {
    expect(messages(load(`global\n    ssl-dh-param-file /x.pem\n    hard-stop-after 30s\n${tail}`), 'warning')).toEqual([
      "2: 'ssl-dh-param-file' is not supported by HAProxy Lab yet and is ignored.",
      "3: 'hard-stop-after' is not supported by HAProxy Lab yet and is ignored.",
    ]);
  });

  it('refuses bad values with HAProxy wording', () => {
    expect(messages(load(`global\n    nbthread\n    tune.bufsize x\n    tune.http.maxhdr 0\n    daemon 1\n    stats socket\n    stats socket /x level root\n    nbproc 2\n    maxcon 10\n`))).toEqual([
      "2: 'nbthread' passed a missing or unparsable integer value in ''",
      "3: 'tune.bufsize' expects a positive integer argument.",
      "4: 'tune.http.maxhdr' expects a numeric value between 1 and 32767",
      "5: 'daemon' cannot handle unexpected argument '1'.",
      "6: 'stats socket' in global section expects an address or a path to a UNIX socket",
      "7: 'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got 'root')'",
      '8: nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.',
      "9: unknown keyword 'maxcon' in 'global' section; did you mean 'maxconn' maybe ?",
    ]);
  });

  it('merges several global sections', () => {
    expect(model(`global\n    maxconn 10\nglobal\n    nbthread 2\n${tail}`).global).toMatchObject({ maxconn: 10, nbthread: 2 });
  });

  it('warns that other sections (userlist, mailers...) are ignored', () => {
    const r = load(`userlist users\n    user a insecure-password x\n${tail}`);
    expect(messages(r, 'warning')).toEqual(["1: section 'userlist' is not supported by HAProxy Lab yet and is ignored."]);
    expect(r.model).not.toBeNull();
  });

  it('reads a peers section: its local peer, where it listens, and its tables named after it', () => {
    const r = load(`global\n    localpeer me\npeers mypeers\n    peer me 127.0.0.1:10000\n    peer a 127.0.0.53:10000\n    table t type ip size 10\n${tail}`);
    expect(messages(r, 'warning')).toEqual([]);
    const s = r.model!.global.peers.get('mypeers')!;
    expect(s).toMatchObject({ complete: true, listen: { host: '127.0.0.1', port: 10000 }, localPeer: 'me' });
    expect(s.peers.map((p) => [p.name, p.local])).toEqual([['me', true], ['a', false]]);
    expect(s.tables.map((t) => t.name)).toEqual(['mypeers/t']);
  });
});
