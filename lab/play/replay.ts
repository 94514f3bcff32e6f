// `lab play --replay TRANSCRIPT [FILE]`: the transcript's requests sent again, each on the config it was sent on
// (or on FILE), and each answer set beside the recorded one. Exit 1 when any server or status changed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCurl } from '../traffic/request-spec.ts';
import { answerLine, runHeadless, type PlayResult } from './headless.ts';
import { parseTranscript } from './transcript.ts';

export interface ReplayOptions {
  readonly transcript: string;
  readonly file?: string;
  readonly compare: boolean;
  readonly json: boolean;
  readonly resolve?: ReadonlyMap<string, string>;
  readonly map?: ReadonlyMap<number, number>;
  readonly out?: (l: string) => void;
  readonly err?: (l: string) => void;
}

export async function runReplay(o: ReplayOptions): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = o.err ?? ((l: string) => process.stderr.write(l + '\n'));
  let segments;
  try {
    segments = parseTranscript(readFileSync(o.transcript, 'utf8'));
  } catch (e) {
    err(`lab play --replay: ${o.transcript}: ${(e as Error).message}`);
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lab-replay-'));
  const report: { line: string; recorded: { server: string | null; status: number | null }; now: PlayResult; same: boolean }[] = [];
  let worst = 0;
  try {
    let k = 0;
    for (const [i, seg] of segments.entries()) {
      if (seg.requests.length === 0) continue;
      const file = o.file ?? join(dir, `config-${i + 1}.cfg`);
      if (!o.file) writeFileSync(file, seg.config);
      const lines: string[] = [];
      const code = await runHeadless({
        file, requests: seg.requests.map((r) => r.line), repeat: 1, compare: o.compare, json: true,
        ...(o.resolve ? { resolve: o.resolve } : {}), ...(o.map ? { map: o.map } : {}),
        out: (l) => lines.push(l), err,
      });
      if (code === 2) return 2;
      worst = Math.max(worst, code);
      const results = (JSON.parse(lines.join('\n')) as { results: PlayResult[] }).results;
      let at = 0;
      for (const r of seg.requests) {
        at += parseCurl(r.line).repeat;
        const now = results[at - 1]!;
        const same = (r.server === null || r.server === now.engine.server) && (r.status === null || r.status === now.engine.status);
        if (!same) worst = 1;
        report.push({ line: r.line, recorded: { server: r.server, status: r.status }, now, same });
        if (!o.json) {
          k++;
          out(`#${k} ${r.line}`);
          out(`   now:      ${answerLine(now.engine)}`);
          out(`   recorded: ${r.status ?? '?'} ${r.server ?? '?'}  ${same ? 'same' : 'CHANGED'}`);
          if (now.haproxy) out(`   haproxy:  ${answerLine(now.haproxy)}${now.differences.length ? `  DIFFERENT ${now.differences.map((d) => d.field).join(', ')}` : '  same'}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (o.json) out(JSON.stringify({ transcript: o.transcript, replayed: report }, null, 2));
  else out(`\n${report.filter((r) => r.same).length} of ${report.length} answers as recorded.`);
  return worst;
}
