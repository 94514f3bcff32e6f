// A loopback server that answers every request with the request head it received as its body, so a parity test
// sees exactly what each proxy forwarded; `headers` adds response headers (before Content-Length) per request.
import { serveOnLoopback, type TestServer } from './raw-http.ts';

export function startHeadEcho(headers: (head: string) => string = () => ''): Promise<TestServer> {
  return serveOnLoopback((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        sock.write(`HTTP/1.1 200 OK\r\n${headers(head)}Content-Length: ${head.length}\r\n\r\n${head}`);
      }
    });
  });
}
