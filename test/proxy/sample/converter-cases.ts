// Converter cases shared by the unit test (test/proxy/sample/converters-more.test.ts, the engine alone) and the
// parity test (test/parity/converters.test.ts, which also checks each `expect` against real HAProxy 2.6.12):
// a format string for "http-request return ... lf-string", the request headers it reads, and HAProxy's answer.
export interface ConverterCase {
  readonly name: string;
  readonly fmt: string;
  /** Request headers as [name, value, name, value ...]; ASCII only (bytes come from url_dec inside fmt). */
  readonly headers?: readonly string[];
  readonly expect: string;
}

const JSON_DOC = '{"a":1.5,"b":{"c":"x\\\\u00e9y\\\\n"},"arr":[10,20],"f":false,"t":true,"n":null,"big":12345678901,"fl":-12.9,"s":"q\\\\"z","e":1e300}';
// Inputs of the lengths where XXH3 changes method (0, 1-3, 4-8, 9-16, 17-128, 129-240, longer, more than a block).
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(30);
const HASH_LENGTHS = [0, 3, 7, 12, 20, 50, 100, 200, 300, 1100];
const hashInput = (n: number): string => (n === 0 ? 'str(),ltrim(x)' : `str(${ALNUM.slice(0, n)})`);
const q = (path: string, h = 'x-js', extra = ''): string => `%[req.fhdr(${h}),json_query('${path}'${extra})]`;

// A protobuf message: 1=150 (varint), 2="testing", 3={1=150}, 4=fixed32 0x80000001, 5=fixed64 -1, 6=varint 3
// (zigzag -2), 7=float -2.5, 8=double 3.75, 9=double -7.9; and two gRPC frames, {1=150} then {2=3}.
const PB = '089601120774657374696e671a03089601250100008029ffffffffffffffff30033d000020c0410000000000000e40499a99999999991fc0';
const GRPC = '000000000308960100000000021003';
const pb = (path: string, extra = ''): string => `%[bin(${PB}),protobuf(${path})${extra}]`;
// FIX messages (hex): valid, a wrong checksum, a wrong body length, cut before its checksum, shorter than 26
// bytes, not starting with BeginString, an unknown version, an empty MsgType value, a tag past FIX.4.0's range
const FIX = {
  valid: '383d4649582e342e3401393d35310133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a30300131303d31333101',
  badCheck: '383d4649582e342e3401393d35310133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a30300131303d31333201',
  badLength: '383d4649582e342e3401393d35320133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a30300131303d31333201',
  cut: '383d4649582e342e3401393d35310133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a3030',
  short: '383d4649582e342e3401393d35310133353d4101',
  notBegin: '393d4649582e342e3401393d35310133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a30300131303d31333201',
  version: '383d4649582e392e3901393d35310133353d410134393d53454e4445520135363d5441524745540133343d310135323d32303230303130312d30303a30303a30300131303d31343101',
  emptyValue: '383d4649582e342e3401393d350133353d0131303d3030300178787878787878787878787878787878',
  range40: '383d4649582e342e3001393d31320133353d41013135303d780131303d30303001787878787878',
};

// MQTT packets (hex), made for these cases: CONNECT 3.1.1 (plain, and with a will, user and password), 3.1 'MQIsdp',
// 5.0 with properties and will properties, 5.0 without a will; broken ones; CONNACKs of 3.1.1 and 5.0.
const MQTT = {
  v311: '101000044d5154540402003c0004636c6931',
  v311full: '102400044d51545404ee001e0004636c69320002777400027770000475736572000470617373',
  isdp: '101600064d514973647003c2000a00026333000175000170',
  v5: '106600044d51545405c6003c241100000078210014270000ffff2600016b0001761500046d6574681600046461746117010004636c69351e180000000703000a746578742f706c61696e080002727401010200000063000377743500037770350002753500027035',
  v5nowill: '101400044d5154540502003c032100050004636c6936',
  reserved: '101000044d5154540403003c0004636c6931',
  badname: '101000044d5154580402003c0004636c6931',
  version6: '101000044d5154540602003c0004636c6931',
  qosnowill: '101000044d515454040a003c0004636c6931',
  short: '101000044d5154540402003c0004636c',
  longer: '100f00044d5154540402003c0004636c6931',
  publish: '300c0005746f70696368656c6c6f',
  badflags: '111000044d5154540402003c0004636c6931',
  authdata: '101500044d5154540502003c04160001640004636c6931',
  dupprop: '101700044d5154540502003c062100052100060004636c6931',
  recvmax0: '101400044d5154540502003c032100000004636c6931',
  connack3: '20020100',
  connack5: '202b0000281100000078217fff24012501270000ffff22000a12000861737369676e65641f000377687913001e',
  connackunk: '20050000020501',
  connackbad: '20020200',
  varint5: '10ffffffff7f00',
};
const mq = (m: keyof typeof MQTT, type: string, fields: readonly string[]): string => fields.map((f) => `%[bin(${MQTT[m]}),mqtt_field_value(${type},${f})]`).join('|');

export const CONVERTER_CASES: readonly ConverterCase[] = [
  { name: 'regsub replaces the first match, or every one with g, case-blind with i', fmt: '%[str(aXbXc),regsub(X,_)]|%[str(aXbXc),regsub(X,_,g)]|%[str(aXbxc),regsub(x,_,gi)]', expect: 'a_bXc|a_b_c|a_b_c' },
  { name: 'regsub anchors ^ only at the start and steps over empty matches', fmt: '%[str(abcabc),regsub(^a,Z,g)]|%[str(abc),regsub(x*,-,g)]|%[str(abc),regsub(x*,-)]', expect: 'Zbcabc|-a-b-c-|-abc' },
  {
    name: 'regsub takes groups, \\xHH bytes and quoted patterns holding parentheses',
    fmt: "%[str(foo.bar.baz),regsub(\\.,_,g)]|%[str(hello),regsub('(l+)','<\\1>')]|%[str(hello),regsub(l,\\x41,g)]|%[str(ab),regsub('(a)|(z)','[\\1\\2]',g)]",
    expect: 'foo_bar_baz|he<ll>o|heAAo|[a]b',
  },
  { name: 'url_dec reads + as a space only in a form or after ?, a broken escape gives nothing', fmt: '%[str(a%20b+c),url_dec]|%[str(a%20b+c),url_dec(1)]|%[str(a+b?c+d),url_dec]|%[str(a%2),url_dec]|%[str(%41%6a),url_dec]|%[str(%C3%A9),url_dec,hex]', expect: 'a b+c|a b c|a+b?c d||Aj|C3A9' },
  { name: 'url_enc escapes all but the unreserved characters', fmt: '%[str(a b/c?d=e&f~g),url_enc(query)]|%[str(x;y),url_enc()]|%[str(%C3%A9),url_dec,url_enc]', expect: 'a%20b%2Fc%3Fd%3De%26f~g|x%3By|%C3%A9' },
  { name: 'json escapes quotes, backslashes, slashes and control bytes', fmt: '%[req.hdr(x-j),json(ascii)]|%[str(a%01b%7F),url_dec,json(ascii)]|%[str(a%09%0A%0D%08%0C),url_dec,json]', headers: ['X-J', 'a"b\\c/d'], expect: 'a\\"b\\\\c\\/d|a\\u0001b\\u007f|a\\t\\n\\r\\b\\f' },
  {
    name: 'json reads UTF-8 strictly with utf8/utf8p and skips bad bytes with utf8s/utf8ps',
    fmt: '%[str(h%C3%A9llo),url_dec,json(utf8)]|%[str(h%C3%A9llo),url_dec,json(ascii)]|%[str(a%FFb),url_dec,json(utf8)]|%[str(a%FFb),url_dec,json(utf8s)]|%[str(a%FFb),url_dec,json(utf8p)]|%[str(a%FFb),url_dec,json(utf8ps)]|%[str(%F0%9F%98%80x),url_dec,json(utf8s)]|%[str(%C0%80x),url_dec,json(utf8p)]|%[str(%C0%80x),url_dec,json(utf8)]',
    expect: 'h\\u00e9llo|h\\u00c3\\u00a9llo||ab||ab|x|\\u0000x|',
  },
  { name: 'concat joins a variable between strings, a missing one as nothing', fmt: '%[str(a),concat(-,txn.abc,-)]|%[str(a),concat(-)]|%[str(a),concat(,txn.none,!)]|%[str(a),concat(<,txn.int,>)]', expect: 'a-abc-|a-|a!|a<42>' },
  { name: 'add_item puts the delimiter only after a non-empty input', fmt: '%[str(a),add_item(-,txn.abc)]|%[str(),add_item(-,txn.abc)]|%[str(a),add_item(-,,s)]|%[str(a),add_item(-,txn.none)]', expect: 'a-abc|abc|a-s|a' },
  { name: 'strcmp gives the byte difference or the length order', fmt: '%[str(abc),strcmp(txn.abc)]|%[str(abd),strcmp(txn.abc)]|%[str(abc),strcmp(txn.abd)]|%[str(abc),strcmp(txn.ab)]|%[str(a),strcmp(txn.ab)]|%[str(z),strcmp(txn.abc)]|%[str(a),strcmp(txn.none)]', expect: '0|1|-1|1|-1|25|' },
  { name: 'secure_memcmp compares bytes with a variable', fmt: '%[str(abc),secure_memcmp(txn.abc)]|%[str(abd),secure_memcmp(txn.abc)]|%[str(ab),secure_memcmp(txn.abc)]|%[str(a),secure_memcmp(txn.none)]', expect: '1|0|0|' },
  { name: 'iif picks by a boolean, an integer one included', fmt: '%[bool(1),iif(yes,no)]|%[bool(0),iif(yes,no)]|%[int(5),iif(y,n)]|%[str(),iif(y,n)]', expect: 'yes|no|y|' },
  { name: 'cut_crlf stops at the first CR or LF', fmt: '%[str(ab%0Dcd),url_dec,cut_crlf]|%[str(ab%0Acd),url_dec,cut_crlf]|%[str(abc),cut_crlf]', expect: 'ab|ab|abc' },
  { name: 'ub64enc and ub64dec (where = reads as _)', fmt: '%[str(abc?>),ub64enc]|%[str(YWJjPz4),ub64dec]|%[str(YWJjPz4=),ub64dec]|%[str(Y),ub64dec]', expect: 'YWJjPz4|abc?>|abc?>?|' },
  { name: 'be2dec groups bytes into numbers', fmt: '%[str(abcdef),be2dec(-,2)]|%[str(abcde),be2dec(-,2,1)]|%[str(abcde),be2dec(,3)]|%[str(abcdefghij),be2dec(:,8)]', expect: '24930-25444-25958|24930-25444|638217925701|7017280452245743464:26986' },
  { name: 'be2hex groups bytes into hex', fmt: '%[str(abcdef),be2hex]|%[str(abcdef),be2hex(:,2)]|%[str(abcde),be2hex(-,2,1)]|%[str(abc),be2hex()]', expect: '616263646566|6162:6364:6566|6162-6364|616263' },
  { name: 'htonl, cpl, odd and even', fmt: '%[int(1),htonl,hex]|%[int(-1),htonl,hex]|%[int(4294967297),htonl,hex]|%[int(5),cpl]|%[int(5),odd]|%[int(5),even]|%[int(-4),even]', expect: '00000001|FFFFFFFF|00000001|-6|1|0|1' },
  { name: 'host_only and port_only split a Host value', fmt: '%[str(Example.COM:8080),host_only]|%[str(Example.COM:8080),port_only]|%[str([::1]:80),host_only]|%[str([::1]),port_only]|%[str(host:),port_only]|%[str(host:x1),port_only]|%[str(h),host_only]', expect: 'example.com|8080|[::1]|0|0|721|h' },
  { name: 'crc32, crc32c, djb2, sdbm and wt6, with and without full_hash', fmt: '%[str(abc),crc32]|%[str(abc),crc32(1)]|%[str(abc),crc32c]|%[str(abc),crc32c(1)]|%[str(abc),djb2]|%[str(abc),djb2(1)]|%[str(abc),sdbm]|%[str(abc),sdbm(1)]|%[str(abc),wt6]|%[str(abc),wt6(1)]', expect: '891568578|930845320|910901175|1285784220|193485963|2235766107|807794786|659243622|2483038440|266135527' },
  { name: 'xxh32 with seeds, across its 16-byte stripes, and crc32 of an integer', fmt: '%[str(abc),xxh32]|%[str(abc),xxh32(1)]|%[str(abcdefghijklmnopqrstuvwxyz0123456789),xxh32(7)]|%[str(),xxh32]|%[int(1),crc32]', expect: '852579327|2856167679|2952058505|46947589|304476159' },
  { name: 'sha1 and sha2', fmt: '%[str(abc),sha1,hex]|%[str(abc),sha2(224),hex]|%[str(abc),sha2(512),base64]', expect: 'A9993E364706816ABA3E25717850C26C9CD0D89D|23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7|3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==' },
  { name: 'digest and hmac with a base64 key or a variable holding one', fmt: '%[str(abc),digest(md5),hex]|%[str(abc),hmac(sha256,c2VjcmV0),hex]|%[str(abc),hmac(sha1,txn.key),hex]|%[str(abc),hmac(sha1,txn.abc),hex]', expect: '900150983CD24FB0D6963F7D28E17F72|9946DAD4E00E913FC8BE8E5D3F7E110A4A9E832F83FB09C345285D78638D8A0E|694ABD10842D161DDBC54DF8A0D57CF64D0DBCC9|' },
  {
    name: 'ipmask masks IPv4 (and IPv4-mapped) addresses, IPv6 ones only with an IPv6 mask',
    fmt: '%[src,ipmask(24)]|%[src,ipmask(255.255.0.0)]|%[str(10.1.2.3),ipmask(8)]|%[str(::ffff:10.1.2.3),ipmask(16)]|%[str(2001:db8:1:2::5),ipmask(24,64)]|%[str(2001:db8::5),ipmask(24)]|%[str(2001:db8:0:0:1:0:0:5),ipmask(24,ffff:ffff:0:0:ffff::)]',
    expect: '127.0.0.0|127.0.0.0|10.0.0.0|10.1.0.0|2001:db8:1:2::||2001:db8:0:0:1::',
  },
  { name: 'ipmask prints IPv6 as inet_ntop does', fmt: '%[str(fe80::1:2),ipmask(0,16)]|%[str(1:2:3:4:5:6:7:8),ipmask(8,128)]|%[str(::5),ipmask(8,128)]|%[str(1:0:0:2:0:0:0:3),ipmask(8,128)]|%[str(::1.2.3.4),ipmask(8,128)]|%[str(1:0:0:1:0:0:0:1),ipmask(8,128)]|%[str(::),ipmask(8,128)]', expect: 'fe80::|1:2:3:4:5:6:7:8|::5|1:0:0:2::3|::1.2.3.4|1:0:0:1::1|::' },
  {
    name: 'http_date writes an IMF-fixdate, with an offset, ms/us fractions (unpadded) and 55-bit masking of negatives',
    fmt: '%[int(1700000000),http_date]|%[int(1700000000),http_date(3600)]|%[int(1700000000005),http_date(0,ms)]|%[int(1700000000123456),http_date(0,us)]|%[int(0),http_date]|%[int(-1),http_date]|%[int(1700000000999),http_date(-1000,ms)]|%[int(4102444800),http_date]',
    expect: 'Tue, 14 Nov 2023 22:13:20 GMT|Tue, 14 Nov 2023 23:13:20 GMT|Tue, 14 Nov 2023 22:13:20.5 GMT|Tue, 14 Nov 2023 22:13:20.123456 GMT|Thu, 01 Jan 1970 00:00:00 GMT|Sun, 13 Jun 1141709097 06:26:07 GMT|Tue, 14 Nov 2023 22:13:19.999 GMT|Fri, 01 Jan 2100 00:00:00 GMT',
  },
  {
    name: 'utime formats a UTC date with strftime in the C locale, unknown conversions kept',
    fmt: '%[int(1700000000),utime(%Y-%m-%d %H:%M:%S)]|%[int(1700000000),utime(%a %A %b %B %d %e %j %u %w %y %C %Z %z %%,60)]|%[int(1700000000),utime(%c|%D|%F|%T|%R|%r|%p|%I|%s|%x|%X|%k|%l|%P|%q|%Q)]|%[int(951782400),utime(%F %j %a)]|%[int(-1),utime(%Y-%m-%d %T %j)]',
    expect: '2023-11-14 22:13:20|Tue Tuesday Nov November 14 14 318 2 2 23 20 GMT +0000 %|Tue Nov 14 22:13:20 2023|11/14/23|2023-11-14|22:13:20|22:13|10:13:20 PM|PM|10|1700000000|11/14/23|22:13:20|22|10|pm|%q|%Q|2000-02-29 060 Tue|1141709097-06-13 06:26:07 164',
  },
  {
    name: 'json_query gives numbers as %g or int, strings unescaped, booleans, and nothing for null, objects, the missing or what follows a syntax error',
    fmt: [q('$.a'), q('$.b.c'), q('$.arr[1]'), q('$.f'), q('$.t'), q('$.n'), q('$.big'), q('$.big', 'x-js', ",'int'"), q('$.fl', 'x-js', ",'int'"), q('$.s'), q('$.b'), q('$.nope'), q('$.e')].join('|'),
    headers: ['X-JS', JSON_DOC],
    expect: '1.5|x\\u00e9y\\n|20|0|1||1.23457e+10|12345678901|-12|q\\|||',
  },
  {
    name: 'json_query takes the first of duplicate keys, ignores text after the document, decodes \\u00XX only, reads 010 as octal',
    fmt: [q('$.a', 'x-js2'), q('$.a[0]', 'x-js2'), q('$.a', 'x-js3'), q('$.x.y', 'x-js3'), q('$', 'x-js3'), q('$.a', 'x-u1'), q('$.a', 'x-u2'), q('$.a', 'x-u3', ",'int'"), q('$.a.b', 'x-u5'), q('$.a[2]', 'x-u4'), q('$.a[1]', 'x-u4', ",'int'")].join('|'),
    headers: ['X-JS2', '{"a":[1,2],"a":3}', 'X-JS3', '{"a":100000000, "x":{"y":-0.5e-7}} trailing', 'X-U1', '{"a":"\\u0041\\t"}', 'X-U2', '{"a":"\\u20ac"}', 'X-U3', '{"a":010}', 'X-U5', '{"a":{"b":true}, "a":{"b":false}}', 'X-U4', '{"a":[1, 99999999999999999, 3.25e2]}'],
    expect: '|1|1e+08|-5e-08||A\t||8|1|325|',
  },
  {
    name: 'xxh3 and xxh64 give the signed 64-bit hash, with seeds, at every input length class',
    fmt: HASH_LENGTHS.map((n) => `%[${hashInput(n)},xxh3]/%[${hashInput(n)},xxh3(-7)]/%[${hashInput(n)},xxh64(123456789012)]`).join('|'),
    expect: '3244421341483603138/688000891968069273/-559180016014027727|8696274497037089104/-7562601896569835698/3993434301404828515|6503440028625798447/7281229747052491911/-1371266031402349248|5962407605547824855/-1929526401393656786/5501428918450303729|7479207030759164854/-6653042249347479681/-2343342077743050496|5517074968906946207/-4478619821016997075/-6699786580242150133|531741575282661660/-6075540370174108154/3205182144298736942|-7553545836766369820/-3834745687502902133/1322443569850228813|8836643594396700474/-2345117785895103999/3927400887443676357|-481479783236957179/-8589184210713180141/-126209061289267142',
  },
  {
    name: 'xxh64 of short inputs, with a seed, and the empty input',
    fmt: '%[str(abc),xxh64]|%[str(abc),xxh64(1)]|%[str(),ltrim(x),xxh64]|%[str(abc),xxh3(1)]',
    expect: '4952883123889572249|-4708009277469325048|-1205034819632174695|7729416884403528232',
  },
  {
    name: 'integer arithmetic is 64-bit and saturates at the limits instead of wrapping',
    fmt: '%[int(9223372036854775807),add(1)]|%[int(-9223372036854775808),sub(1)]|%[int(4611686018427387904),mul(2)]|%[int(4611686018427387904),mul(-2)]|%[int(-9223372036854775808),neg]|%[int(-9223372036854775808),div(-1)]|%[int(-9223372036854775808),mod(-1)]|%[int(1),add(9223372036854775807)]|%[int(5),add(-99999999999999999999)]|%[int(9007199254740993),add(2)]|%[int(9007199254740993),mul(3)]|%[int(-9007199254740993),div(2)]',
    expect: '9223372036854775807|-9223372036854775808|9223372036854775807|-9223372036854775808|9223372036854775807|9223372036854775807|0|9223372036854775807|-9223372036854775803|9007199254740995|27021597764222979|-4503599627370496',
  },
  {
    name: 'integers beyond 2^53 stay exact: literals, casts from text, hex2i, cpl, hex and bitwise operators',
    fmt: '%[int(9007199254740993)]|%[int(99999999999999999999)]|%[str(9007199254740993),add(0)]|%[str(-99999999999999999999),add(0)]|%[str(FFFFFFFFFFFFFFFF),hex2i]|%[str(7FFFFFFFFFFFFFFF),hex2i]|%[int(9223372036854775807),cpl]|%[int(9223372036854775807),hex]|%[int(9007199254740993),and(9007199254740995)]|%[int(9007199254740993),xor(1)]|%[int(9007199254740993),odd]',
    expect: '9007199254740993|9223372036854775807|9007199254740993|-9223372036854775808|-1|9223372036854775807|-9223372036854775808|7FFFFFFFFFFFFFFF|9007199254740993|9007199254740992|1',
  },
  {
    name: 'the literal fetches bin, ipv4, ipv6 and meth give their argument in their type',
    fmt: '%[bin(616263)]|%[bin(6162),hex]|%[bin(41004200)]|%[bin(41004200),length]|%[ipv4(10.0.0.1)]|%[ipv4(10.1.2.3),ipmask(8)]|%[ipv4(1.2.3.4),hex]|%[ipv6(2001:DB8:0::1)]|%[ipv6(::ffff:1.2.3.4)]|%[ipv6(::1),hex]|%[meth(GET)]|%[meth(get)]|%[meth(FOO),hex]|%[thread]',
    expect: 'abc|6162|A|1|10.0.0.1|10.0.0.0|01020304|2001:db8::1|::ffff:1.2.3.4|00000000000000000000000000000001|GET|get|464F4F|0',
  },
  {
    name: 'protobuf reads varints, zigzag, fixed and floating values, nested paths and raw bytes; a wrong wire type gives nothing',
    fmt: [pb('1', ',hex'), pb('1,int32'), pb('2'), pb('3.1,uint64'), pb('3,int32'), pb('4,fixed32'), pb('4,sfixed32'), pb('5,fixed64'), pb('5,sfixed64'), pb('6,sint32'), pb('6,int32'), pb('7,float'), pb('8,double'), pb('9,double'), pb('10'), pb('1,fixed32'), pb('3', ',hex'), pb('4', ',hex'), pb('1,int32', ',hex')].join('|'),
    expect: '9601|150|testing|150||2147483649|-2147483647|-1|-1|-2|3|4294967294|3|-7|||089601|01000080|0000000000000096',
  },
  {
    name: 'ungrpc walks gRPC frames to the one holding the field',
    fmt: `%[bin(${GRPC}),ungrpc(2,int32)]|%[bin(${GRPC}),ungrpc(1,sint64)]|%[bin(${GRPC}),ungrpc(3)]|%[bin(0000000009089601),ungrpc(1,int32)]`,
    expect: '3|75||',
  },
  {
    name: 'fix_is_valid checks the first three tags, the body length and the checksum; too little data is no answer yet',
    fmt: Object.values(FIX).map((m) => `%[bin(${m}),fix_is_valid]`).join('|'),
    expect: '1|0|0|||0|0|0|0',
  },
  {
    name: 'fix_tag_value finds a tag by number or name (case-blind), never past CheckSum',
    fmt: ['35', 'MsgType', 'sendercompid', '52', '999', 'BeginString', '10'].map((t) => `%[bin(${FIX.valid}),fix_tag_value(${t})]`).join('|') + `|%[bin(${FIX.cut}),fix_tag_value(999)]|%[bin(${FIX.emptyValue}),fix_tag_value(35)]|%[bin(${FIX.emptyValue}),fix_tag_value(10)]`,
    expect: 'A|A|SENDER|20200101-00:00:00||FIX.4.4|131|||000',
  },
  {
    name: 'mqtt_is_valid accepts CONNECT and CONNACK packets only, and has no answer yet for a packet cut short',
    fmt: (Object.keys(MQTT) as (keyof typeof MQTT)[]).map((m) => `%[bin(${MQTT[m]}),mqtt_is_valid]`).join('|') + '|%[bin(108080808001),mqtt_is_valid]|%[bin(1080808001),mqtt_is_valid]|%[bin(00),mqtt_is_valid]|%[bin(0000),mqtt_is_valid]',
    expect: '1|1|1|1|1|0|0|0|1||0|0|0|0|0|0|1|1||0|0|0|||0',
  },
  {
    name: 'mqtt_field_value reads a 5.0 CONNECT: header fields, properties, will properties and the payload',
    fmt: mq('v5', 'connect', ['flags', 'protocol_name', 'protocol_version', 'client_identifier', 'will_topic', 'will_payload', 'username', 'password', 'keepalive', '17', '33', '39', '21', '22', '23', '24', '1', '2', '3', '8', '9', '25', '34']),
    expect: '198|MQTT|5|cli5|wt5|wp5|u5|p5|60|120|20|65535|meth|data|1|7|1|99|text/plain|rt||0|0',
  },
  {
    name: 'mqtt_field_value gives 5.0 fields only of 5.0 packets and will properties only with a will; types by name or number',
    fmt: [mq('v311full', 'CONNECT', ['flags', 'protocol_name', 'protocol_version', 'client_identifier', 'will_topic', 'will_payload', 'username', 'password', 'keepalive', '17', '33', '3']), mq('isdp', '1', ['client_identifier', 'username', 'password', 'protocol_name', 'protocol_version']), mq('v5nowill', 'connect', ['33', '1', '3', 'client_identifier', 'will_topic'])].join('|'),
    expect: '238|MQTT|4|cli2|wt|wp|user|pass|30||||c3|u|p|MQIsdp|3|5|||cli6|',
  },
  {
    name: 'mqtt_field_value reads CONNACKs, whose version is guessed from their length, and only packets of the type asked',
    fmt: [mq('connack3', 'connack', ['flags', 'reason_code', 'protocol_version', '17']), mq('connack5', 'connack', ['flags', 'reason_code', 'protocol_version', '17', '33', '36', '37', '39', '34', '18', '31', '19', '21', '40']), mq('connack5', 'connect', ['flags']), mq('short', 'connect', ['flags']), mq('publish', 'publish', ['1']), mq('connackunk', '2', ['flags'])].join('|'),
    expect: '1|0|4||0|0|5|120|32767|1|1|65535|10|assigned|why|30||0||||',
  },
];
