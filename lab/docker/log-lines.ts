// Reading the containers' own output: a proxy's tcplog/httplog record (who took the connection) and an app's access
// line (a request that reached it).

/** One line of the proxy's tcplog/httplog: who took the connection. */
export interface ProxyLogRecord {
  readonly frontend: string;
  readonly backend: string;
  readonly server: string;
  readonly line: string;
}

// "127.0.0.1:41234 [03/Dec/2026:12:00:00.123] tcp_front flask_backend/flask1 1/0/5 ..." (tcplog and httplog alike)
const LOG_RECORD = /^\S+:\d+ \[[^\]]+\] (\S+) ([^\s/]+)\/(\S+) /;

// werkzeug's access line: 172.18.0.3 - - [03/Dec/2026 12:00:00] "GET / HTTP/1.1" 200 -
export const ACCESS_LINE = /"[A-Z]+ \S+ HTTP\/\d\.\d" \d{3}/;

export function parseProxyLog(line: string): ProxyLogRecord | null {
  const m = LOG_RECORD.exec(line);
  return m ? { frontend: m[1]!.replace(/~$/, ''), backend: m[2]!, server: m[3]!, line } : null;
}
