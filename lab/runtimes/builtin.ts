// The builtin runtime: in-process Node servers that answer exactly as the documents' Flask apps do.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { appById, type AppEntry } from './app-catalog.ts';
import { flaskRespond } from './flask-responses.ts';
import { HandleBase } from './handle-base.ts';
import { assertPortFree } from './ports.ts';
import type { AppSpec, Runtime, RuntimeHandle } from './runtime.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Werkzeug's access log line: 127.0.0.1 - - [25/Nov/2026 14:47:09] "GET / HTTP/1.1" 200 -
function accessLine(req: http.IncomingMessage, status: number): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const when = `${p(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return `${req.socket.remoteAddress ?? '-'} - - [${when}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} -`;
}

class BuiltinHandle extends HandleBase implements RuntimeHandle {
  declare readonly runtime: 'builtin';
  readonly id: string;
  private server: http.Server | undefined;

  constructor(
    entry: AppEntry,
    spec: AppSpec,
    private readonly forget: (h: BuiltinHandle) => void,
  ) {
    super('builtin', entry, spec);
    this.id = `builtin:${spec.name}:${spec.hostPort}`;
  }


  // Listens on 127.0.0.1:hostPort, answering from the catalog through flaskRespond.
  async listen(): Promise<void> {
    this.state.set('starting');
    const server = http.createServer((req, res) => {
      const answer = flaskRespond(this.entry, req.method ?? 'GET', req.url ?? '/');
      // Werkzeug's dev server closes every connection after its response.
      res.writeHead(answer.status, answer.reason, {
        Server: 'haproxy-lab-builtin (answers as Werkzeug)',
        ...answer.headers,
        Connection: 'close',
      });
      res.end(answer.body);
      this.state.log(accessLine(req, answer.status));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.spec.hostPort, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: Error) => {
      this.state.set('failed');
      throw err;
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.state.log(` * Serving Flask app '${this.entry.file.replace(/\.py$/, '')}' (builtin)`);
    this.state.log(` * Running on http://127.0.0.1:${port}`);
    this.state.set('running');
  }

  private async close(hard: boolean): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (hard) server.closeAllConnections();
      else server.closeIdleConnections();
      await closed;
    }
    this.state.set('stopped');
  }

  async stop(): Promise<void> {
    await this.close(false);
  }
  async kill(): Promise<void> {
    await this.close(true);
  }
  async restart(): Promise<void> {
    await this.close(false);
    await this.listen();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close(true);
    this.forget(this);
  }
}

// In-process servers; always available, nothing to install.
export class BuiltinRuntime implements Runtime {
  readonly name = 'builtin' as const;
  private readonly handles = new Set<BuiltinHandle>();

  async available(): Promise<{ ok: true; detail: string }> {
    return { ok: true, detail: 'in-process Node servers that answer as the Flask apps do' };
  }

  async start(spec: AppSpec): Promise<RuntimeHandle> {
    const entry = appById(spec.app);
    await assertPortFree(spec.hostPort);
    const handle = new BuiltinHandle(entry, spec, (h) => this.handles.delete(h));
    await handle.listen();
    this.handles.add(handle);
    return handle;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h[Symbol.asyncDispose]()));
  }
}
