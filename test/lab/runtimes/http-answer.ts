// One HTTP request to 127.0.0.1 with a fresh connection, returning what a comparison needs.
import http from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

// Sends METHOD PATH to 127.0.0.1:port (never reusing a connection) and reads the whole answer.
export function request(port: number, method: string, path: string, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent: false, timeout: 5000, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, body: text }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port} within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

// Allow header as a sorted list (Werkzeug prints the methods in Python set order, which varies per process).
export function allowSet(a: HttpAnswer): string[] {
  return String(a.headers['allow'] ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .sort();
}
