// Pattern references and lookups on their own: how files are read, how uses share entries, generations and
// the entry counts HAProxy 2.6 reports (values recorded from the binary's `show map` / `get map`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PatternRefs, readEntries } from '../../../proxy/acl/pattern-refs.ts';
import { PatternLookup, parseMapInt, parseMapIp, patternUse } from '../../../proxy/acl/pattern-lookup.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-pattern-refs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const site = { kind: 'map' as const, file: 'h.cfg', line: 12 };

function entries(text: string, two: boolean): [string, string | undefined, number][] {
  const out: [string, string | undefined, number][] = [];
  readEntries(text, two, (p, s, l) => out.push([p, s, l]));
  return out;
}

describe('pattern files', () => {
  it('reads two columns as pat_ref_read_from_file_smp: key, blanks, value without trailing blanks', () => {
    expect(entries('# c\n/api     be_api\n   /api/v2   be_v2   trailing  \n\n/k\r\n\t\n', true)).toEqual([
      ['/api', 'be_api', 2],
      ['/api/v2', 'be_v2   trailing', 3],
      ['/k', '', 5],
    ]);
  });

  it('reads one column with the inner blanks of a line kept', () => {
    expect(entries('  /with space here \n#x\n/b\r\n', false)).toEqual([['/with space here ', undefined, 1], ['/b', undefined, 3]]);
  });

  it('refuses a file used with one column and then two, and the other way round, in HAProxy words', () => {
    writeFileSync(join(dir, 'a.lst'), '/a\n');
    const refs = new PatternRefs(dir);
    expect('error' in refs.file('a.lst', false, { ...site, kind: 'acl' })).toBe(false);
    expect(refs.file('a.lst', true, site)).toEqual({ error: 'The file "a.lst" is already used as one column file and cannot be used by as two column file.' });
    expect(new PatternRefs(dir).file('nope.map', true, site)).toEqual({ error: 'failed to open pattern file <nope.map>' });
  });
});

describe('entries, uses and generations', () => {
  const load = (): ReturnType<PatternRefs['file']> => {
    writeFileSync(join(dir, 'm.map'), '/api be_api\n/api/v2 be_v2\n/dup first\n/dup second\n');
    return new PatternRefs(dir).file('m.map', true, site);
  };

  it('counts one entry per use, shares uses that parse alike, and counts a deletion once (as entry_cnt)', () => {
    const ref = load();
    if ('error' in ref) throw new Error(ref.error);
    ref.addUse(patternUse('beg', false, true, 'str'));
    ref.addUse(patternUse('str', false, true, 'str'));
    ref.addUse(patternUse('str', false, true, 'str'));
    expect(ref.uses.length).toBe(2);
    expect(ref.entryCnt).toBe(8);
    expect(ref.deleteKey('/dup')).toBe(true);
    expect(ref.entryCnt).toBe(6);
    expect(ref.load(0, 'x', undefined)).toBeNull();
    expect(ref.entryCnt).toBe(8);
  });

  it('finds the longest prefix for beg, the first duplicate for str, and fails a value that does not parse', () => {
    const ref = load();
    if ('error' in ref) throw new Error(ref.error);
    ref.addUse(patternUse('str', false, true, 'str'));
    expect(new PatternLookup(ref, 'beg', false, true).find('/api/v2/x')?.elt.sample).toBe('be_v2');
    expect(new PatternLookup(ref, 'str', false, true).find('/dup')?.elt.sample).toBe('first');
    const ints = ref.addUse(patternUse('str', false, true, 'int'));
    expect(ints.error).toBe("unable to parse 'be_api' at line 1 of file 'm.map'");
  });

  it('stages entries in a prepared version and makes them current on commit, dropping the older ones', () => {
    const ref = load();
    if ('error' in ref) throw new Error(ref.error);
    const lookup = new PatternLookup(ref, 'str', false, true);
    expect(ref.newGen()).toBe(1);
    expect(ref.load(1, '/new', 'v')).toBeNull();
    expect(lookup.find('/new')).toBeUndefined();
    expect(ref.commit(2)).toBe(false);
    expect(ref.commit(1)).toBe(true);
    expect(lookup.find('/new')?.elt.sample).toBe('v');
    expect(lookup.find('/api')).toBeUndefined();
    expect(ref.elts.map((e) => e.pattern)).toEqual(['/new']);
  });
});

describe('map values', () => {
  it('parses integers as map_parse_int (the whole text) and addresses as map_parse_ip', () => {
    expect([parseMapInt('42'), parseMapInt('-7'), parseMapInt(''), parseMapInt('+5'), parseMapInt('4x'), parseMapInt(' 4')]).toEqual([42, -7, 0, 5, undefined, undefined]);
    expect([parseMapIp('10.1.2.3'), parseMapIp('::1'), parseMapIp('example.com')]).toEqual(['10.1.2.3', '::1', undefined]);
  });
});
