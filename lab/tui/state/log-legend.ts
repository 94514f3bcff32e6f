// The legend of an HAProxy log line (option httplog / tcplog, HAProxy 2.6 formats): each field of the newest
// line with its value and what it means, in the words of doc/configuration.txt section 8.
import { wrapText, type Line } from './text.ts';

const HTTP = /^(\S+):(\d+) \[([^\]]+)\] (\S+) (\S+)\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(\+?-?\d+) (-?\d+) (\+?\d+) (\S+) (\S+) (\S{4}) (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\+?\d+) (\d+)\/(\d+)(?: \{.*?\})*(?: "(.*)")?/;
const TCP = /^(\S+):(\d+) \[([^\]]+)\] (\S+) (\S+)\/(\S+) (-?\d+)\/(-?\d+)\/(\+?-?\d+) (\+?\d+) (\S{2}) (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\+?\d+) (\d+)\/(\d+)/;

const FIRST: Record<string, string> = {
  '-': 'normal end',
  C: 'the client aborted',
  S: 'the server aborted or refused the connection',
  P: 'the proxy itself stopped it (a deny rule, a bad request, a 503 without server)',
  L: 'the proxy answered locally (redirect, stats, return)',
  R: 'a resource ran out (memory, sockets, ports)',
  I: 'an internal error of the proxy',
  D: 'the server went DOWN and the session was killed',
  U: 'the server was UP again (backup) and the session was killed',
  K: 'killed by an admin',
  c: 'the client timeout struck',
  s: 'the server timeout struck',
};
const SECOND: Record<string, string> = {
  '-': 'normal end',
  R: 'while waiting for the client’s request',
  Q: 'while waiting in the queue for a server slot',
  C: 'while connecting to the server',
  H: 'while waiting for the server’s response headers',
  D: 'while sending data',
  L: 'while sending the last data to the client',
  T: 'while tarpitting',
};

const timer = (v: string, what: string, never: string): string => (v.startsWith('-1') ? `-1: ${never}` : `${v} ms: ${what}`);

// Lines explaining line field by field; a line in neither format is shown as it is with why.
export function logLegendLines(line: string | null, width: number): Line[] {
  const out: Line[] = [];
  // One field a row where it fits: label, value, meaning; a long meaning wraps under itself.
  const push = (label: string, value: string, means: string): void => {
    const head = `${label.padEnd(12)} ${value.padEnd(Math.max(value.length, 8))}`;
    const room = width - head.length - 3;
    if (room < 20) {
      out.push({ text: head.slice(0, width), bold: true });
      for (const t of wrapText(means, width - 4)) out.push({ text: `    ${t}`, tone: 'dim' });
      return;
    }
    wrapText(means, room).forEach((t, i) => out.push({ text: `${i === 0 ? head : ' '.repeat(head.length)} · ${t}`, ...(i === 0 ? { bold: true } : { tone: 'dim' }) }));
  };
  if (line === null) return [{ text: 'No log line yet: press space to send a request, then l.', tone: 'dim' }];
  for (const t of wrapText(line, width)) out.push({ text: t, tone: 'accent' });
  const h = HTTP.exec(line);
  if (h) {
    push('backend/server', `${h[5]}/${h[6]}`, h[6] === '<NOSRV>' ? 'no server was chosen: a rule answered, or no server was usable' : 'where the request went');
    push('TR', h[7]!, timer(h[7]!, 'to receive the whole request from the client (Tq in older versions)', 'the full request never arrived'));
    push('Tw', h[8]!, timer(h[8]!, 'waiting in queues for a server slot', 'it never reached a queue (denied, or the client left first)'));
    push('Tc', h[9]!, timer(h[9]!, 'to connect to the server', 'no connection to a server was made'));
    push('Tr', h[10]!, timer(h[10]!, 'for the server to send its response headers', 'no response headers came from a server'));
    push('Ta', h[11]!, `${h[11]} ms: the whole request, from accept to the last byte sent${h[11]!.startsWith('+') ? ' (+: logged before the end)' : ''}`);
    push('status', h[12]!, 'the HTTP status sent to the client (a server’s, or the proxy’s own: 403 deny, 503 no server)');
    push('bytes', h[13]!, 'bytes sent to the client, headers included');
    push('cookies', `${h[14]} ${h[15]}`, 'captured request and response cookies (- when none is captured)');
    const ts = h[16]!;
    push(
      'termination',
      ts,
      `how the session ended: ${ts[0]} = ${FIRST[ts[0]!] ?? '?'}; ${ts[1]} = ${SECOND[ts[1]!] ?? '?'}; then two persistence-cookie flags (- = none)`,
    );
    push('conns', `${h[17]}/${h[18]}/${h[19]}/${h[20]}/${h[21]}`, 'actconn (whole process) / feconn (frontend) / beconn (backend) / srv_conn (this server) when it was logged / retries (+: redispatched)');
    push('queues', `${h[22]}/${h[23]}`, 'requests ahead of it in the server’s queue / in the backend’s queue');
    // What the learner asks about first (timers, status, termination) comes first; who and when after.
    push('client', `${h[1]}:${h[2]}`, 'the address and port the request came from');
    push('accept date', h[3]!, 'when the proxy accepted the connection');
    push('frontend', h[4]!, 'the frontend that received it');
    if (h[24] !== undefined) push('request', `"${h[24]}"`, 'the request line as received');
    return out;
  }
  const t = TCP.exec(line);
  if (t) {
    push('client', `${t[1]}:${t[2]}`, 'the address and port the connection came from');
    push('accept date', t[3]!, 'when the proxy accepted the connection');
    push('frontend', t[4]!, 'the frontend that received it');
    push('backend/server', `${t[5]}/${t[6]}`, 'where the connection went');
    push('Tw', t[7]!, timer(t[7]!, 'waiting in queues for a server slot', 'it never reached a queue'));
    push('Tc', t[8]!, timer(t[8]!, 'to connect to the server', 'no connection to a server was made'));
    push('Tt', t[9]!, `${t[9]} ms: the whole connection, from accept to close`);
    push('bytes', t[10]!, 'bytes sent to the client');
    const ts = t[11]!;
    push('termination', ts, `how it ended: ${ts[0]} = ${FIRST[ts[0]!] ?? '?'}; ${ts[1]} = ${SECOND[ts[1]!] ?? '?'}`);
    push('conns', `${t[12]}/${t[13]}/${t[14]}/${t[15]}/${t[16]}`, 'actconn / feconn / beconn / srv_conn when it was logged / retries');
    push('queues', `${t[17]}/${t[18]}`, 'connections ahead of it in the server’s queue / in the backend’s queue');
    return out;
  }
  out.push({ text: 'This line is neither in httplog nor in tcplog format (a custom log-format?), so it has no legend here.', tone: 'dim' });
  return out;
}
