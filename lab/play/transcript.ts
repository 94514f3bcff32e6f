// A record of a playground session as Markdown: the config at each reload (a diff after the first), every
// request with who answered and why, health transitions and live changes. `lab play --replay` reads it back.
import { writeFileSync } from 'node:fs';
import type { Diagnostic } from '../../proxy/index.ts';
import { formatDiagnostic } from '../../proxy/index.ts';
import type { PlayAnswer } from './answer.ts';
import type { Difference } from './compare.ts';
import { applyDiff, unifiedDiff } from './line-diff.ts';

export interface RecordedRequest {
  readonly line: string;
  readonly sent: number;
  readonly engine: PlayAnswer;
  readonly haproxy?: PlayAnswer;
  readonly differences: readonly Difference[];
  readonly why: readonly string[];
}

type Entry =
  | { kind: 'config'; text: string; diff: string | null; warnings: string[]; at: Date }
  | { kind: 'request'; r: RecordedRequest; at: Date }
  | { kind: 'note'; text: string; at: Date };

const time = (d: Date): string => d.toISOString().slice(11, 19);

export class Transcript {
  private readonly entries: Entry[] = [];
  private last: string | null = null;
  private requests = 0;
  constructor(private readonly name: string, private readonly autosave?: string) {}

  config(text: string, diagnostics: readonly Diagnostic[]): void {
    const diff = this.last === null ? null : unifiedDiff(this.last, text);
    this.last = text;
    this.entries.push({ kind: 'config', text, diff, warnings: diagnostics.filter((d) => d.severity !== 'alert').map((d) => formatDiagnostic(d)), at: new Date() });
    this.save();
  }

  request(r: RecordedRequest): void {
    this.entries.push({ kind: 'request', r, at: new Date() });
    this.save();
  }

  health(message: string): void {
    this.note(`health: ${message}`);
  }

  note(text: string): void {
    this.entries.push({ kind: 'note', text, at: new Date() });
    this.save();
  }

  private save(): void {
    if (this.autosave) writeFileSync(this.autosave, this.markdown());
  }

  // Writes the transcript to path.
  write(path: string): void {
    writeFileSync(path, this.markdown());
  }

  markdown(): string {
    const out: string[] = [`# lab play: ${this.name}`, '', `Recorded by HAProxy Lab's playground (\`lab play --replay FILE\` sends these requests again).`, ''];
    let reload = 0;
    this.requests = 0;
    for (const e of this.entries) {
      if (e.kind === 'config') {
        if (e.diff === null) {
          out.push(`## Config (${time(e.at)})`, '', '```haproxy', e.text.replace(/\n$/, ''), '```', '');
        } else {
          reload++;
          out.push(`## Reload #${reload} (${time(e.at)})`, '', '```diff', e.diff || '(no change)', '```', '');
        }
        for (const w of e.warnings) out.push(`- ${w}`);
        if (e.warnings.length) out.push('');
      } else if (e.kind === 'request') {
        const r = e.r;
        this.requests++;
        out.push(`### Request ${this.requests} (${time(e.at)})`, '', '```sh', r.line, '```', '');
        out.push(`- engine: ${answerText(r.engine)}${r.sent > 1 ? ` (last of ${r.sent})` : ''}`);
        if (r.haproxy) out.push(`- haproxy: ${answerText(r.haproxy)}`);
        for (const d of r.differences) out.push(`- **different ${d.field}**: engine \`${short(d.engine)}\` · haproxy \`${short(d.haproxy)}\``);
        if (r.haproxy && r.differences.length === 0) out.push('- engine and haproxy agree');
        if (r.why.length > 0) out.push('', 'Why:', '', ...r.why.map((l) => `    ${l}`));
        out.push('');
      } else {
        out.push(`- ${time(e.at)} ${e.text}`, '');
      }
    }
    return out.join('\n');
  }
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? one.slice(0, 77) + '...' : one;
}

function answerText(a: PlayAnswer): string {
  if (a.status === 0) return `no answer (${a.error ?? 'connection failed'})`;
  return `${a.status} ${a.statusText} from **${a.server}** in ${a.ms} ms`;
}

/** What a transcript holds for a replay: each config in turn with the requests sent on it, and what answered. */
export interface ReplaySegment {
  readonly config: string;
  readonly requests: { readonly line: string; readonly server: string | null; readonly status: number | null }[];
}

// Reads a transcript back: the configs (diffs applied) and the requests under each.
export function parseTranscript(md: string): ReplaySegment[] {
  const segs: ReplaySegment[] = [];
  const blocks = [...md.matchAll(/^(##+) ([^\n]*)\n\n```(haproxy|diff|sh)\n([\s\S]*?)\n```\n(?:\n- engine: (?:(\d+) [^\n]*? from \*\*([^*]+)\*\*|no answer))?/gm)];
  let current: string | null = null;
  for (const b of blocks) {
    const kind = b[3];
    const body = b[4]!;
    if (kind === 'haproxy') {
      current = body + '\n';
      segs.push({ config: current, requests: [] });
    } else if (kind === 'diff') {
      if (current === null) throw new Error('the transcript has a reload before its first config');
      current = body === '(no change)' ? current : applyDiff(current, body);
      segs.push({ config: current, requests: [] });
    } else if (kind === 'sh') {
      const seg = segs.at(-1);
      if (!seg) throw new Error('the transcript has a request before its first config');
      seg.requests.push({ line: body.trim(), server: b[6] ?? null, status: b[5] ? Number(b[5]) : b[0].includes('no answer') ? 0 : null });
    }
  }
  if (segs.length === 0) throw new Error('no config block (```haproxy) in the transcript: is it one `lab play` wrote?');
  return segs.filter((s, i) => s.requests.length > 0 || i === segs.length - 1);
}
