// set-var's 2.6 conditions (ifexists, ifnotexists, ifempty, ifnotempty, ifset, ifnotset, ifgt, iflt) in rules
// and in the set-var converter, against real HAProxy 2.6: which sets take effect, and that a variable a declined
// condition created exists without a value (a later ifexists finds it, var() gives nothing), and a declined
// set-var converter fails, which ends its chain; plus haproxy -c's
// messages for an unknown condition and for conditions on unset-var.
import { beforeAll, describe, expect, it } from 'vitest';
import { hasHaproxy } from '../helpers/haproxy.ts';
import { checkBoth } from '../helpers/config-check.ts';
import { eachCaseAsHaproxy, playThroughBoth, type RawCase, type Seen } from '../helpers/play-both.ts';

const SHOW = 'e1=%[var(txn.e1)] e2=%[var(txn.e2)] ne=%[var(txn.ne)] em=%[var(txn.em)] em2=%[var(txn.em2)] nem=%[var(txn.nem)] set=%[var(txn.set)] nset=%[var(txn.nset)] gt=%[var(txn.gt)] lt=%[var(txn.lt)] late=%[var(txn.late)] cv=%[var(txn.cv)] s=%[var(sess.s)]';

const config = `
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
frontend fe
    bind 127.0.0.1:{{port0}}
    http-request set-var(txn.e1,ifexists) str(no)
    http-request set-var(txn.e2) str(old)
    http-request set-var(txn.e2,ifexists) str(new)
    http-request set-var(txn.ne) str(first)
    http-request set-var(txn.ne,ifnotexists) str(second)
    http-request set-var(txn.em,ifempty) int(5)
    http-request set-var(txn.em2,ifempty) str()
    http-request set-var(txn.nem,ifnotempty) str()
    http-request set-var(txn.nem,ifnotempty) str(full)
    http-request set-var(txn.set,ifset) str(no)
    http-request set-var(txn.nset,ifnotset) str(yes)
    http-request set-var(txn.gt) int(10)
    http-request set-var(txn.gt,ifgt) int(20)
    http-request set-var(txn.gt,ifgt) int(3)
    http-request set-var(txn.lt) int(10)
    http-request set-var(txn.lt,iflt) int(3)
    http-request set-var(txn.lt,iflt) int(20)
    http-request set-var(txn.late,ifexists) str(no)
    # txn.em was created by the declined ifempty above: it exists now, without a value
    http-request set-var(txn.em,ifexists) str(filled) if { path /fill }
    # a declined set-var converter fails: the chain stops there (sess.s is not set by this line)
    http-request set-var(txn.cv) str(x),set-var(txn.cv2,ifexists),set-var(sess.s,ifnotexists)
    http-request set-var(txn.cv) str(y),set-var(sess.s,ifnotexists)
    http-request return status 200 content-type text/plain lf-string "${SHOW}"
`;

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

const CASES: RawCase[] = [
  { name: 'each condition sets or declines as in HAProxy', send: get('/') },
  { name: 'a variable a declined condition created takes a value under ifexists', send: get('/fill') },
  { name: 'a sess variable set under ifnotexists keeps its first value across requests', send: get('/') + get('/') },
];

describe.skipIf(!hasHaproxy)("set-var's conditions act as in HAProxy 2.6", () => {
  let seen: { expected: Map<string, Seen>; got: Map<string, Seen> };
  beforeAll(async () => {
    seen = await playThroughBoth(config, CASES);
  }, 60_000);
  eachCaseAsHaproxy(CASES, () => seen);

  it('sees what it was written for (the cases are not vacuous)', () => {
    const b = seen.expected.get(CASES[0]!.name)!.bytes;
    expect(b).toContain('e1= e2=new ne=first em= em2= nem=full set= nset=yes gt=3 lt=20 late= cv=y s=y');
    expect(seen.expected.get(CASES[1]!.name)!.bytes).toContain(' em=filled ');
  });

  it.each([
    ['http-request set-var(txn.a,foo) int(1)'],
    ['http-request unset-var(txn.a,ifexists)'],
    ['tcp-request content set-var(txn.a,bar) int(1)'],
    ['http-request set-var(txn.c) int(1),set-var(txn.d,zork)'],
    ['http-request set-var(txn.c,ifexists,ifgt) int(1),set-var(txn.d,ifexists,iflt)'],
  ])('haproxy -c and the engine agree on: %s', (line) => {
    const { haproxy, engine } = checkBoth(`
defaults
    mode http
    timeout connect 1s
    timeout client 1s
    timeout server 1s
frontend fe
    bind 127.0.0.1:8083
    ${line}
`);
    expect(engine).toEqual(haproxy);
  });
});
