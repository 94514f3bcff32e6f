// Owns the health-check timers of every checked server, as HAProxy's check tasks do (src/check.c
// start_checks, process_chk_conn): first checks spread over the smallest interval (server k of n starts at
// inter*k/n), each next check scheduled when the previous one ends (inter, fastinter or downinter), checks
// paused while a server is in maintenance. The step that applies one result is exported apart so tests
// and the TUI drive it without timers.
import { setMaxListeners } from 'node:events';
import type tls from 'node:tls';
import { serverTlsOptions } from '../../tls/server-tls.ts';
import type { ProxySpec } from '../../config/model.ts';
import type { CheckEvent } from '../../events.ts';
import type { ServerState, TrafficOutcome } from '../server-state.ts';
import { healthBeforeFailure, observeOutcome } from './observe.ts';
import { serverStateHeader } from './state-header.ts';
import { checkResultMessage, countUsable, noServerAvailableMessage, serverDownMessage, serverStoppingMessage, serverUpMessage } from './messages.ts';
import { probe as realProbe, type CheckResult, type ProbeOptions, type ProbeTarget } from './probe.ts';
import { checkInterval, initialHealth, recordStateChange, stepHealth, transitionFor, type HealthTransition } from './state.ts';
import { checkStatusHasCode, checkStatusResult } from './status.ts';
import { buildRuleset, type CheckRuleset } from './rulesets.ts';
import { AGENT_FALL, AGENT_RISE, agentDescription, agentRuleset, agentStatus, maxconnRequest, weightRequest } from './agent.ts';
import { checkStatusNumber, type CheckStatus } from './status.ts';

/** HCHK_STATUS_L57DATA: an agent failure below it (connect, timeout, bad response) never counts. */
const L57DATA = 14;

export interface HealthHost {
  /** Called on a transition; the engine updates ServerState.op, tells the balancer (serverUp/serverDown), emits the server-state event. */
  transition(server: ServerState, to: 'up' | 'down' | 'stopping', message: string): void;
  /** HAProxy-format alert/notice lines (the server sentence, then "backend X has no server available!"). */
  log(line: string): void;
  /** Receives one event per check result; the event is only built when this is set and wantsCheck() allows. */
  emitCheck?(e: CheckEvent): void;
  /** Asked before building each check event (e.g. () => bus.wants.check); default: always. */
  wantsCheck?(): boolean;
  /** An agent's admin word: the engine sets the state as the CLI would (and logs HAProxy's sentence). */
  agentAdmin?(server: ServerState, state: 'ready' | 'drain' | 'maint'): void;
  /** An agent's weight word, already checked against the algorithm: the engine sets the user weight. */
  agentWeight?(server: ServerState, weight: number): void;
  /** An agent's maxconn:N: the engine sets the server's maxconn and lets its queue in. */
  agentMaxconn?(server: ServerState, maxconn: number): void;
}

export interface HealthBackend {
  readonly spec: ProxySpec;
  readonly servers: readonly ServerState[];
  /** The algorithm follows weight changes (BE_LB_PROP_DYN); default true. Static ones take only 0% and 100%. */
  readonly dynamic?: boolean;
  /** Connections open to the backend and requests in its queue (for http-check send-state). */
  readonly load?: () => { connections: number; queued: number };
}

/** One check task: a server's health check, or its agent check. */
interface CheckTask {
  readonly server: ServerState;
  readonly agent: boolean;
}

export interface HealthSchedulerOptions {
  /** Clock for lastCheck.at and state-change times (ms). */
  readonly now?: () => number;
  /** Where to send a server's checks; default: its check addr/port, else its own address. */
  readonly addressOf?: (s: ServerState) => { host: string; port: number };
  /** The server's own address as HAProxy names it (send-state's address and port); default: its host and port. */
  readonly serverAddressOf?: (s: ServerState) => { host: string; port: number };
  /** Where to send a server's agent checks; default: its agent-addr (or addr), else its own host, on agent-port. */
  readonly agentAddressOf?: (s: ServerState) => { host: string; port: number };
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
  /** Runs the server's agent check now and applies its words. */
  agentNow(server: ServerState): Promise<CheckResult>;
  /** Applies one agent result (its words, the agent's counter, the transition it allows). */
  applyAgent(server: ServerState, result: CheckResult): HealthTransition;
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
  // in HAProxy's start order: each server's health check, then its agent
  const tasks: CheckTask[] = [];
  const checkTasks = new Map<ServerState, CheckTask>();
  for (const b of backends) {
    for (const s of b.servers) {
      owner.set(s, b);
      if (s.spec.check) {
        const t = { server: s, agent: false };
        tasks.push(t);
        checkTasks.set(s, t);
        if (s.lastCheck === undefined && s.op !== 'down') s.health = initialHealth(s.spec);
      }
      if (s.spec.agent && s.agent) tasks.push({ server: s, agent: true });
    }
  }

  const timers = new Map<CheckTask, NodeJS.Timeout>();
  /** When each scheduled check is due (the task's expire). */
  const due = new Map<CheckTask, number>();
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
    // a passing check ends a run of traffic errors (consecutive_errors)
    if (kind === 'passed' || kind === 'condpass') server.consecutiveErrors = 0;
    server.health = step.health;
    let to: HealthTransition = transitionFor(server, step.health, rise, kind);
    // check_notify_stopping(): a conditional pass (disable-on-404) takes a running server out of the balancing;
    // a full pass brings a stopping one back (srv_set_running)
    if (!to && server.admin !== 'maint' && step.health >= rise) {
      if (kind === 'condpass' && (server.op === 'up' || server.op === 'starting')) to = 'stopping';
      else if (kind === 'passed' && server.op === 'stopping') to = 'up';
    }
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
    // check_notify_success(): the agent must agree too
    if (to === 'up' && server.agent && server.agent.health < AGENT_RISE) return null;
    changeState(b, server, to, result, at);
    return to;
  }

  // srv_set_stopped / srv_set_running for a check's verdict: the sentence, the balancer, the backend's alert.
  function changeState(b: HealthBackend, server: ServerState, to: 'up' | 'down' | 'stopping', result: CheckResult, at: number): void {
    const before = countUsable(b.servers);
    const after = countUsable(b.servers, { server, op: to });
    // with log-health-checks the check line gave the reason, so the state sentence goes without it
    const reason = b.spec.options.logHealthChecks ? undefined : result;
    const message =
      to === 'down' ? serverDownMessage(server, reason, after) : to === 'stopping' ? serverStoppingMessage(server, reason, after) : serverUpMessage(server, reason, after);
    recordStateChange(server, to, at);
    host.transition(server, to, message);
    host.log(message);
    if (to !== 'up' && before.active + before.backup > 0 && after.active + after.backup === 0) {
      host.log(noServerAvailableMessage(b.spec.name, b.spec.kind === 'listen' ? 'listen' : 'backend'));
    }
  }

  // An agent's result (tcpcheck_agent_expect_reply, then set_server_check_status and check_notify_*): admin
  // word first, then the weight, then the agent's health; only "down", "stopped" or "fail" take the server
  // DOWN, and failing to reach the agent changes nothing but the agent's own status.
  function applyAgent(server: ServerState, raw: CheckResult): HealthTransition {
    const agent = server.agent;
    if (!agent) return null;
    const b = backendOf(server);
    const at = now();
    const prevStatus = agent.lastCheck?.status ?? 'INI';
    let status: CheckStatus = raw.status;
    let desc = raw.desc;
    const reply = raw.agent;
    if (reply) {
      if (reply.admin) host.agentAdmin?.(server, reply.admin);
      let warning: string | undefined;
      if (reply.weight !== undefined) {
        const w = weightRequest(reply.weight, server.spec.weight, b.dynamic ?? true);
        if ('error' in w) warning = w.error;
        else host.agentWeight?.(server, w.weight);
      }
      // maxconn:N after the weight; its warning only when the weight gave none
      if (reply.maxconn !== undefined) {
        const m = maxconnRequest(reply.maxconn);
        if ('error' in m) warning ??= m.error;
        else host.agentMaxconn?.(server, m.maxconn);
      }
      if (reply.health === 'up') agent.health = AGENT_RISE + AGENT_FALL - 1;
      else if (reply.health) agent.health = 0;
      status = agentStatus(reply);
      desc = agentDescription(reply, warning);
    }
    const result: CheckResult = { ...raw, status, desc, ok: status === 'L7OK', ...(checkStatusHasCode(status) ? { code: raw.code ?? 0 } : {}) };
    agent.lastCheck = { status, ...(result.code !== undefined ? { code: result.code } : {}), desc, durationMs: raw.durationMs, at };
    const kind = checkStatusResult(status);
    if (kind === 'neutral' || kind === 'unknown') return null;
    const healthBefore = agent.health;
    if (kind === 'failed') {
      if (checkStatusNumber(status) >= L57DATA && agent.health > 0) {
        server.failedChecks++;
        agent.health = agent.health - 1 < AGENT_RISE ? 0 : agent.health - 1;
      }
    } else if (agent.health < AGENT_RISE + AGENT_FALL - 1) {
      agent.health = agent.health + 1 >= AGENT_RISE ? AGENT_RISE + AGENT_FALL - 1 : agent.health + 1;
    }
    if (b.spec.options.logHealthChecks) {
      const line = checkResultMessage(server, result, kind === 'failed', healthBefore, agent.health, prevStatus !== status, {
        agent: true,
        rise: AGENT_RISE,
        fall: AGENT_FALL,
      });
      if (line) host.log(line);
    }
    if (server.admin === 'maint') return null;
    if (kind === 'failed') {
      if (status !== 'L7STS' || agent.health > 0 || server.op === 'down') return null;
      changeState(b, server, 'down', result, at);
      return 'down';
    }
    if (server.op !== 'down') return null;
    if (server.spec.check && server.health < server.spec.rise) return null;
    changeState(b, server, 'up', result, at);
    return 'up';
  }

  const rulesets = new Map<HealthBackend, CheckRuleset>();
  function rulesetOf(b: HealthBackend): CheckRuleset | undefined {
    const spec = b.spec.options.tcpCheck;
    if (!spec) return undefined;
    let rs = rulesets.get(b);
    if (!rs) rulesets.set(b, (rs = buildRuleset(spec)));
    return rs;
  }

  // check-ssl / inherited ssl: the server's TLS settings with check-sni as the SNI (no SNI without it)
  const checkTlsOptions = new Map<ServerState, tls.ConnectionOptions>();
  function checkTlsOf(server: ServerState): tls.ConnectionOptions | undefined {
    const spec = server.spec.checkTls;
    if (!spec) return undefined;
    let o = checkTlsOptions.get(server);
    if (!o) checkTlsOptions.set(server, (o = serverTlsOptions(spec, spec.checkSni)));
    return o;
  }

  const agentRulesets = new Map<ServerState, CheckRuleset>();
  function agentRulesetOf(server: ServerState): CheckRuleset {
    let rs = agentRulesets.get(server);
    if (!rs) agentRulesets.set(server, (rs = agentRuleset(server.spec.agent!, () => (server.agent?.lastCheck?.status ?? 'INI') as CheckStatus)));
    return rs;
  }

  // The agent goes to agent-addr (or addr) on agent-port; the address mapping the caller gives moves it too.
  function agentAddress(server: ServerState): { host: string; port: number } {
    if (opts.agentAddressOf) return opts.agentAddressOf(server);
    const spec = server.spec.agent!;
    return { host: spec.addr ?? server.host, port: spec.port };
  }

  function stateHeaderOf(b: HealthBackend, server: ServerState): string {
    const at = opts.serverAddressOf?.(server) ?? { host: server.host, port: server.port };
    const load = b.load?.() ?? { connections: 0, queued: 0 };
    return serverStateHeader(server, at.host, at.port, { servers: b.servers, allBackups: b.spec.options.allbackups, ...load }, now());
  }

  async function runOnce(task: CheckTask, signal: AbortSignal): Promise<CheckResult> {
    const { server } = task;
    const b = backendOf(server);
    const t = b.spec.timeouts;
    const common = {
      ...(t.connect !== undefined ? { timeoutConnect: t.connect } : {}),
      ...(t.check !== undefined ? { timeoutCheck: t.check } : {}),
      signal,
    };
    if (task.agent) {
      server.agent!.running = true;
      const spec = server.spec.agent!;
      const rs = agentRulesetOf(server);
      const target = agentAddress(server);
      const result = await runProbe({ host: target.host, port: target.port }, { inter: spec.inter, ruleset: rs, ...common });
      server.agent!.running = false;
      if (!signal.aborted) applyAgent(server, result);
      return result;
    }
    const ruleset = rulesetOf(b);
    server.checkRunning = true;
    const tlsOptions = checkTlsOf(server);
    const result = await runProbe(addressOf(server), {
      inter: server.spec.inter,
      ...(tlsOptions ? { tls: tlsOptions } : {}),
      ...(b.spec.options.httpchk ? { httpchk: b.spec.options.httpchk } : {}),
      ...(b.spec.options.httpchk && b.spec.options.sendState ? { serverState: stateHeaderOf(b, server) } : {}),
      ...(b.spec.options.disableOn404 && server.op !== 'down' ? { disableOn404: true } : {}),
      ...(ruleset ? { ruleset } : {}),
      ...common,
    });
    server.checkRunning = false;
    if (!signal.aborted) apply(server, result);
    return result;
  }

  function schedule(task: CheckTask, delayMs: number): void {
    const timer = setTimeout(() => void tick(task), Math.max(0, delayMs));
    timer.unref();
    timers.set(task, timer);
    due.set(task, Date.now() + Math.max(0, delayMs));
  }

  // __health_adjust(): one outcome of the server's traffic under "observe"; at error-limit consecutive errors,
  // on-error sets the health and a failed HANA result is applied as a check's would be, then the next check is
  // brought forward to fastinter when that is sooner.
  function observe(server: ServerState, outcome: TrafficOutcome): void {
    const spec = server.spec.observe;
    if (!spec || !running) return;
    const v = observeOutcome(spec, server.consecutiveErrors, outcome);
    if (v.kind === 'ignore') return;
    if (v.kind === 'clear') {
      server.consecutiveErrors = 0;
      return;
    }
    if (v.kind === 'count') {
      server.consecutiveErrors++;
      return;
    }
    const health = healthBeforeFailure(spec.onError, server.health, server.spec.rise);
    if (health !== null) {
      server.health = health;
      apply(server, { ok: false, status: 'HANA', desc: v.desc, durationMs: -1 });
    }
    server.consecutiveErrors = 0;
    server.failedHana++;
    const task = checkTasks.get(server);
    const fast = server.spec.fastinter;
    if (task && fast && timers.has(task) && Date.now() + fast < (due.get(task) ?? Infinity)) {
      clearTimeout(timers.get(task));
      schedule(task, fast);
    }
  }

  // srv_getinter() for either kind: the agent's counter always sits at 0 or full, so it uses its inter.
  function intervalOf(task: CheckTask): number {
    const s = task.server;
    if (task.agent) return s.spec.agent!.inter;
    return checkInterval(s.spec, s.health, s.op === 'down');
  }

  async function tick(task: CheckTask): Promise<void> {
    timers.delete(task);
    due.delete(task);
    if (!running) return;
    // Maintenance pauses health checks (CHK_ST_PAUSED), not agents; the task keeps waking every inter.
    if (!task.agent && task.server.admin === 'maint') return schedule(task, task.server.spec.inter);
    const signal = abort.signal;
    await runOnce(task, signal);
    if (running && !signal.aborted) schedule(task, intervalOf(task));
  }

  function taskDelays(): { task: CheckTask; delayMs: number }[] {
    let mininter = 0;
    for (const t of tasks) {
      const i = intervalOf(t);
      if (i >= INTER_THRESHOLD && (!mininter || i < mininter)) mininter = i;
    }
    return tasks.map((task, pos) => {
      const spread = Math.max(mininter, intervalOf(task));
      return { task, delayMs: Math.floor((spread * pos) / tasks.length) };
    });
  }

  function firstDelays(): { server: ServerState; delayMs: number }[] {
    return taskDelays()
      .filter((d) => !d.task.agent)
      .map((d) => ({ server: d.task.server, delayMs: d.delayMs }));
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      abort = new AbortController();
      // every check in flight listens on it (each removes its listener when done)
      setMaxListeners(0, abort.signal);
      for (const { task, delayMs } of taskDelays()) schedule(task, delayMs);
      // observe acts through the health check: a server without "check" ignores its traffic (health_adjust)
      for (const server of checkTasks.keys()) if (server.spec.observe) server.observer = (o) => observe(server, o);
    },
    stop(): void {
      running = false;
      abort.abort();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      due.clear();
      for (const server of checkTasks.keys()) delete server.observer;
    },
    checkNow(server: ServerState): Promise<CheckResult> {
      const task = checkTasks.get(server) ?? { server, agent: false };
      return runOnce(task, abort.signal.aborted ? new AbortController().signal : abort.signal);
    },
    agentNow(server: ServerState): Promise<CheckResult> {
      return runOnce({ server, agent: true }, abort.signal.aborted ? new AbortController().signal : abort.signal);
    },
    applyAgent,
    apply,
    firstDelays,
  };
}
