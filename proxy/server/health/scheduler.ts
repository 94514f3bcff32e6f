// Owns the health-check timers of every checked server, as HAProxy's check tasks do (src/check.c
// start_checks, process_chk_conn): first checks spread over the smallest interval (server k of n starts at
// inter*k/n), each next check scheduled when the previous one ends (inter, fastinter or downinter), checks
// paused while a server is in maintenance. The step that applies one result is exported apart so tests
// and the TUI drive it without timers.
import type { ProxySpec } from '../../config/model.ts';
import type { CheckEvent } from '../../events.ts';
import type { ServerState } from '../server-state.ts';
import { checkResultMessage, countUsable, noServerAvailableMessage, serverDownMessage, serverUpMessage } from './messages.ts';
import { probe as realProbe, type CheckResult, type ProbeOptions, type ProbeTarget } from './probe.ts';
import { checkInterval, initialHealth, recordStateChange, stepHealth, transitionFor, type HealthTransition } from './state.ts';
import { checkStatusResult } from './status.ts';
import { buildRuleset, type CheckRuleset } from './rulesets.ts';

export interface HealthHost {
  /** Called on a transition; the engine updates ServerState.op, tells the balancer (serverUp/serverDown), emits the server-state event. */
  transition(server: ServerState, to: 'up' | 'down', message: string): void;
  /** HAProxy-format alert/notice lines (the server sentence, then "backend X has no server available!"). */
  log(line: string): void;
  /** Receives one event per check result; the event is only built when this is set and wantsCheck() allows. */
  emitCheck?(e: CheckEvent): void;
  /** Asked before building each check event (e.g. () => bus.wants.check); default: always. */
  wantsCheck?(): boolean;
}

export interface HealthBackend {
  readonly spec: ProxySpec;
  readonly servers: readonly ServerState[];
}

export interface HealthSchedulerOptions {
  /** Clock for lastCheck.at and state-change times (ms). */
  readonly now?: () => number;
  /** Where to send a server's checks; default: its check addr/port, else its own address. */
  readonly addressOf?: (s: ServerState) => { host: string; port: number };
  /** The probe to run (tests inject a scripted one). */
  readonly probe?: (target: ProbeTarget, opts: ProbeOptions) => Promise<CheckResult>;
}

export interface HealthScheduler {
  /** Schedules the first check of every checked server, spread as HAProxy spreads them. */
  start(): void;
  /** Clears every timer and aborts checks in flight; results arriving later are ignored. */
  stop(): void;
  /** Runs one check now and applies its result. */
  checkNow(server: ServerState): Promise<CheckResult>;
  /** Applies one check result to a server (counter, transition, logs, event); returns the transition made. */
  apply(server: ServerState, result: CheckResult): HealthTransition;
  /** Delay before each checked server's first check, in start order. */
  firstDelays(): { server: ServerState; delayMs: number }[];
}

/** HAProxy's SRV_CHK_INTER_THRES: shorter intervals do not dictate the spread of the others. */
const INTER_THRESHOLD = 1000;

// Builds the scheduler for the given backends; sets each checked server's health to HAProxy's initial value.
export function createHealthScheduler(backends: readonly HealthBackend[], host: HealthHost, opts: HealthSchedulerOptions = {}): HealthScheduler {
  const now = opts.now ?? Date.now;
  const runProbe = opts.probe ?? realProbe;
  const owner = new Map<ServerState, HealthBackend>();
  const checked: ServerState[] = [];
  for (const b of backends) {
    for (const s of b.servers) {
      owner.set(s, b);
      if (!s.spec.check) continue;
      checked.push(s);
      if (s.lastCheck === undefined && s.op !== 'down') s.health = initialHealth(s.spec);
    }
  }

  const timers = new Map<ServerState, NodeJS.Timeout>();
  let abort = new AbortController();
  let running = false;

  const addressOf =
    opts.addressOf ??
    ((s: ServerState) => ({ host: s.spec.checkAddr ?? s.host, port: s.spec.checkPort ?? s.port }));

  function backendOf(s: ServerState): HealthBackend {
    const b = owner.get(s);
    if (!b) throw new Error(`health: server ${s.backend}/${s.name} is not in any backend given to createHealthScheduler; pass its backend in the list`);
    return b;
  }

  function apply(server: ServerState, result: CheckResult): HealthTransition {
    const b = backendOf(server);
    const { rise, fall } = server.spec;
    const kind = checkStatusResult(result.status);
    const at = now();
    const prevStatus = server.lastCheck?.status ?? 'INI';
    server.lastCheck = { status: result.status, ...(result.code !== undefined ? { code: result.code } : {}), desc: result.desc, durationMs: result.durationMs, at };
    const logChecks = b.spec.options.logHealthChecks;
    const healthBefore = server.health;
    const step = stepHealth(server.health, rise, fall, kind);
    if (step.countedFailure) server.failedChecks++;
    server.health = step.health;
    const to = transitionFor(server, step.health, rise, kind);
    if (host.emitCheck && (host.wantsCheck?.() ?? true)) host.emitCheck({
      kind: 'check',
      backend: server.backend,
      server: server.name,
      ok: result.ok,
      status: result.status,
      ...(result.code !== undefined ? { code: result.code } : {}),
      desc: result.desc,
      durationMs: result.durationMs,
      health: server.health,
      rise,
      fall,
    });
    if (logChecks) {
      const logged = result.logDesc !== undefined ? { ...result, desc: result.logDesc } : result;
      const line = checkResultMessage(server, logged, kind === 'failed', healthBefore, server.health, prevStatus !== result.status);
      if (line) host.log(line);
    }
    if (!to) return null;
    const before = countUsable(b.servers);
    const after = countUsable(b.servers, { server, op: to });
    // with log-health-checks the check line above gave the reason, so the state sentence goes without it
    const reason = logChecks ? undefined : result;
    const message = to === 'down' ? serverDownMessage(server, reason, after) : serverUpMessage(server, reason, after);
    recordStateChange(server, to, at);
    host.transition(server, to, message);
    host.log(message);
    if (to === 'down' && before.active + before.backup > 0 && after.active + after.backup === 0) {
      host.log(noServerAvailableMessage(b.spec.name, b.spec.kind === 'listen' ? 'listen' : 'backend'));
    }
    return to;
  }

  const rulesets = new Map<HealthBackend, CheckRuleset>();
  function rulesetOf(b: HealthBackend): CheckRuleset | undefined {
    const spec = b.spec.options.tcpCheck;
    if (!spec) return undefined;
    let rs = rulesets.get(b);
    if (!rs) rulesets.set(b, (rs = buildRuleset(spec)));
    return rs;
  }

  async function runOnce(server: ServerState, signal: AbortSignal): Promise<CheckResult> {
    const b = backendOf(server);
    const t = b.spec.timeouts;
    const ruleset = rulesetOf(b);
    server.checkRunning = true;
    const result = await runProbe(addressOf(server), {
      inter: server.spec.inter,
      ...(t.connect !== undefined ? { timeoutConnect: t.connect } : {}),
      ...(t.check !== undefined ? { timeoutCheck: t.check } : {}),
      ...(b.spec.options.httpchk ? { httpchk: b.spec.options.httpchk } : {}),
      ...(ruleset ? { ruleset } : {}),
      signal,
    });
    server.checkRunning = false;
    if (!signal.aborted) apply(server, result);
    return result;
  }

  function schedule(server: ServerState, delayMs: number): void {
    const timer = setTimeout(() => void tick(server), Math.max(0, delayMs));
    timer.unref();
    timers.set(server, timer);
  }

  async function tick(server: ServerState): Promise<void> {
    timers.delete(server);
    if (!running) return;
    // Maintenance pauses checks (CHK_ST_PAUSED); the task keeps waking every inter.
    if (server.admin === 'maint') return schedule(server, server.spec.inter);
    const signal = abort.signal;
    await runOnce(server, signal);
    if (running && !signal.aborted) schedule(server, checkInterval(server.spec, server.health, server.op === 'down'));
  }

  function firstDelays(): { server: ServerState; delayMs: number }[] {
    let mininter = 0;
    for (const s of checked) {
      const i = checkInterval(s.spec, s.health, s.op === 'down');
      if (i >= INTER_THRESHOLD && (!mininter || i < mininter)) mininter = i;
    }
    return checked.map((server, pos) => {
      const own = checkInterval(server.spec, server.health, server.op === 'down');
      const spread = Math.max(mininter, own);
      return { server, delayMs: Math.floor((spread * pos) / checked.length) };
    });
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      abort = new AbortController();
      for (const { server, delayMs } of firstDelays()) schedule(server, delayMs);
    },
    stop(): void {
      running = false;
      abort.abort();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
    checkNow(server: ServerState): Promise<CheckResult> {
      return runOnce(server, abort.signal.aborted ? new AbortController().signal : abort.signal);
    },
    apply,
    firstDelays,
  };
}
