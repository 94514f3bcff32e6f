// Reducer of the containers table: one row per container the step runs, folded from the lab's typed container
// events alone (started, state, a request in its own output, removed). Pure, so tests drive it without Docker.
import type { ContainerEvent } from '../../docker/container-events.ts';

export interface ContainerRow {
  readonly name: string;
  readonly image: string;
  readonly role: 'app' | 'proxy';
  readonly port: number;
  /** 0: reached only on its network. */
  readonly hostPort: number;
  readonly state: string;
  /** Requests seen in its own output since it started (access lines; a proxy's log records). */
  readonly requests: number;
  /** Whom the proxy's newest record named. */
  readonly server: string | null;
}

export interface ContainersState {
  readonly rows: readonly ContainerRow[];
  /** The app container whose access line came last: it answered the last request. */
  readonly last: string | null;
}

export const initialContainers: ContainersState = { rows: [], last: null };

const put = (rows: readonly ContainerRow[], name: string, f: (r: ContainerRow) => ContainerRow): ContainerRow[] =>
  rows.map((r) => (r.name === name ? f(r) : r));

export function containersReducer(s: ContainersState, e: ContainerEvent): ContainersState {
  switch (e.kind) {
    case 'container-started': {
      // A container started again under a name (the next run of `c`) is a new one: its counts start at 0, and the
      // rows of a run that ended make way for the new run's.
      const row: ContainerRow = { name: e.name, image: e.image, role: e.role, port: e.port, hostPort: e.hostPort, state: e.state, requests: 0, server: null };
      const rows = s.rows.filter((r) => r.state !== 'removed' || r.name === e.name);
      const at = rows.findIndex((r) => r.name === e.name);
      return { rows: at < 0 ? [...rows, row] : rows.map((r, i) => (i === at ? row : r)), last: s.last === e.name ? null : s.last };
    }
    case 'container-state':
      return { ...s, rows: put(s.rows, e.name, (r) => ({ ...r, state: e.state })) };
    case 'container-request': {
      const row = s.rows.find((r) => r.name === e.name);
      if (!row) return s;
      return {
        rows: put(s.rows, e.name, (r) => ({ ...r, requests: r.requests + 1, ...(e.server !== undefined ? { server: e.server } : {}) })),
        last: row.role === 'app' ? e.name : s.last,
      };
    }
    case 'container-removed':
      return { ...s, rows: put(s.rows, e.name, (r) => ({ ...r, state: 'removed' })) };
  }
}

// The rows as the table prints them: name, image, state, where it is published, requests, and who answered last.
export function containerCells(s: ContainersState): { name: string; image: string; state: string; published: string; requests: string; note: string }[] {
  return s.rows.map((r) => ({
    name: r.name,
    image: r.image,
    state: r.state,
    published: r.state === 'removed' ? '-' : r.hostPort ? `127.0.0.1:${r.hostPort}` : 'network only',
    requests: String(r.requests),
    note: r.role === 'proxy' ? (r.server ? `→ ${r.server} last` : 'proxy') : s.last === r.name ? '◂ last answer' : '',
  }));
}
