// HAProxy's verdict on fetch and converter names, as `haproxy -c` gives it and `lab proxy -c` must: a name
// HAProxy 2.6 knows loads (the engine warns, naming it, where it lacks it), a name HAProxy does not know is its
// alert word for word, and a known name with wrong arguments is refused as HAProxy refuses it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutput } from '../../lab/commands/proxy-check.ts';
import { loadConfig } from '../../proxy/load-config.ts';
import { engineHasConverter } from '../../proxy/sample/converters.ts';
import { engineHasFetch } from '../../proxy/sample/fetches/index.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';

const HEAD = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend f\n    bind 127.0.0.1:18031\n';
const TAIL = '    default_backend b\nbackend b\n    server s1 127.0.0.1:18032\n';

const dir = mkdtempSync(join(tmpdir(), 'sample-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Both checks on the same file: haproxy's lines (pids as 0, its two start-up notices dropped) and the engine's.
function bothCheck(name: string, body: string): { real: { lines: string[]; code: number | null }; ours: { lines: string[]; code: number } } {
  const file = join(dir, `${name}.cfg`);
  writeFileSync(file, HEAD + body + TAIL);
  const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  const clean = (t: string): string[] =>
    t.split('\n').filter((l) => l !== '' && !/^\[NOTICE\]\s+\(\d+\) : (haproxy version is|path to executable is)/.test(l)).map((l) => l.replace(/^(\[\w+\]\s+)\(\d+\)/, '$1(0)'));
  const o = checkOutput(loadConfig({ files: [file] }), { pid: 0 });
  return {
    real: { lines: [...clean(r.stderr), ...clean(r.stdout)], code: r.status },
    ours: { lines: [...o.stderr.flatMap((e) => e.split('\n')), ...o.stdout].filter((l) => l !== ''), code: o.code },
  };
}

// A rule line per name HAProxy knows, each on its own line number (line = index + 8 in the file).
const KNOWN: readonly { line: string; fetch?: string; conv?: string }[] = [
  { line: '    acl a1 str(x),xxh3 -m found', conv: 'xxh3' },
  { line: '    acl a2 fc_rtt lt 10', fetch: 'fc_rtt' },
  { line: '    http-request set-var(txn.a) str(x),language(en)', conv: 'language' },
  { line: '    http-request set-header X-A %[str(x),xxh64(3)]', conv: 'xxh64' },
  { line: '    http-request set-header X-B %[cpu_calls]', fetch: 'cpu_calls' },
  { line: '    http-request set-var(txn.c) str(x),ltime(%Y)', conv: 'ltime' },
  { line: '    http-request set-var(txn.d) req.body_param(x)', fetch: 'req.body_param' },
  { line: '    http-request set-var(txn.e) str(x),regsub(a,b),json(utf8s),url_dec', conv: 'regsub' },
  { line: '    http-response set-header X-C %[res.cache_hit]', fetch: 'res.cache_hit' },
  { line: '    http-request deny if { str(x),jwt_header_query(\'$.alg\'),length gt 3 } || { cpu_ns_avg gt 0 }', fetch: 'cpu_ns_avg', conv: 'jwt_header_query' },
];

describe.skipIf(!hasHaproxy)('names HAProxy knows load, with a warning where the engine lacks them', () => {
  it('haproxy -c and lab proxy -c both accept the config; the engine adds one warning per lacking name and line', () => {
    const { real, ours } = bothCheck('known', KNOWN.map((k) => `${k.line}\n`).join(''));
    expect(real.code).toBe(0);
    expect(ours.code).toBe(0);
    const lacking = KNOWN.flatMap((k, i) => [
      ...(k.fetch && !engineHasFetch(k.fetch) ? [`[WARNING]  (0) : config : parsing [${join(dir, 'known.cfg')}:${i + 8}] : fetch method '${k.fetch}' is not supported by HAProxy Lab yet: it gives no sample.`] : []),
      ...(k.conv && !engineHasConverter(k.conv) ? [`[WARNING]  (0) : config : parsing [${join(dir, 'known.cfg')}:${i + 8}] : converter '${k.conv}' is not supported by HAProxy Lab yet: it gives no sample.`] : []),
    ]);
    // not vacuous: most of these names are still HAProxy-only, and regsub/json/url_dec are the engine's own
    expect(lacking.length).toBeGreaterThan(3);
    expect(engineHasConverter('regsub')).toBe(true);
    const theirs = real.lines.filter((l) => l !== 'Configuration file is valid');
    // the order of two notes on one line follows the engine's compile order, so lines are compared as sets
    expect([...ours.lines].sort()).toEqual([...theirs, ...lacking, 'Warnings were found.', 'Configuration file is valid'].filter((l, i, all) => all.indexOf(l) === i).sort());
  });
});

// One wrong line per config: HAProxy stops reading some sections at the first fatal error.
const REFUSED: Record<string, string> = {
  'an unknown fetch in an ACL': '    acl a nosuchfetch -m found\n',
  'an unknown converter in an ACL': '    acl a str(x),nosuchconv -m found\n',
  'an unknown fetch in a header format': '    http-request set-header X %[nosuch2]\n',
  'an unknown converter in a header format': '    http-request set-header X %[str(a),nosuchconv2]\n',
  'an unknown fetch in set-var': '    http-request set-var(txn.a) nosuch3\n',
  'an unknown converter in set-var': '    http-request set-var(txn.b) str(a),nosuchconv3\n',
  'a misspelled HAProxy-only converter': '    acl a str(x),xxh33 -m found\n',
  'a misspelled HAProxy-only fetch': '    acl a req.body_paramm(x) -m found\n',
  'too many arguments to a HAProxy-only converter': '    acl a str(x),xxh3(1,2) -m found\n',
  'too many arguments to a converter of three': '    acl a str(x),field(1,:,3,4) -m found\n',
  'a HAProxy-only converter given arguments it takes none of': '    acl a str(x),mqtt_is_valid(1) -m found\n',
  'a HAProxy-only converter that cannot take the type before it': '    acl a str(x),sha1,xxh3,ltime(1,2,3) -m found\n',
  'an integer argument that is no integer': '    acl a str(x),xxh3(abc) -m found\n',
  'a bad IPv4 mask': '    acl a src,ipmask(33) -m found\n',
  'a bad IPv6 mask': '    acl a src,ipmask(24,129) -m found\n',
  'an unknown json input type': '    acl a str(x),json(utf9) -m found\n',
  'an unknown regsub flag': '    acl a str(x),regsub(a,b,gx) -m found\n',
  'a concat variable without a scope': '    acl a str(x),concat(a,bad) -m found\n',
  'strcmp without a variable': '    acl a str(x),strcmp() -m found\n',
  'a be2dec chunk out of range': '    acl a str(x),be2dec(-,9) -m found\n',
  'an unknown digest': '    acl a str(x),digest(nope) -m found\n',
  'an hmac key that is no base64': '    acl a str(x),hmac(sha1,abc) -m found\n',
  'sha2 with an unsupported size': '    acl a str(x),sha2(100) -m found\n',
  'json_query without a path': "    acl a str(x),json_query('') -m found\n",
  'json_query with an unknown output type': "    acl a str(x),json_query('$.a',x) -m found\n",
  'an unknown tcp-request session action': '    tcp-request session foo\n',
  'a session set-var reading the request buffer': '    tcp-request session set-var(sess.a) req.len\n',
  'a connection set-var reading the request buffer': '    tcp-request connection set-var(txn.a) req.len\n',
  'an unknown converter in a content set-var': '    tcp-request content set-var(txn.a) req.len,nosuch\n',
  'a broken condition on a session set-var': '    tcp-request session set-var(sess.a) src if { nosuch }\n',
  'an odd count of hex digits in bin()': '    acl a bin(616) -m found\n',
  'a non-hex digit in bin()': '    acl a bin(61zz) -m found\n',
  'an empty bin()': '    http-request set-var(txn.a) bin()\n',
  'an IPv4 literal with three parts': '    acl a ipv4(1.2.3) -m found\n',
  'an IPv4 literal with a leading zero': '    acl a ipv4(010.0.0.1) -m found\n',
  'an IPv6 literal that is an IPv4 one': '    acl a ipv6(1.2.3.4) -m found\n',
  'a method literal that is no token': '    acl a meth(G@T) -m found\n',
  'a uuid version other than 4': '    acl a uuid(3) -m found\n',
  'a date unit other than s, ms or us': '    acl a date(0,h) -m found\n',
  'a protobuf field path ending in a dot': '    acl a bin(00),protobuf(1.) -m found\n',
  'a protobuf field path that is no number': '    acl a bin(00),protobuf(x) -m found\n',
  'an unknown protobuf type': '    acl a bin(00),ungrpc(1,int8) -m found\n',
  'an unknown FIX tag name': '    acl a bin(00),fix_tag_value(Nope) -m found\n',
  'a FIX tag of 0': '    acl a bin(00),fix_tag_value(0) -m found\n',
  'an unknown MQTT packet type': '    acl a bin(00),mqtt_field_value(connects,flags) -m found\n',
  'an MQTT packet type number out of range': '    acl a bin(00),mqtt_field_value(16,flags) -m found\n',
  'an MQTT field the packet type does not have': '    acl a bin(00),mqtt_field_value(connack,username) -m found\n',
  'an unknown MQTT field': '    acl a bin(00),mqtt_field_value(connect,nope) -m found\n',
};

describe.skipIf(!hasHaproxy)('names and arguments HAProxy refuses are refused with its words', () => {
  Object.entries(REFUSED).forEach(([name, body], i) => {
    it(name, () => {
      const { real, ours } = bothCheck(`refused-${i}`, body);
      expect(real.code).toBe(1);
      // A refused http-request rule ends HAProxy's reading (ERR_ABORT), so it never gets to say "Fatal errors
      // found"; the engine reads on and says it. That one line is the engine's known difference, not a name's.
      const aborted = /^    http-(request|response|after-response) /.test(body);
      expect(aborted ? ours.lines.filter((l) => !l.endsWith(': config : Fatal errors found in configuration.')) : ours.lines).toEqual(real.lines);
      expect(ours.code).toBe(real.code);
    });
  });
});
