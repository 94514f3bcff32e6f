// agent-check as HAProxy 2.6 runs it (src/check.c srv_parse_agent_check, src/tcpcheck.c
// tcpcheck_agent_expect_reply): connect to the agent, send agent-send (or nothing), read one line and take
// its words. A health word (up, down, stopped, fail) sets the agent's health and status; an admin word
// (ready, drain, maint) sets the server's admin state; "NN%" sets its weight relative to the initial one;
// text after '#' describes a health change. Words may come in any order, the last of a kind wins.
import type { AgentCheckSpec } from '../../config/model.ts';
import type { CheckRuleset, EvalResult } from './rulesets.ts';
import type { CheckStatus } from './status.ts';

/** The words of one agent line, sorted as tcpcheck_agent_expect_reply() sorts them. */
export interface AgentReply {
  readonly health?: 'up' | 'down' | 'stopped' | 'fail';
  /** The health word as the agent wrote it ("STOPPED"): the info text quotes it so. */
  readonly healthWord?: string;
  readonly admin?: 'ready' | 'drain' | 'maint';
  /** A word starting with a digit and holding a '%' (the last one). */
  readonly weight?: string;
  /** "maxconn:N" (the last one), N as written. */
  readonly maxconn?: string;
  /** The first word that is none of the above. */
  readonly error?: string;
  /** The text after '#', leading blanks skipped. */
  readonly description: string;
}

const HEALTH = new Set(['up', 'down', 'stopped', 'fail']);
const ADMIN = new Set(['ready', 'drain', 'maint']);

// Reads one agent line (without its CR/LF): words split on spaces, tabs and commas, compared without case.
export function parseAgentLine(line: string): AgentReply {
  let health: AgentReply['health'];
  let healthWord: string | undefined;
  let admin: AgentReply['admin'];
  let weight: string | undefined;
  let maxconn: string | undefined;
  let error: string | undefined;
  let description = '';
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === ',') {
      i++;
      continue;
    }
    if (ch === '#') {
      description = line.slice(i + 1).replace(/^[\t ]+/, '').replace(/^[ \n]+/, '');
      break;
    }
    let end = i + 1;
    while (end < line.length && !' \t\n,'.includes(line[end]!)) end++;
    const word = line.slice(i, end);
    const lower = word.toLowerCase();
    if (HEALTH.has(lower)) {
      health = lower as AgentReply['health'];
      healthWord = word;
    }
    else if (ADMIN.has(lower)) admin = lower as AgentReply['admin'];
    else if (/^[0-9]/.test(word) && word.includes('%')) weight = word;
    else if (lower.startsWith('maxconn:')) maxconn = word.slice('maxconn:'.length);
    else if (error === undefined) error = word;
    i = end + 1;
  }
  return {
    ...(health ? { health, healthWord: healthWord! } : {}),
    ...(admin ? { admin } : {}),
    ...(weight !== undefined ? { weight } : {}),
    ...(maxconn !== undefined ? { maxconn } : {}),
    ...(error !== undefined ? { error } : {}),
    description,
  };
}

/** What the weight word asks for: a new user weight, or HAProxy's refusal (server_parse_weight_change_request). */
export type WeightRequest = { readonly weight: number } | { readonly error: string };

// server_parse_weight_change_request(): "NN%" is relative to the initial weight (capped at 256), a bare number
// absolute; a static algorithm only takes 0 and the initial weight. The messages keep HAProxy's trailing "\n".
export function weightRequest(text: string, initialWeight: number, dynamic: boolean): WeightRequest {
  if (text === '') return { error: 'Require <weight> or <weight%>.\n' };
  const m = /^[\t\n\v\f\r ]*([+-]?[0-9]+)/.exec(text);
  if (!m) return { error: 'Empty weight string empty or preceded by garbage' };
  let w = Number.parseInt(m[1]!, 10);
  const rest = text.slice(m[0].length);
  if (rest === '%') {
    if (w < 0) return { error: 'Relative weight must be positive.\n' };
    w = Math.floor((initialWeight * Math.min(w, 25600)) / 100);
    if (w > 256) w = 256;
  } else if (w < 0 || w > 256) {
    return { error: 'Absolute weight can only be between 0 and 256 inclusive.\n' };
  } else if (rest !== '') {
    return { error: 'Trailing garbage in weight string' };
  }
  if (w && w !== initialWeight && !dynamic) return { error: "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n" };
  return { weight: w };
}

/** The status an agent line gives: L7OK for up, L7STS for down/stopped/fail, else CHECKED (no change). */
export function agentStatus(reply: AgentReply): CheckStatus {
  if (reply.health === 'up') return 'L7OK';
  if (reply.health) return 'L7STS';
  return 'CHECKED';
}

// The agent's info text (check->desc): "via agent : down (gone fishing)" for a health word, else the first
// error ("agent reports an error : banana") or the weight's warning ("agent warns : ..."), else nothing.
export function agentDescription(reply: AgentReply, warning: string | undefined): string {
  if (reply.health) {
    let msg = reply.description;
    if (msg === '' || reply.health === 'up') {
      if (reply.error) msg = reply.error;
      else if (warning) msg = warning;
    }
    return `via agent : ${reply.healthWord ?? reply.health}${msg ? ` (${msg})` : ''}`;
  }
  if (reply.error) return `agent reports an error : ${reply.error}`;
  if (warning) return `agent warns : ${warning}`;
  return '';
}

// server_parse_maxconn_change_request(): the new maxconn, or the warning the agent's line reports (strtol: an
// optional sign and digits, nothing after them).
export function maxconnRequest(text: string): { maxconn: number } | { error: string } {
  if (text === '') return { error: 'Require <maxconn>.\n' };
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text);
  if (!m) return { error: 'maxconn string empty or preceded by garbage' };
  if (m[0].length !== text.length) return { error: 'Trailing garbage in maxconn string' };
  return { maxconn: Number(m[1]) };
}

/** The agent's own counter: HAProxy gives it rise 1 and fall 1 (DEF_AGENT_RISETIME / FALLTIME). */
export const AGENT_RISE = 1;
export const AGENT_FALL = 1;

// The "*agent-check" ruleset: an implicit connect to the agent, a send of agent-send, and an expect that
// reads one line. The expect stops with the words found; the scheduler applies them.
export function agentRuleset(spec: AgentCheckSpec, previousStatus: () => CheckStatus): CheckRuleset {
  const send = Buffer.from(spec.send ?? '', 'latin1');
  return {
    tcp: false,
    rules: [
      // the scheduler gives the agent's address as the target (so whoever maps addresses maps it too)
      { kind: 'connect', index: 0, implicit: true },
      { kind: 'send', index: 0, bytes: () => send },
      {
        kind: 'expect',
        index: 1,
        head: 2,
        inverse: false,
        minRecv: -1,
        mismatch: '',
        what: ' (expect custom function)',
        custom: (buf, lastRead): EvalResult => {
          const text = buf.toString('latin1');
          const end = text.search(/[\r\n\0]/);
          if (end < 0 || text[end] === '\0') {
            if (!lastRead) return { kind: 'wait' };
            // the status stays what it was; only the text says why
            return { kind: 'stop', status: previousStatus(), desc: 'Ignoring incomplete line from agent' };
          }
          const reply = parseAgentLine(text.slice(0, end));
          return { kind: 'stop', status: agentStatus(reply), desc: '', agent: reply };
        },
      },
    ],
  };
}
