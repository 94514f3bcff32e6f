// Test-local HTTP/1 helpers: send a raw request from a chosen loopback source and read the whole answer,
// and turn the same raw request into the HttpRequestView our fetches read (the engine's parser is elsewhere).
import { connect } from 'node:net';
import type { SampleContext } from '../../../proxy/sample/context.ts';
import type { HttpRequestView } from '../../../proxy/http/message-view.ts';

export interface RawAnswer {
  readonly status: number;
  readonly body: string;
  /** Response headers by lowercased name (last one wins). */
  readonly headers: Record<string, string>;
  /** The client socket's own address and port, as the proxy saw them. */
  readonly src: string;
  readonly srcPort: number;
}

// Sends `raw` to 127.0.0.1:port from `source` and resolves with the status and body once the server closes.
export function sendRaw(port: number, raw: string, source = '127.0.0.1'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress: source });
    const chunks: Buffer[] = [];
    let src = source;
    let srcPort = 0;
    sock.on('connect', () => {
      src = sock.localAddress ?? source;
      srcPort = sock.localPort ?? 0;
      sock.write(raw);
    });
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const sep = text.indexOf('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, sep >= 0 ? sep : text.length).split('\r\n').slice(1)) {
        const c = line.indexOf(':');
        if (c > 0) headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
      }
      resolve({ status: m ? Number(m[1]) : 0, body: sep >= 0 ? text.slice(sep + 4) : '', headers, src, srcPort });
    });
    sock.setTimeout(5000, () => sock.destroy(new Error(`no answer from 127.0.0.1:${port} within 5 s`)));
  });
}

// Parses the request head the way HAProxy's h1 parser presents it: values trimmed of blanks, names as sent.
export function parseRequestHead(raw: string): HttpRequestView {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  const lines = head.split('\r\n');
  const [method, uri, proto] = lines[0]!.split(' ') as [string, string, string];
  const headers: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers.push(line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  const q = uri.indexOf('?');
  const pathEnd = q >= 0 ? q : uri.length;
  return {
    method,
    uri,
    version: proto.slice('HTTP/'.length),
    path: uri.startsWith('/') ? uri.slice(0, pathEnd) : '',
    query: q >= 0 ? uri.slice(q + 1) : null,
    headers,
  };
}

// Builds a request context from parts, for unit tests.
export function httpCtx(req: Partial<HttpRequestView> & { uri: string }, conn: Partial<SampleContext> = {}): SampleContext {
  const uri = req.uri;
  const q = uri.indexOf('?');
  const view: HttpRequestView = {
    method: req.method ?? 'GET',
    uri,
    version: req.version ?? '1.1',
    path: req.path ?? (uri.startsWith('/') ? uri.slice(0, q >= 0 ? q : uri.length) : ''),
    query: req.query !== undefined ? req.query : q >= 0 ? uri.slice(q + 1) : null,
    headers: req.headers ?? [],
  };
  return { src: '127.0.0.1', srcPort: 40000, dst: '127.0.0.1', dstPort: 8080, ...conn, req: view };
}
