// `lab play FILE --request ...` without a screen: the config on the engine (and on real haproxy with --compare),
// every request through each, answers printed (or JSON), differences named with both values.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { EventBus, formatDiagnostic } from '../../proxy/index.ts';
import { freePort } from '../runtimes/ports.ts';
import { AnsweredBy } from '../traffic/answered-by.ts';
import { parseCurl, type RequestSpec } from '../traffic/request-spec.ts';
import type { PlayAnswer } from './answer.ts';
import { compareAnswers, type Difference } from './compare.ts';
import { haproxyVersion, startHaproxySide, type HaproxySide } from './haproxy-side.ts';
import { describePlacement } from './placement.ts';
import { PlayConfigError, PlayWorld } from './play-world.ts';
import { sendThrough, type Side } from './send.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';

export interface HeadlessOptions {
  readonly file: string;
  readonly requests: readonly string[];
  /** Send each request this many times (multiplies a request's own -n). */
  readonly repeat: number;
  readonly compare: boolean;
  readonly json: boolean;
  readonly resolve?: ReadonlyMap<string, string>;
  readonly map?: ReadonlyMap<number, number>;
  readonly runtime?: RuntimeName;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

export interface PlayResult {
  readonly index: number;
  readonly request: string;
  readonly method: string;
  readonly url: string;
  readonly engine: PlayAnswer;
  readonly haproxy?: PlayAnswer;
  readonly differences: readonly Difference[];
}

function oneLine(body: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(body)) return `(${Buffer.byteLength(body)} bytes, not text)`;
  const t = body.trim().split('\n')[0]?.trim() ?? '';
  return t.length > 70 ? `"${t.slice(0, 67)}..."` : `"${t}"`;
}

// One line per answer: "#1 200 s1 3 ms "s1 answered (...)"".
export function answerLine(a: PlayAnswer): string {
  if (a.status === 0) return `no answer: ${a.error ?? 'connection failed'}`;
  return `${a.status} ${a.server}  ${a.ms} ms  ${oneLine(a.body)}`;
}

// Runs it all; resolves with the exit code (0 same or no compare, 1 differences, 2 config or usage errors).
export async function runHeadless(o: HeadlessOptions): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = o.err ?? ((l: string) => process.stderr.write(l + '\n'));
  let text: string;
  try {
    text = readFileSync(o.file, 'utf8');
  } catch (e) {
    err(`lab play: cannot read ${o.file}: ${(e as Error).message}`);
    return 2;
  }
  const plans = o.requests.map((r) => ({ line: r, plan: parseCurl(r) }));
  if (o.compare && !haproxyVersion()) {
    err('lab play: --compare haproxy needs HAProxy 2.6 at /usr/sbin/haproxy (Debian: apt-get install haproxy; `lab doctor` checks).');
    return 2;
  }
  const events = new EventBus();
  const who = new AnsweredBy();
  const off = who.attach(events);
  const engineLogs: string[] = [];
  let world: PlayWorld;
  try {
    world = await PlayWorld.open({ text, name: basename(o.file), events, onLog: (l) => engineLogs.push(l), ...(o.resolve ? { resolve: o.resolve } : {}), ...(o.map ? { map: o.map } : {}), ...(o.runtime ? { runtime: o.runtime, progress: (l: string) => { if (!o.json) err(`* ${l}`); } } : {}) });
  } catch (e) {
    off();
    if (e instanceof PlayConfigError) {
      for (const d of e.diagnostics) err(formatDiagnostic(d));
      err(`lab play: ${o.file} has errors (above, at file:line); nothing was started.`);
      return 2;
    }
    err(`lab play: ${(e as Error).message}`);
    return 2;
  }
  const warnings = world.config.diagnostics.filter((d) => d.severity !== 'alert');
  let haproxy: HaproxySide | null = null;
  try {
    if (o.compare) haproxy = await startHaproxySide(text, basename(o.file), world.placement, freePort, dirname(resolve(o.file)));
  } catch (e) {
    await world.close();
    off();
    // the engine runs it and haproxy does not: that is a difference too, and the most important one
    const why = (e as Error).message;
    if (o.json) out(JSON.stringify({ config: o.file, placement: world.placement, results: [], differing: 1, differences: [{ field: 'config', engine: 'accepted', haproxy: why }] }, null, 2));
    else err(`lab play: DIFFERENT config: the engine runs it, ${why}`);
    return 1;
  }
  const engineSide: Side = {
    name: 'engine',
    ports: world.ports(),
    logs: () => engineLogs,
    serverOf: (port) => who.byClientPort(port)?.server,
  };
  const haproxySide: Side | null = haproxy
    ? { name: 'haproxy', ports: Object.fromEntries([...haproxy.ports].map(([d, p]) => [String(d), p])), logs: haproxy.logs }
    : null;
  const results: PlayResult[] = [];
  try {
    if (!o.json) {
      for (const l of describePlacement(world.placement)) err(`* ${l}`);
      for (const d of warnings) err(formatDiagnostic(d));
      if (haproxy) err(`* real haproxy (${haproxyVersion()}) runs the same config on ${[...haproxy.ports.values()].map((p) => `127.0.0.1:${p}`).join(', ')}`);
    }
    const firstPort = world.placement.binds[0]?.docPort;
    const list = plans.length > 0 ? plans : firstPort !== undefined ? [{ line: `curl http://localhost:${firstPort}/`, plan: parseCurl(`curl http://localhost:${firstPort}/`) }] : [];
    let index = 0;
    for (const { line, plan } of list) {
      const times = plan.repeat * o.repeat;
      for (let i = 0; i < times; i++) {
        const spec: RequestSpec = plan.spec;
        const engine = await sendThrough(engineSide, spec, index);
        const real = haproxySide ? await sendThrough(haproxySide, spec, index) : undefined;
        const differences = real ? compareAnswers(engine, real) : [];
        const r: PlayResult = { index, request: line, method: spec.method, url: spec.url, engine, ...(real ? { haproxy: real } : {}), differences };
        results.push(r);
        if (!o.json) printResult(r, out, list.length > 1 || times > 1);
        index++;
      }
    }
  } finally {
    await haproxy?.stop();
    await world.close();
    off();
  }
  const differing = results.filter((r) => r.differences.length > 0).length;
  if (o.json) {
    out(JSON.stringify({
      config: o.file,
      placement: world.placement,
      warnings: warnings.map((d) => formatDiagnostic(d)),
      ...(haproxy ? { haproxy: haproxyVersion(), haproxyStartup: haproxy.output.filter((l) => /^\[(WARNING|ALERT|NOTICE)\]/.test(l)) } : {}),
      results,
      differing,
    }, null, 2));
  } else if (o.compare) {
    out('');
    out(differing === 0 ? `engine and haproxy agree on all ${results.length} answers.` : `engine and haproxy differ on ${differing} of ${results.length} answers.`);
  }
  return differing > 0 ? 1 : 0;
}

function printResult(r: PlayResult, out: (l: string) => void, showRequest: boolean): void {
  const n = `#${r.index + 1}`;
  if (showRequest || r.haproxy) out(`${n} ${r.method} ${r.url}`);
  const pad = ' '.repeat(n.length);
  if (!r.haproxy) {
    out(showRequest ? `${pad} ${answerLine(r.engine)}` : `${n} ${answerLine(r.engine)}`);
    return;
  }
  out(`${pad} engine:  ${answerLine(r.engine)}`);
  out(`${pad} haproxy: ${answerLine(r.haproxy)}`);
  if (r.differences.length === 0) out(`${pad} same status, server, body, headers and log fields`);
  for (const d of r.differences) out(`${pad} DIFFERENT ${d.field}: ${differenceText(d)}`);
}

// Both values; for a body, the first line where they part.
export function differenceText(d: Difference): string {
  if (d.field !== 'body') return `engine ${JSON.stringify(d.engine)} | haproxy ${JSON.stringify(d.haproxy)}`;
  const e = d.engine.split('\n');
  const h = d.haproxy.split('\n');
  let i = 0;
  while (i < e.length && i < h.length && e[i] === h[i]) i++;
  const cut = (s: string | undefined): string => JSON.stringify(s === undefined ? '(end)' : s.length > 60 ? s.slice(0, 57) + '...' : s);
  return `line ${i + 1}: engine ${cut(e[i])} | haproxy ${cut(h[i])}`;
}
