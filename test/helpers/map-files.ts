// The map and pattern files the map parity suites give both proxies: comments, blank lines, leading blanks,
// inner and trailing blanks, duplicate keys, ranges, networks and regexes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The files both proxies read: comments, blank lines, leading blanks, inner and trailing blanks, duplicates. */
export const MAP_FILES: Record<string, string> = {
  'paths.map': '# path prefixes\n/api      api\n   /api/v2   api-v2  with words  \n\n/static static\n/dup first\n/dup second\n/img/ images\n',
  'hosts.map': 'example.com be_a\nwww.example.com be_b\nother.org be_missing\n',
  'doms.map': 'example.com dom-example\norg dom-org\n',
  'ends.map': '.png image\n.css style\n',
  'regs.map': '^/u/([a-z]+)/(\\d+)$ user-\\1-\\2\n^/r/ regmatch\n',
  'ints.map': '1 one\n5:10 five-to-ten\n20 twenty\n',
  'ints-int.map': '1 100\n5:10 510\n20 -42\n',
  'ips.map': '10.0.0.0/8 net10\n127.0.0.0/8 lo8\n127.0.0.2/32 lo2\n127.0.0.0/255.0.255.0 noncontiguous\n192.0.2.0/255.0.255.0 noncontiguous2\n::1 v6lo\n',
  'ips-int.map': '127.0.0.0/8 8\n127.0.0.2 32\n',
  'ip-values.map': '/a 10.1.2.3\n/b ::ffff:10.0.0.1\n',
  'prefixes.lst': '# one pattern per line\n/admin\n  /private\n/with space here\n',
  'blocked.lst': '127.0.0.9\n127.0.1.0/24\n',
  'methods.lst': 'PUT\nDELETE\n',
};

/** Writes MAP_FILES into a fresh directory; the caller removes it. */
export function writeMapFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-maps-'));
  for (const [name, text] of Object.entries(MAP_FILES)) writeFileSync(join(dir, name), text);
  return dir;
}
