// The stick-table actions of http-request, http-response and tcp-request rules: track-sc0/1/2 KEY [table T]
// (http_action_track_sc in src/http_act.c, tcp_action_track_sc in src/tcp_rules.c), sc-inc-gpc0/1(N),
// sc-inc-gpc(I,N), sc-set-gpt0(N) V and sc-set-gpt(I,N) V (src/stick_table.c), with HAProxy's parse messages.
import type { ProxyLineContext } from '../config/context.ts';
import { isInt, low32 } from '../sample/int64.ts';
import type { Parsed } from '../http/actions/common.ts';
import type { SampleContext } from '../sample/context.ts';
import { usableAt, type CheckPlace } from '../sample/places.ts';
import { compileSampleExpr, type SampleExpr } from '../sample/sample-expr.ts';
import { castSample } from '../sample/cast.ts';
import { typeOfValue } from '../sample/vars.ts';
import { sourceName } from '../http/actions/var-actions.ts';
import { dataTypeIndex } from './data-types.ts';
import type { FreqCtr } from './freq-ctr.ts';
import { updateFreqCtr } from './freq-ctr.ts';
import { sampleToKey } from './table-key.ts';
import { countFirstRequest, MAX_SESS_STKCTR, track } from './trackers.ts';

export type StickAction =
  | { readonly action: 'track-sc'; readonly sc: number; readonly expr: SampleExpr; readonly table?: string; readonly proxy: string }
  /** gpc: 0 or 1 for sc-inc-gpc0/1, else the array index of sc-inc-gpc(I,N). */
  | { readonly action: 'sc-inc-gpc'; readonly sc: number; readonly gpc: 0 | 1 | { readonly idx: number } }
  | { readonly action: 'sc-set-gpt'; readonly sc: number; readonly gpt: 0 | { readonly idx: number }; readonly value: number | SampleExpr };

/** Where a rule runs: the stream (content, http) or the session (tcp-request connection/session). */
export type StickLevel = 'stream' | 'session';

/** The action words of this family ("track-sc0", "sc-inc-gpc0(1)", "sc-set-gpt0" ...). */
export function isStickAction(word: string): boolean {
  return word.startsWith('track-sc') || word.startsWith('sc-inc-gpc') || word.startsWith('sc-set-gpt');
}

// cfg_parse_track_sc_num()
function trackNum(text: string): number | { error: string } {
  if (!/^\d+$/.test(text)) return { error: `Wrong track-sc number '${text}'` };
  const n = Number(text);
  if (n >= MAX_SESS_STKCTR) return { error: `${n} track-sc number exceeding ${MAX_SESS_STKCTR - 1} (MAX_SESS_STKCTR-1) value` };
  return n;
}

// strtol() as the gpc/gpt parsers use it: the number and what follows.
function strtol(s: string): { n: number; rest: string } {
  const m = /^\s*([+-]?\d*)/.exec(s)!;
  return { n: m[1] === '' || m[1] === '+' || m[1] === '-' ? 0 : Number(m[1]), rest: s.slice(m[0].length) };
}

/**
 * Parses the action word c.arg(at - 1) and what follows it; `places` are where its expressions run,
 * `tcpPrefix` is set for tcp-request rules, whose messages name the rule ("'tcp-request content track-sc0' : ").
 */
export function parseStickAction(c: ProxyLineContext, at: number, places: readonly CheckPlace[], tcpPrefix?: string): Parsed<StickAction> {
  const word = c.arg(at - 1);
  if (word.startsWith('track-sc')) {
    const wrap = (e: string): { error: string } => ({ error: tcpPrefix ? `'${tcpPrefix} ${word}' : ${e}` : e });
    const n = trackNum(word.slice(8));
    if (typeof n !== 'number') return wrap(n.error);
    const text = c.arg(at);
    if (text === '') return wrap('missing fetch method');
    const expr = compileSampleExpr(text, c.sampleScope);
    if ('error' in expr) return wrap(expr.error);
    if (expr.end !== text.length) return wrap(`missing comma after fetch keyword '${expr.fetch}'`);
    if (!places.some((p) => usableAt(expr.source, p))) {
      return wrap(`fetch method '${text}' extracts information from '${sourceName(expr.source)}', none of which is available here`);
    }
    let next = at + 1;
    let table: string | undefined;
    if (c.arg(next) === 'table') {
      if (c.arg(next + 1) === '') return wrap('missing table name');
      table = c.arg(next + 1);
      next += 2;
    }
    return { rule: { action: 'track-sc', sc: n, expr, ...(table !== undefined ? { table } : {}), proxy: c.proxy.name }, next };
  }
  if (word.startsWith('sc-inc-gpc')) {
    const rest = word.slice('sc-inc-gpc'.length);
    if (rest.startsWith('(')) {
      const a = strtol(rest.slice(1));
      if (!a.rest.startsWith(',')) return { error: `Missing gpc ID '${word}'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)` };
      const b = strtol(a.rest.slice(1));
      if (!b.rest.startsWith(')')) return { error: `invalid stick table track ID '${word}'. Expects sc-inc-gpc(<GPC ID>,<Track ID>)` };
      if (b.n >= MAX_SESS_STKCTR) return { error: `invalid stick table track ID '${word}'. The max allowed ID is ${MAX_SESS_STKCTR - 1}` };
      return { rule: { action: 'sc-inc-gpc', sc: b.n, gpc: { idx: a.n } }, next: at };
    }
    if (rest[0] === '0' || rest[0] === '1') {
      const gpc = rest[0] === '1' ? 1 : 0;
      const sc = scSuffix(rest.slice(1), word, `${word}(<Track ID>)`, false);
      if (typeof sc !== 'number') return sc;
      return { rule: { action: 'sc-inc-gpc', sc, gpc }, next: at };
    }
    return { error: `invalid gpc ID '${word}'. Expects sc-set-gpc(<GPC ID>,<Track ID>)` };
  }
  // sc-set-gpt0 / sc-set-gpt(I,N), then an integer or an expression
  const rest = word.slice('sc-set-gpt'.length);
  let sc: number;
  let gpt: 0 | { idx: number };
  if (rest.startsWith('(')) {
    const a = strtol(rest.slice(1));
    if (!a.rest.startsWith(',')) return { error: `Missing gpt ID '${word}'. Expects sc-set-gpt(<GPT ID>,<Track ID>)` };
    const b = strtol(a.rest.slice(1));
    if (!b.rest.startsWith(')')) return { error: `invalid stick table track ID '${word}'. Expects sc-set-gpt(<GPT ID>,<Track ID>)` };
    if (b.n >= MAX_SESS_STKCTR) return { error: `invalid stick table track ID '${word}'. The max allowed ID is ${MAX_SESS_STKCTR - 1}` };
    sc = b.n;
    gpt = { idx: a.n };
  } else if (rest[0] === '0') {
    const s = scSuffix(rest.slice(1), word, 'sc-set-gpt0(<Track ID>)', true);
    if (typeof s !== 'number') return s;
    sc = s;
    gpt = 0;
  } else {
    return { error: `invalid gpt ID '${word}'. Expects sc-set-gpt(<GPT ID>,<Track ID>)` };
  }
  const text = c.arg(at);
  if (/^[+-]?\d+$/.test(text)) return { rule: { action: 'sc-set-gpt', sc, gpt, value: Number(text) }, next: at + 1 };
  const expr = compileSampleExpr(text, c.sampleScope);
  if ('error' in expr) return expr;
  if (!places.some((p) => usableAt(expr.source, p))) {
    return { error: `fetch method '${text}' extracts information from '${sourceName(expr.source)}', none of which is available here` };
  }
  return { rule: { action: 'sc-set-gpt', sc, gpt, value: expr }, next: at + 1 };
}

// "(N)" after sc-inc-gpc0/1 and sc-set-gpt0; nothing means 0.
function scSuffix(rest: string, word: string, expects: string, quoteWord: boolean): number | { error: string } {
  if (rest === '') return 0;
  const w = quoteWord ? ` '${word}'` : '';
  if (!rest.startsWith('(')) return { error: `invalid stick table track ID${w}. Expects ${expects}` };
  const a = strtol(rest.slice(1));
  if (!a.rest.startsWith(')')) return { error: `invalid stick table track ID${w}. Expects ${expects}` };
  if (a.n >= MAX_SESS_STKCTR) return { error: `invalid stick table track ID${w}. The max allowed ID is ${MAX_SESS_STKCTR - 1}` };
  return a.n;
}

const GPC0 = dataTypeIndex('gpc0');
const GPC1 = dataTypeIndex('gpc1');
const GPC0_RATE = dataTypeIndex('gpc0_rate');
const GPC1_RATE = dataTypeIndex('gpc1_rate');
const GPC = dataTypeIndex('gpc');
const GPC_RATE = dataTypeIndex('gpc_rate');
const GPT0 = dataTypeIndex('gpt0');
const GPT = dataTypeIndex('gpt');

/** How the rule that runs an action was reached. */
export interface StickRun {
  readonly level: StickLevel;
  /** An http-request/response track-sc counts the request it tracks from (and a response's status). */
  readonly http: boolean;
  /** The rule is a backend's, reached from another frontend (STKCTR_TRACK_BACKEND). */
  readonly backend: boolean;
}

/** Runs one stick action; a missing table, key or tracked counter changes nothing, as in HAProxy. */
export function applyStickAction(rule: StickAction, ctx: SampleContext, run: StickRun): void {
  const stick = ctx.stick;
  if (!stick) return;
  const ctrs = run.level === 'session' ? stick.sess : stick.ctrs;
  if (!ctrs) return;
  switch (rule.action) {
    case 'track-sc': {
      if (ctrs[rule.sc]) return;
      const table = stick.tables.get(rule.table ?? rule.proxy);
      if (!table) return;
      const v = rule.expr.evaluateSample(ctx);
      if (v === undefined) return;
      const key = sampleToKey(v, rule.expr.outType === 'any' ? typeOfValue(v) : rule.expr.outType, table.spec.type, table.spec.keySize);
      if (!key) return;
      const content = run.level === 'stream';
      const ctr = track(ctrs, rule.sc, table, key, { content, backend: content && run.backend });
      if (ctr && run.http) countFirstRequest(ctr, stick.status);
      return;
    }
    case 'sc-inc-gpc': {
      const ctr = ctrs[rule.sc];
      if (!ctr) return;
      const t = ctr.table;
      const e = ctr.entry;
      const element = typeof rule.gpc === 'number' ? rule.gpc : rule.gpc.idx;
      const scalarRate = rule.gpc === 0 ? GPC0_RATE : rule.gpc === 1 ? GPC1_RATE : -1;
      const scalar = rule.gpc === 0 ? GPC0 : rule.gpc === 1 ? GPC1 : -1;
      let any = false;
      const rIdx = scalarRate >= 0 && t.stores(scalarRate) ? scalarRate : GPC_RATE;
      const r = t.stores(rIdx) ? t.element(e, rIdx, rIdx === GPC_RATE ? element : 0) : undefined;
      if (r !== undefined && typeof r === 'object') {
        updateFreqCtr(r as FreqCtr, t.now(), t.period(rIdx), 1);
        any = true;
      }
      if (scalar >= 0 && t.stores(scalar)) {
        t.set(e, scalar, ((t.counter(e, scalar) ?? 0) + 1) >>> 0);
        any = true;
      } else if (t.stores(GPC)) {
        const arr = e.data[GPC] as number[];
        if (element < arr.length) {
          arr[element] = (arr[element]! + 1) >>> 0;
          any = true;
        }
      }
      if (any) t.touch(e);
      return;
    }
    case 'sc-set-gpt': {
      const ctr = ctrs[rule.sc];
      if (!ctr) return;
      const t = ctr.table;
      const e = ctr.entry;
      const element = rule.gpt === 0 ? 0 : rule.gpt.idx;
      const scalar = rule.gpt === 0 && t.stores(GPT0);
      if (!scalar && !(t.stores(GPT) && element < (e.data[GPT] as number[]).length)) return;
      let value: number;
      if (typeof rule.value === 'number') value = rule.value;
      else {
        const v = rule.value.evaluateSample(ctx);
        const n = v === undefined ? undefined : castSample(v, rule.value.outType, 'int');
        if (!isInt(n)) return;
        value = low32(n);
      }
      value = low32(value);
      if (scalar) t.set(e, GPT0, value);
      else (e.data[GPT] as number[])[element] = value;
      t.touch(e);
      return;
    }
  }
}
