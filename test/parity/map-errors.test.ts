// Config errors about map files and pattern files read exactly as `haproxy -c` prints them (file:line, the
// converter, the file and the line in it): each config runs through the binary and through the engine's check in
// the same directory, so relative file names resolve alike.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutput } from '../../lab/commands/proxy-check.ts';
import { loadConfig } from '../../proxy/load-config.ts';
import { hasHaproxy } from '../helpers/haproxy.ts';

const FILES: Record<string, string> = {
  'words.map': 'a one\nb two\n',
  'ints.map': '1 10\n2 20\n',
  'keys.lst': '/a\n/b\n',
  'badip.map': '10.0.0.1 x\nnot-an-ip y\n',
};

const HEAD = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend fe\n    bind 127.0.0.1:18771\n';
const TAIL = '    default_backend be\nbackend be\n    server s1 127.0.0.1:18772\n';

/** name → the frontend lines between HEAD and TAIL. */
const CASES: Record<string, string> = {
  'a map file that does not exist': '    http-request set-header X-A %[path,map(nope.map)]\n',
  'a map file missing in a dynamic use_backend': '    use_backend %[req.hdr(host),map(gone.map)]\n',
  'an ACL pattern file that does not exist, with -M': '    acl a path -M -f missing.map\n    http-request deny if a\n',
  'a value that is no integer for map_str_int, with its line in the file': '    http-request set-header X-A %[path,map_str_int(words.map)]\n',
  'a key that is no address for map_ip': '    http-request set-header X-A %[src,map_ip(badip.map)]\n',
  'a default that is no address for map_str_ip': '    http-request set-header X-A %[path,map_str_ip(words.map,nowhere)]\n',
  'a default that is no integer for map_str_int': '    http-request set-header X-A %[path,map_str_int(ints.map,abc)]\n',
  'a one-column file then used as a map': '    acl a path -f keys.lst\n    http-request deny if a\n    http-request set-header X-A %[path,map(keys.lst)]\n',
  'a map file then used as one column': '    http-request set-header X-A %[path,map(words.map)]\n    acl a path -f words.map\n    http-request deny if a\n',
  'the same -u id twice': '    acl a path -u 7 /a\n    acl b path -u 7 /b\n    http-request deny if a || b\n',
  'map_rep, which HAProxy 2.6 does not have': '    http-request set-header X-A %[path,map_rep(words.map)]\n',
  'a valid config using every kind of file': '    acl a path -f keys.lst\n    acl b path -M -f words.map\n    http-request set-header X-A %[path,map(words.map,none)]\n    http-request set-header X-B %[path,map_str_int(ints.map,0)]\n    http-request deny if a b\n',
};

const dir = mkdtempSync(join(tmpdir(), 'lab-map-errors-'));
for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function theirs(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines
    .filter((l) => !/^\[NOTICE\]\s+\(\d+\) : (haproxy version is|path to executable is)/.test(l))
    .map((l) => l.replace(/^(\[\w+\]\s+)\(\d+\)/, '$1(0)'));
}

describe.skipIf(!hasHaproxy)('map and pattern file errors read as haproxy -c prints them', () => {
  Object.entries(CASES).forEach(([name, lines], i) => {
    it(name, () => {
      const file = `case-${i}.cfg`;
      writeFileSync(join(dir, file), HEAD + lines + TAIL);
      const real = spawnSync('haproxy', ['-c', '-f', file], { cwd: dir, encoding: 'utf8' });
      const here = process.cwd();
      process.chdir(dir);
      let ours;
      try {
        ours = checkOutput(loadConfig({ files: [file] }), { pid: 0 });
      } finally {
        process.chdir(here);
      }
      expect(ours.stderr.flatMap((e) => e.split('\n'))).toEqual(theirs(real.stderr));
      expect(ours.stdout.flatMap((e) => e.split('\n'))).toEqual(theirs(real.stdout));
      expect(ours.code).toBe(real.status);
    });
  });
});
