// Transcripts: each reload as a diff that rebuilds the config, and the requests read back for a replay.
import { describe, expect, it } from 'vitest';
import { applyDiff, unifiedDiff } from '../../../lab/play/line-diff.ts';
import { parseTranscript, Transcript } from '../../../lab/play/transcript.ts';
import type { PlayAnswer } from '../../../lab/play/answer.ts';

const A = 'frontend web\n    bind *:80\n    default_backend app\nbackend app\n    server s1 10.0.0.1:80\n    server s2 10.0.0.2:80\n';
const B = 'frontend web\n    bind *:80\n    default_backend app\nbackend app\n    server s1 10.0.0.1:80 weight 3\n    server s2 10.0.0.2:80\n    server s3 10.0.0.3:80\n';

const answer = (server: string, status = 200): PlayAnswer => ({ status, statusText: 'OK', server, serverFrom: 'stand-in', headers: [], body: `${server} answered`, logs: [], ms: 1 });

describe('line diffs', () => {
  it('shows only what changed, and rebuilds the new text from the old one', () => {
    const d = unifiedDiff(A, B);
    expect(d).toContain('-    server s1 10.0.0.1:80');
    expect(d).toContain('+    server s1 10.0.0.1:80 weight 3');
    expect(d).toContain('+    server s3 10.0.0.3:80');
    expect(d).not.toContain('frontend web');
    expect(applyDiff(A, d)).toBe(B);
    expect(applyDiff(B, unifiedDiff(B, A))).toBe(A);
  });

  it('refuses a diff that does not fit the text, naming the line', () => {
    expect(() => applyDiff(A.replace('s2', 'sX'), unifiedDiff(A, B.replace('s2 10.0.0.2:80\n', '')))).toThrow(/does not apply at line 6/);
  });
});

describe('a transcript', () => {
  it('reads back each config with the requests sent on it and who answered', () => {
    const t = new Transcript('haproxy.cfg');
    t.config(A, []);
    t.request({ line: 'curl http://localhost/', sent: 1, engine: answer('s1'), differences: [], why: ['Request #1: GET /'] });
    t.health('Server app/s2 is DOWN, reason: Layer4 connection problem');
    t.config(B, []);
    t.request({ line: 'curl -H "X-Env: dev" http://localhost/ -n 3', sent: 3, engine: answer('s3', 503), differences: [], why: [] });
    const md = t.markdown();
    expect(md).toContain('## Reload #1');
    expect(md).toContain('```diff');
    expect(md).toContain('- ');
    expect(md).toMatch(/health: Server app\/s2 is DOWN/);
    const segs = parseTranscript(md);
    expect(segs.map((s) => s.config)).toEqual([A, B]);
    expect(segs[0]!.requests).toEqual([{ line: 'curl http://localhost/', server: 's1', status: 200 }]);
    expect(segs[1]!.requests).toEqual([{ line: 'curl -H "X-Env: dev" http://localhost/ -n 3', server: 's3', status: 503 }]);
  });

  it('refuses a file with no config block', () => {
    expect(() => parseTranscript('# notes\n\nnothing here\n')).toThrow(/no config block/);
  });
});
