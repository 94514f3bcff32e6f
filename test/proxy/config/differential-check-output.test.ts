// `lab proxy -c` prints what `haproxy -c` prints for the same files: every line, in the same order, on the same
// stream, and nothing more (HAProxy's two start-up notices naming its version and executable aside). Compared on
// every config the episodes ship (starting configs, solutions, wrong answers), the documents' apps/ configs, and
// cases where HAProxy's reading stops its post-read checks.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutput } from '../../../lab/commands/proxy-check.ts';
import { loadConfig } from '../../../proxy/load-config.ts';
import { hasHaproxy } from '../../helpers/haproxy.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

// Every .cfg under a directory, relative to the repository.
function cfgs(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return cfgs(rel);
    return name.endsWith('.cfg') ? [rel] : [];
  });
}

const HEAD = 'defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\n';
/** name → files, each file's text, read in order as `-f a -f b`. */
const CASES: Record<string, Record<string, string>> = {
  'a reading error stops the post-read checks': {
    'b.cfg': 'defaults\n    mode http\nfrontend f\n    bind 127.0.0.1:18001\n    default_backend nope\nbackend b\n    server s1 127.0.0.1:1 weigth 2\n',
  },
  'post-read checks alone: no per-file summary': {
    'c.cfg': 'defaults\n    mode http\nfrontend f\n    bind 127.0.0.1:18001\n    default_backend nope\nbackend b\n    server s1 127.0.0.1:1\n    server s1 127.0.0.1:2\n',
  },
  'two files, the second broken': {
    'one.cfg': `${HEAD}frontend f\n    bind 127.0.0.1:18002\n    default_backend b\n`,
    'two.cfg': 'backend b\n    balanc roundrobin\n    server s1 127.0.0.1:1\n',
  },
  'a rule in the wrong section': {
    'w.cfg': `${HEAD}frontend f\n    bind 127.0.0.1:18003\n    acl p method POST\n    default_backend b\n    server s2 127.0.0.1:5001 check\nbackend b\n    use_backend c if p\n    server s1 127.0.0.1:5003\nbackend c\n    server s1 127.0.0.1:5004\n`,
  },
  'ACL warnings name no line': {
    'acl.cfg': `${HEAD}frontend f\n    bind 127.0.0.1:18004\n    acl a src\n    acl b path_beg (/x)\n    http-request deny if a || b\n    default_backend b\nbackend b\n    server s1 127.0.0.1:1\n`,
  },
  'a refused http-request rule stops the reading (ERR_ABORT): later errors and the post-read checks are not printed': {
    'abort.cfg': `${HEAD}frontend f\n    bind 127.0.0.1:18006\n    http-request frobnicate\n    http-request set-header\n    default_backend nope\n`,
  },
  'tcp-check, init-addr and resolve-prefer errors': {
    'tc.cfg':
      'defaults\n    mode tcp\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nfrontend f\n    bind 127.0.0.1:18011\n    default_backend be\n' +
      'backend be\n    option tcp-check\n    tcp-check expect\n    tcp-check expect string\n    tcp-check expect foo bar\n    tcp-check expect string x ok-status L9OK\n' +
      '    tcp-check bogus\n    tcp-check connect port\n    server s1 127.0.0.1:80 resolvers nope init-addr foo\n    server s2 127.0.0.1:80 resolve-prefer ipv5\n' +
      '    server s3 127.0.0.1:80 resolvers nope\n    server s4 127.0.0.1:80 init-addr none,none\n',
  },
  'resolvers section errors': {
    'rs.cfg':
      'resolvers dns\n    nameserver\n    nameserver a 127.0.0.1:5353\n    nameserver a 127.0.0.1:5354\n    hold bogus 1s\n    hold nx 1x\n    accepted_payload_size 10\n' +
      '    timeout foo 1s\n    timeout retry\n    bogus 1\n' +
      'defaults\n    mode tcp\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nfrontend f\n    bind 127.0.0.1:18012\n    default_backend be\nbackend be\n    server s3 127.0.0.1:80 resolvers nope\n',
  },
  'a server naming a resolvers section that does not exist': {
    'nr.cfg': `${HEAD}frontend f\n    bind 127.0.0.1:18013\n    default_backend be\nbackend be\n    server s3 127.0.0.1:80 resolvers nope\n`,
  },
  'warnings only': {
    'warn.cfg': 'defaults\n    mode http\nfrontend f\n    bind 127.0.0.1:18005\n    default_backend b\nbackend b\n    option httplog\n    server s1 127.0.0.1:1\n',
  },
};
// Configs naming their servers by Docker Compose host names (app1:5001) are left out: haproxy resolves those names
// at start-up and refuses the config outside Compose; the lab maps them instead of resolving them.
for (const rel of [...cfgs('episodes'), ...cfgs('apps')]) {
  if (!/^\s*server\s+\S+\s+[a-z]/m.test(readFileSync(join(ROOT, rel), 'utf8'))) CASES[rel] = { [rel]: '' };
}

const dir = mkdtempSync(join(tmpdir(), 'check-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Printed lines (blank ones too, as multi-line warnings end with one), pids as 0, HAProxy's start-up notices removed.
function theirs(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines
    .filter((l) => !/^\[NOTICE\]\s+\(\d+\) : (haproxy version is|path to executable is)/.test(l))
    .map((l) => l.replace(/^(\[\w+\]\s+)\(\d+\)/, '$1(0)'));
}

const printed = (entries: readonly string[]): string[] => entries.flatMap((e) => e.split('\n'));

describe.skipIf(!hasHaproxy)('lab proxy -c prints exactly what haproxy -c prints', () => {
  Object.entries(CASES).forEach(([name, files], i) => {
    it(name, () => {
      // Files of the repository are read where they are; the others are written to a case directory.
      const cwd = Object.values(files)[0] === '' ? ROOT : join(dir, `case-${i}`);
      if (cwd !== ROOT) {
        execFileSync('mkdir', ['-p', cwd]);
        for (const [f, text] of Object.entries(files)) writeFileSync(join(cwd, f), text);
      }
      const names = Object.keys(files);
      const real = spawnSync('haproxy', ['-c', ...names.flatMap((f) => ['-f', f])], { cwd, encoding: 'utf8' });
      const here = process.cwd();
      process.chdir(cwd);
      let ours;
      try {
        ours = checkOutput(loadConfig({ files: names }), { pid: 0 });
      } finally {
        process.chdir(here);
      }
      expect(printed(ours.stderr)).toEqual(theirs(real.stderr));
      expect(printed(ours.stdout)).toEqual(theirs(real.stdout));
      expect(ours.code).toBe(real.status);
    });
  });

  it('the command itself prints those lines (the no-pattern ACL warning of EP 4, at no line)', () => {
    const file = relative(ROOT, join(ROOT, 'episodes/ep4-acl/block-ip.cfg'));
    const real = spawnSync('haproxy', ['-c', '-f', file], { cwd: ROOT, encoding: 'utf8' });
    const lab = spawnSync(process.execPath, ['bin/lab.js', 'proxy', '-c', '-f', file], { cwd: ROOT, encoding: 'utf8' });
    // A first run after a source changed says on stderr that it rebuilds dist/ (the launcher, not the check).
    const stderr = lab.stderr.replace(/^lab: rebuilding dist\/:.*\n/m, '');
    expect(theirs(stderr)).toEqual(theirs(real.stderr));
    expect(theirs(lab.stdout)).toEqual(['Warnings were found.', 'Configuration file is valid']);
    expect(stderr).toMatch(/^\[WARNING\]  \(\d+\) : config : parsing acl keyword 'src' :\n  no pattern/);
    expect(lab.status).toBe(0);
  });
});
