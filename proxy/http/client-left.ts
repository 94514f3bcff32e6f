// The client connection closed in the middle of an exchange: the exchange ends there and is logged with where
// it was (CH before a response, CQ from a queue, CD once the response began).
import type { Txn } from './exchange.ts';
import { reportExchange, type ReportingSession } from './exchange-report.ts';
import { dropServer } from './server-release.ts';

export function clientLeft(s: ReportingSession, t: Txn): void {
  if (t.tarpitTimer) clearTimeout(t.tarpitTimer);
  const queued = t.queued !== null;
  if (t.queued && t.backend) {
    t.backend.dequeue(t.queued);
    t.queuePos = { server: t.queued.server !== undefined, pos: t.queued.pos };
    // the time it waited in the queue is its Tw, and the log says it left from there (CQ)
    t.tAssigned = Date.now();
  }
  // a request already sent whole to its server: HAProxy's stream was past the request phase (CD), and the log
  // still names the server (measured with a reset client under abortonclose)
  const sent = t.conn !== null && t.tConnected >= 0 && t.reqDone && t.server !== null;
  dropServer(t);
  if (t.backend && t.server) t.backend.drop(t.server);
  t.termination = t.resp || sent ? 'CD--' : queued ? 'CQ--' : 'CH--';
  if (!t.status) t.status = -1;
  if (sent) t.failedServer = t.server;
  t.server = null;
  reportExchange(s, t);
}
