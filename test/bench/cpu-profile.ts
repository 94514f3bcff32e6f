// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions and files by self time.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber?: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  /** file:line (relative to the repo), or the V8 pseudo-frame. */
  readonly where: string;
  readonly ms: number;
  /** Share of the non-idle time. */
  readonly share: number;
}

export interface ProfileSummary {
  /** Busy time in the window (idle left out). */
  readonly totalMs: number;
  /** Shares of busy time: JavaScript (frames with a source file), native calls (socket writes and reads,
   *  which V8 charges with the wall time spent in them, preemption included), GC, and "(program)". */
  readonly split: { readonly js: number; readonly native: number; readonly gc: number; readonly program: number };
  /** JavaScript functions (the engine's and Node's own), largest self time first. */
  readonly functions: readonly SelfTime[];
  /** Native frames (no source file), largest first. */
  readonly natives: readonly SelfTime[];
  /** JavaScript self time per file. */
  readonly files: readonly SelfTime[];
  /** Self time in proxy/events.ts (the event bus), as a share of busy time. */
  readonly eventBusShare: number;
}

/** Milliseconds since the profile started (about when the process started). */
export interface Window {
  readonly fromMs: number;
  readonly toMs: number;
}

// Self time per function and per file within a window (start-up left out), idle excluded, largest first.
export function summarizeProfile(path: string, root: string, window: Window, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  // a sample's time is the delta to the next sample; timeDeltas[i] leads from sample i-1 (or startTime) to i
  let at = 0;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    const dt = deltas[i + 1] ?? 0;
    if (at < window.fromMs * 1000 || at > window.toMs * 1000) continue;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, dt));
  }
  const fns = new Map<string, { name: string; where: string; us: number }>();
  const natives = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  const split = { js: 0, native: 0, gc: 0, program: 0 };
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    total += us;
    const url = n.callFrame.url;
    const fname = n.callFrame.functionName;
    if (!url) {
      if (fname === '(garbage collector)') split.gc += us;
      else if (fname === '(program)') split.program += us;
      else {
        split.native += us;
        natives.set(fname || '(native)', (natives.get(fname || '(native)') ?? 0) + us);
      }
      continue;
    }
    split.js += us;
    const at = sourcePosition(url, n.callFrame.lineNumber, n.callFrame.columnNumber ?? 0, root);
    const file = at.file;
    const where = `${file}:${at.line}`;
    const name = fname || '(anonymous)';
    const key = `${name}@${where}`;
    const f = fns.get(key) ?? { name, where, us: 0 };
    f.us += us;
    fns.set(key, f);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const rank = <T extends { us: number }>(xs: T[]) => xs.sort((a, b) => b.us - a.us).slice(0, top);
  const share = (us: number) => (total > 0 ? us / total : 0);
  return {
    totalMs: total / 1000,
    eventBusShare: share(files.get('proxy/events.ts') ?? 0),
    split: { js: share(split.js), native: share(split.native), gc: share(split.gc), program: share(split.program) },
    natives: rank([...natives].map(([name, us]) => ({ name, us }))).slice(0, 5).map((f) => ({ name: f.name, where: f.name, ms: f.us / 1000, share: share(f.us) })),
    functions: rank([...fns.values()]).map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: f.us / total })),
    files: rank([...files].map(([file, us]) => ({ file, us }))).map((f) => ({ name: f.file, where: f.file, ms: f.us / 1000, share: f.us / total })),
  };
}

const maps = new Map<string, SourceMap | null>();

// Where a frame is in the sources: the lab runs from dist/ (esbuild chunks with linked .map files), so a chunk's
// line is mapped back to the TypeScript file and line it came from; other files are named as they are.
function sourcePosition(url: string, line0: number, column0: number, root: string): { file: string; line: number } {
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  if (path.startsWith(resolve(root, 'dist') + '/') && path.endsWith('.js')) {
    let map = maps.get(path);
    if (map === undefined) {
      map = existsSync(`${path}.map`) ? new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))) : null;
      maps.set(path, map);
    }
    const e = map?.findEntry(line0, column0) as { originalSource?: string; originalLine?: number } | undefined;
    if (e?.originalSource) {
      const source = e.originalSource.startsWith('file://') ? decodeURIComponent(new URL(e.originalSource).pathname) : resolve(dirname(path), e.originalSource);
      return { file: shortFile(source, root), line: (e.originalLine ?? 0) + 1 };
    }
  }
  return { file: shortFile(url, root), line: line0 + 1 };
}

function shortFile(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(root) ? relative(root, path) : path.startsWith('node:') ? path : path.replace(/^.*node_modules\//, 'node_modules/');
}
