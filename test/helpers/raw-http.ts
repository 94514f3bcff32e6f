// Raw HTTP for parity tests: a server that answers each path with fixed bytes, a client that sends raw bytes and
// collects what comes back, and the normalizers that drop what differs between two runs (dates, ports, timings).
import net from 'node:net';

/** A test server on a free loopback port; close() also ends the connections still open. */
export interface TestServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `onConnection` on a free 127.0.0.1 port. Connections are tracked (and their errors ignored) so that close()
 * does not wait for clients a test left open.
 */
export function serveOnLoopback(onConnection: (sock: net.Socket) => void, opts: net.ServerOpts = {}): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(opts, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    onConnection(sock);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

/** What the server answers for a path: raw bytes, or a function that does something with the socket. */
export type RawAnswer = string | ((sock: net.Socket) => void);

/**
 * A server that answers the path of each request with answers[path] (answers['/ok11'] when the path is unknown),
 * then closes after the paths that `closesAfter` names (close-delimited or HTTP/1.0 answers).
 */
export function startRawServer(answers: Record<string, RawAnswer>, closesAfter: (path: string) => boolean = () => false): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const path = head.split(' ')[1] ?? '/';
        const answer = answers[path.split('?')[0]!] ?? answers['/ok11']!;
        if (typeof answer === 'function') answer(sock);
        else if (closesAfter(path)) sock.end(answer);
        else sock.write(answer);
      }
    });
  });
}

/** Sends raw bytes (from `localAddress`, a 127.x source, when given), collects everything until the proxy closes or goes quiet for quietMs. */
export function exchange(port: number, bytes: string, quietMs = 400, halfClose = false, localAddress?: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    let out = '';
    let timer: NodeJS.Timeout;
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    sock.on('data', (d) => {
      out += d.toString('latin1');
      arm();
    });
    sock.on('close', done);
    sock.on('error', done);
    sock.on('connect', () => {
      sock.write(bytes);
      if (halfClose) sock.end();
      arm();
    });
  });
}

/** Drops what legitimately differs between two runs: the Date header. */
export const normalize = (s: string) => s.replace(/^date: .*\r\n/gim, '');

export const TRAFFIC_LINE = /^\d+\.\d+\.\d+\.\d+:\d+ \[/;

/** A log line (httplog or tcplog) without what varies between runs: client port, date, and non-negative timings. */
export const normalizeLog = (line: string) =>
  line
    .replace(/^(\S+):\d+ \[[^\]]+\]/, '$1:PORT [DATE]')
    .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+) (\d{3}|-1) /, (_m, ...g: string[]) =>
      ' ' + g.slice(0, 5).map((x) => (x === '-1' ? '-1' : 'T')).join('/') + ` ${g[5]} `)
    // tcplog: Tw/Tc/Tt BYTES TERMINATION
    .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+) (\d+) ([A-Za-z-]{2}) /, (_m, ...g: string[]) =>
      ' ' + g.slice(0, 3).map((x) => (x === '-1' ? '-1' : 'T')).join('/') + ` ${g[3]} ${g[4]} `);

export const settle = () => new Promise((r) => setTimeout(r, 150));
