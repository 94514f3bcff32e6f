// Builds ServerState sets for balancer tests from short descriptions.
import { ServerState } from '../../../proxy/server/server-state.ts';
import type { ServerSpec } from '../../../proxy/config/model.ts';

export interface ServerDesc {
  readonly name: string;
  readonly weight?: number;
  readonly backup?: boolean;
  readonly disabled?: boolean;
  readonly maxconn?: number;
  readonly maxqueue?: number;
  readonly id?: number;
  /** Parity runs only: nothing listens on its port, so connections to it are refused. */
  readonly dead?: boolean;
}

// One ServerState per description, ids in declaration order unless given.
export function makeServers(descs: readonly ServerDesc[], backend = 'be'): ServerState[] {
  return descs.map((d, i) => {
    const spec: ServerSpec = {
      name: d.name,
      id: d.id ?? i + 1,
      host: '127.0.0.1',
      port: 10000 + i,
      weight: d.weight ?? 1,
      check: false,
      inter: 2000,
      rise: 2,
      fall: 3,
      backup: d.backup ?? false,
      disabled: d.disabled ?? false,
      maxconn: d.maxconn ?? 0,
      maxqueue: d.maxqueue ?? 0,
      loc: { file: 'test.cfg', line: i + 1, col: 1 },
    };
    return new ServerState(spec, backend);
  });
}

// Weighted server names, e.g. weights('s', [2, 1, 3]) -> s1 w2, s2 w1, s3 w3.
export function weighted(prefix: string, ws: readonly number[]): ServerDesc[] {
  return ws.map((w, i) => ({ name: `${prefix}${i + 1}`, weight: w }));
}
