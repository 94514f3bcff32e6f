// Evaluates an episode's declarative checks against what a step's traffic showed: each result says what was
// expected, what was seen, and (on failure) which config lines are involved.
import { basename } from 'node:path';
import type { Observation } from '../traffic/client.ts';
import type { Target } from '../traffic/port-map.ts';
import type { Tally } from '../traffic/tally.ts';
import type { ConfigReport } from './proxy-driver.ts';
import { judgeContext, judgeImage, judgeListening, judgeRunning } from './docker-checks.ts';
import type { DockerObservations } from './docker-part.ts';
import type {
  AgreesCheck, BodyCheck, Check, CheckResult, ConfigValidCheck, DistributionCheck, Experiment, InstancesCheck, LogLineCheck, OrderCheck,
  PassthroughCheck, ReceivedCheck, RouteCheck, StatusCheck,
} from './schema.ts';

/** One answer, with who handled it as the proxy reported it. */
export interface AttributedObservation extends Observation {
  readonly frontend?: string;
  readonly backend?: string;
  readonly server?: string;
  /** The http-request rule that answered instead of a backend (deny...). */
  readonly answeredBy?: string;
  /** The episode app whose text the body contains. */
  readonly app?: string;
  /** The label the tally counts: the server, else the app, else what the body says. */
  readonly who: string;
  /** The app instances that really received the request (the relays in front of the apps saw its token). */
  readonly receivedBy?: readonly string[];
  /** It reached an app byte for byte as sent (header names unchanged). */
  readonly verbatim?: boolean;
}

export interface ExperimentRun {
  readonly experiment: Experiment;
  /** Where the curl command really went ("localhost:80 → 127.0.0.1:40211"). */
  readonly target: Target;
  readonly observations: readonly AttributedObservation[];
  readonly tally: Tally;
  /** The proxy's log lines written while the experiment ran. */
  readonly logs: readonly string[];
  /** Requests each app container received (its access log), when the step runs a stack of containers. */
  readonly received?: ReadonlyMap<string, number>;
  /** The same requests sent to the containerised HAProxy beside the engine (docker.compose). */
  readonly beside?: ExperimentRun;
}

/** Everything checks may look at after a step ran. */
export interface StepObservations {
  /** The config file that ran (start, solution or the learner's), or null for an apps-only step. */
  readonly configFile: string | null;
  readonly configText: string | null;
  /** Null when the step has no config. */
  readonly report: ConfigReport | null;
  readonly experiments: ReadonlyMap<string, ExperimentRun>;
  readonly logs: readonly string[];
  /** What the step's Docker part built and ran (Docker steps only). */
  readonly docker?: DockerObservations;
}

// Evaluates one check.
export function evaluateCheck(check: Check, obs: StepObservations): CheckResult {
  const verdict = judge(check, obs);
  return { check, ...verdict, lines: verdict.ok ? [] : involvedLines(check, obs) };
}

// Evaluates all checks of a step, in order.
export function evaluateChecks(checks: readonly Check[], obs: StepObservations): CheckResult[] {
  return checks.map((c) => evaluateCheck(c, obs));
}

type Verdict = { ok: boolean; expected: string; observed: string };

function judge(check: Check, obs: StepObservations): Verdict {
  if (check.kind === 'config-valid') return configValid(check, obs);
  if (check.kind === 'log-line') return logLine(check, obs);
  if (check.kind === 'image') return judgeImage(check, obs.docker);
  if (check.kind === 'context') return judgeContext(check, obs.docker);
  if (check.kind === 'listening') return judgeListening(check, obs.docker);
  if (check.kind === 'running') return judgeRunning(check, obs.docker);
  const run = obs.experiments.get(check.experiment);
  if (!run) return { ok: false, expected: `experiment '${check.experiment}' to have run`, observed: 'it did not run' };
  if (run.observations.length === 0) return { ok: false, expected: 'answers to inspect', observed: 'no request was sent' };
  switch (check.kind) {
    case 'instances': return instances(check, run);
    case 'passthrough': return passthrough(check, run);
    case 'distribution': return distribution(check, run);
    case 'order': return order(check, run);
    case 'route': return route(check, run);
    case 'status': return status(check, run);
    case 'body': return body(check, run);
    case 'received': return received(check, run);
    case 'agrees': return agrees(check, run);
  }
}

// What each app container's own access log says reached it, set against what the proxy's log claimed.
function received(check: ReceivedCheck, run: ExperimentRun): Verdict {
  const total = run.observations.length;
  const names = Object.keys(check.shares);
  const sum = names.reduce((a, n) => a + check.shares[n]!, 0);
  const expected = `requests received by the containers ${names.map((n) => `${n} ${pct(check.shares[n]! / sum)}`).join(', ')}${check.tolerance ? ` (±${pct(check.tolerance)})` : ''}`;
  const got = run.received ?? new Map<string, number>();
  const off = (n: number, want: number): boolean => Math.abs(n / total - want) > check.tolerance + 1e-9;
  let ok = names.every((n) => !off(got.get(n) ?? 0, check.shares[n]! / sum));
  for (const [k, c] of got) if (!names.includes(k) && off(c, 0)) ok = false;
  const reached = [...got.values()].reduce((a, b) => a + b, 0);
  const keys = [...names, ...[...got.keys()].filter((k) => !names.includes(k))];
  const lost = total - reached > 0 ? `, ${total - reached} reached no app container` : '';
  const observed = `${keys.map((k) => `${k} ${got.get(k) ?? 0}`).join(', ')} of ${total}${lost}; the proxy's log named ${summarize(run.observations.map(label))}`;
  return { ok: ok && reached === total, expected, observed };
}

// The containerised HAProxy met the servers in the engine's order.
function agrees(_check: AgreesCheck, run: ExperimentRun): Verdict {
  const engine = run.observations.map(label);
  const expected = `HAProxy in its container takes the servers in the engine's order: ${engine.join(', ')}`;
  if (!run.beside) return { ok: false, expected, observed: 'no containerised HAProxy ran beside the engine' };
  const theirs = run.beside.observations.map(label);
  const at = engine.findIndex((e, i) => theirs[i] !== e);
  const shares = (xs: readonly string[]): string => summarize([...xs].sort());
  if (at < 0 && theirs.length === engine.length) return { ok: true, expected, observed: `the same ${theirs.length} in the same order (${shares(theirs)})` };
  return {
    ok: false, expected,
    observed: `HAProxy in Docker: ${theirs.join(', ')}${at >= 0 ? `; request ${at + 1} went to ${theirs[at] ?? 'nobody'} there, ${engine[at]} in the engine` : ''}`,
  };
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

// The name a share or a sequence entry refers to: "server1" matches the server, "servers/server1" the pair.
function matches(name: string, o: AttributedObservation): boolean {
  if (name.includes('/')) return `${o.backend}/${o.server}` === name;
  return o.server === name || (o.server === undefined && o.who === name);
}

function label(o: AttributedObservation): string {
  if (o.error && o.status === 0) return `no answer (${o.error})`;
  return o.server ?? o.who;
}

function distribution(check: DistributionCheck, run: ExperimentRun): Verdict {
  const total = run.observations.length;
  const sum = Object.values(check.shares).reduce((a, b) => a + b, 0);
  const names = Object.keys(check.shares);
  const expected = `shares ${names.map((n) => `${n} ${pct(check.shares[n]! / sum)}`).join(', ')} (±${pct(check.tolerance)})`;
  const counts = new Map<string, number>();
  for (const o of run.observations) {
    const key = names.find((n) => matches(n, o)) ?? label(o);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let ok = true;
  for (const n of names) {
    if (Math.abs((counts.get(n) ?? 0) / total - check.shares[n]! / sum) > check.tolerance) ok = false;
  }
  for (const [k, c] of counts) if (!names.includes(k) && c / total > check.tolerance) ok = false;
  const order = [...names, ...[...counts.keys()].filter((k) => !names.includes(k))];
  const observed = `${order.map((k) => `${k} ${pct((counts.get(k) ?? 0) / total)} (${counts.get(k) ?? 0})`).join(', ')} of ${total} answers`;
  return { ok, expected, observed };
}

// Who really received each request, by the relays in front of the apps; set against what the proxy's log said.
function instances(check: InstancesCheck, run: ExperimentRun): Verdict {
  const total = run.observations.length;
  const names = Object.keys(check.shares);
  const sum = names.reduce((a, n) => a + check.shares[n]!, 0);
  const exact = check.tolerance === 0;
  const expected = `requests received by ${names.map((n) => `${n} ${pct(check.shares[n]! / sum)}`).join(', ')}${exact ? '' : ` (±${pct(check.tolerance)})`}`;
  const counts = new Map<string, number>();
  for (const o of run.observations) {
    // The last receiver is the one that answered (an earlier one may have dropped a retried request).
    const key = o.receivedBy?.at(-1) ?? (o.status === 0 ? 'no answer' : 'no app (the proxy answered itself)');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const off = (got: number, want: number): boolean => Math.abs(got - want) > check.tolerance + 1e-9;
  let ok = names.every((n) => !off((counts.get(n) ?? 0) / total, check.shares[n]! / sum));
  for (const [k, c] of counts) if (!names.includes(k) && off(c / total, 0)) ok = false;
  const keys = [...names, ...[...counts.keys()].filter((k) => !names.includes(k))];
  const claimed = summarize(run.observations.map((o) => o.server ?? o.who));
  const observed = `${keys.map((k) => `${k} ${counts.get(k) ?? 0}`).join(', ')} of ${total}; the proxy's log named ${claimed}`;
  return { ok, expected, observed };
}

// Whether the apps got the client's bytes unchanged: an HTTP proxy re-writes header names in lower case.
function passthrough(_check: PassthroughCheck, run: ExperimentRun): Verdict {
  const total = run.observations.length;
  const lost = run.observations.filter((o) => !o.receivedBy || o.receivedBy.length === 0).length;
  const rewritten = run.observations.filter((o) => o.receivedBy && o.receivedBy.length > 0 && !o.verbatim).length;
  const expected = 'every request reaches an app byte for byte as sent (a TCP relay, mode tcp)';
  if (rewritten > 0) {
    return { ok: false, expected, observed: `${rewritten} of ${total} arrived with header names re-written in lower case: a proxy parsed them as HTTP (mode http)` };
  }
  if (lost > 0) return { ok: false, expected, observed: `${lost} of ${total} reached no app` };
  return { ok: true, expected, observed: `all ${total} arrived unchanged` };
}

function order(check: OrderCheck, run: ExperimentRun): Verdict {
  const seen = run.observations.slice(0, check.sequence.length);
  const mismatch = check.sequence.findIndex((name, i) => !seen[i] || !matches(name, seen[i]!));
  const observed = seen.map(label).join(', ');
  const where = mismatch >= 0 ? `; request ${mismatch + 1} went to ${seen[mismatch] ? label(seen[mismatch]!) : 'nobody'} instead of ${check.sequence[mismatch]}` : '';
  return { ok: mismatch < 0, expected: `sequence ${check.sequence.join(', ')}`, observed: observed + where };
}

function route(check: RouteCheck, run: ExperimentRun): Verdict {
  const want = check.server ? `${check.backend}/${check.server}` : check.backend;
  const describeOne = (o: AttributedObservation): string => {
    if (o.status === 0) return `no answer (${o.error ?? 'connection failed'})`;
    if (o.backend) return `${o.backend}${o.server ? '/' + o.server : ''} (status ${o.status})`;
    if (o.answeredBy) return `answered by ${o.answeredBy} with ${o.status}, no backend`;
    return `status ${o.status}, the proxy did not say which backend`;
  };
  const bad = run.observations.filter((o) => o.backend !== check.backend || (check.server !== undefined && o.server !== check.server));
  return { ok: bad.length === 0, expected: `${run.experiment.curl} → ${want}`, observed: summarize(run.observations.map(describeOne)) };
}

function status(check: StatusCheck, run: ExperimentRun): Verdict {
  const seen = run.observations.map((o) => (o.status === 0 ? `no answer (${o.error ?? 'connection failed'})` : `${o.status}${o.server ? ` from ${o.server}` : ''}`));
  const ok = run.observations.every((o) => o.status === check.status);
  return { ok, expected: `status ${check.status} for ${run.experiment.curl}`, observed: summarize(seen) };
}

function body(check: BodyCheck, run: ExperimentRun): Verdict {
  const bad = run.observations.filter((o) => !o.body.includes(check.contains));
  const shown = (o: AttributedObservation): string => {
    if (o.status === 0) return `no answer (${o.error ?? 'connection failed'})`;
    const text = o.body.trim().replace(/\s+/g, ' ');
    return `${o.status} "${text.length > 70 ? text.slice(0, 67) + '...' : text}"`;
  };
  return {
    ok: bad.length === 0,
    expected: `every answer contains "${check.contains}"`,
    observed: bad.length === 0 ? summarize(run.observations.map(shown)) : `${bad.length} of ${run.observations.length} did not: ${summarize(bad.map(shown))}`,
  };
}

function configValid(check: ConfigValidCheck, obs: StepObservations): Verdict {
  const r = obs.report;
  const expected = check.warnings ? 'the config loads without alerts' : 'the config loads without alerts or warnings';
  if (!r) return { ok: false, expected, observed: 'the step has no config' };
  if (!r.ok || r.alerts.length > 0) return { ok: false, expected, observed: `${r.alerts.length} alert(s): ${r.alerts[0] ?? 'the proxy refused it'}` };
  if (!check.warnings && r.warnings.length > 0) return { ok: false, expected, observed: `${r.warnings.length} warning(s): ${r.warnings[0]}` };
  return { ok: true, expected, observed: r.warnings.length > 0 ? `valid, ${r.warnings.length} warning(s)` : 'valid' };
}

function logLine(check: LogLineCheck, obs: StepObservations): Verdict {
  const re = new RegExp(check.pattern);
  const lines = check.experiment ? obs.experiments.get(check.experiment)?.logs ?? [] : obs.logs;
  const hit = lines.find((l) => re.test(l));
  const expected = `a log line matching /${check.pattern}/`;
  if (hit) return { ok: true, expected, observed: hit };
  return { ok: false, expected, observed: lines.length === 0 ? 'no log lines at all' : `${lines.length} line(s), none matching; last: ${lines[lines.length - 1]}` };
}

// "A ×3, B ×1" for repeated values, in order of first appearance.
function summarize(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join('; ');
}

// The config lines whose words the check names, as "haproxy.cfg:14: server server1 app1:5001 weight 2 check".
export function involvedLines(check: Check, obs: StepObservations): string[] {
  if (!obs.configText || !obs.configFile) return [];
  const name = basename(obs.configFile);
  const words = check.involves;
  const out: string[] = [];
  obs.configText.split('\n').forEach((line, i) => {
    const code = line.replace(/(^|\s)#.*$/, '').trim();
    if (code !== '' && words.some((w) => code.includes(w))) out.push(`${name}:${i + 1}: ${code}`);
  });
  // Diagnostics name their own lines; the first one is already the observed text.
  if (check.kind === 'config-valid' && obs.report) {
    const diags = [...obs.report.alerts, ...(check.warnings ? [] : obs.report.warnings)].slice(1);
    return [...diags, ...out].slice(0, 10);
  }
  return out.slice(0, 10);
}
