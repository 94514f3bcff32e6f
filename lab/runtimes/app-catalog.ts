// Every Flask app of the four documents: where its files are, its port, and what each route answers.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type HttpMethod = 'GET' | 'POST';

/** One route as the document's Flask app declares it; `body` is exactly what the view function returns. */
export interface AppRoute {
  readonly path: string;
  /** Methods given to @app.route (Flask adds HEAD to GET routes and OPTIONS to all). */
  readonly methods: readonly HttpMethod[];
  readonly body: string;
}

export interface AppEntry {
  /** Id used by AppSpec.app, e.g. "ep9-app1". */
  readonly id: string;
  /** Document id = folder under apps/, e.g. "ep9-weighted-rr". */
  readonly document: string;
  /** Default name of this app within its document (compose service / server name). */
  readonly name: string;
  /** The Python file under apps/<document>/. */
  readonly file: string;
  /** The Dockerfile under apps/<document>/ that builds this app. */
  readonly dockerfile: string;
  /** The port the document runs the app on (inside the container too). */
  readonly defaultPort: number;
  readonly routes: readonly AppRoute[];
}

export interface DocumentEntry {
  readonly id: string;
  readonly title: string;
}

export const documents: readonly DocumentEntry[] = [
  { id: 'ep9-weighted-rr', title: 'HAProxy EP 9: Load Balancing with Weighted Round Robin' },
  { id: 'ep4-acl', title: 'HAProxy EP 4: Understanding ACL – Access Control List' },
  { id: 'ep2-tcp-proxy', title: 'HAProxy EP 2: TCP Proxy for Flask Application' },
  { id: 'docker-ep10', title: 'Docker EP – 10: Let’s Dockerize a Flask Application' },
];

const ep9 = (n: 1 | 2 | 3): AppEntry => ({
  id: `ep9-app${n}`,
  document: 'ep9-weighted-rr',
  name: `app${n}`,
  file: `app${n}.py`,
  dockerfile: `Dockerfile.app${n}`,
  defaultPort: 5000 + n,
  routes: [
    { path: '/', methods: ['GET'], body: `Hello from Flask App ${n}!` },
    { path: '/data', methods: ['GET'], body: `Data from Flask App ${n}!` },
  ],
});

export const apps: readonly AppEntry[] = [
  ep9(1),
  ep9(2),
  ep9(3),
  {
    id: 'ep4-app1',
    document: 'ep4-acl',
    name: 'app1',
    file: 'app1.py',
    dockerfile: 'Dockerfile.app1',
    defaultPort: 5003,
    routes: [{ path: '/', methods: ['GET'], body: 'Welcome to the main page!' }],
  },
  {
    id: 'ep4-app2',
    document: 'ep4-acl',
    name: 'app2',
    file: 'app2.py',
    dockerfile: 'Dockerfile.app2',
    defaultPort: 5004,
    routes: [{ path: '/submit', methods: ['POST'], body: 'Form submitted successfully!' }],
  },
  {
    id: 'ep2-app',
    document: 'ep2-tcp-proxy',
    name: 'app',
    file: 'app.py',
    dockerfile: 'Dockerfile',
    defaultPort: 5000,
    routes: [{ path: '/', methods: ['GET'], body: 'Hello from Flask over TCP!' }],
  },
  {
    id: 'docker-ep10-app',
    document: 'docker-ep10',
    name: 'app',
    file: 'app.py',
    dockerfile: 'Dockerfile',
    defaultPort: 5000,
    routes: [{ path: '/', methods: ['GET'], body: 'Hello, Dockerized Flask!' }],
  },
];

/** Absolute path of the repository's apps/ folder. */
export const appsRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps');

// The catalog entry for an app id; throws naming the known ids.
export function appById(id: string): AppEntry {
  const app = apps.find((a) => a.id === id);
  if (!app) throw new Error(`unknown app '${id}': expected one of ${apps.map((a) => a.id).join(', ')}`);
  return app;
}

// The apps of one document, in the document's order.
export function appsOfDocument(document: string): AppEntry[] {
  return apps.filter((a) => a.document === document);
}

// Absolute folder of an app's document (its Docker build context).
export function appDir(app: AppEntry): string {
  return path.join(appsRoot, app.document);
}
