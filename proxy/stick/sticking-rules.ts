// Persistence by stick table (process_sticking_rules / process_store_rules in src/stream.c): on the request,
// "stick match|on" looks the key up and sends the request straight to the server the entry names (when that
// server is neither down nor in maintenance); "stick on|store-request" and, on the response, "store-response"
// remember the server that answered, under the key, once the response arrives. Only the first store rule of
// each table applies.
import type { ProxySpec, StickRule } from '../config/model.ts';
import type { SampleContext } from '../sample/context.ts';
import { typeOfValue } from '../sample/vars.ts';
import type { ServerState } from '../server/server-state.ts';
import type { StickTable } from './stick-table.ts';
import { sampleToKey } from './table-key.ts';
import { dataTypeIndex } from './data-types.ts';

const SERVER_ID = dataTypeIndex('server_id');
const SERVER_KEY = dataTypeIndex('server_key');

/** An entry to store once the response comes (s->store[]). */
export interface PendingStore {
  readonly table: StickTable;
  readonly key: Buffer;
}

function keyOf(rule: StickRule, table: StickTable, ctx: SampleContext): Buffer | undefined {
  const v = rule.expr.evaluateSample(ctx);
  if (v === undefined) return undefined;
  return sampleToKey(v, rule.expr.outType === 'any' ? typeOfValue(v) : rule.expr.outType, table.spec.type, table.spec.keySize);
}

const holds = (rule: StickRule, ctx: SampleContext): boolean => !rule.cond || rule.cond.test(ctx) === (rule.cond.polarity === 'if');

/**
 * The backend's request-side stick rules: the server a matching entry names (undefined: let the balancer
 * choose), and the stores to make when the response arrives.
 */
export function applyStickingRules(
  be: ProxySpec, ctx: SampleContext, servers: readonly ServerState[], stores: PendingStore[],
): ServerState | undefined {
  const tables = ctx.stick?.tables;
  if (!tables) return undefined;
  let chosen: ServerState | undefined;
  for (const rule of be.stickRules) {
    const table = tables.get(rule.table ?? be.name);
    if (!table) continue;
    const store = rule.kind === 'on' || rule.kind === 'store-request';
    if (store && stores.some((s) => s.table === table)) continue;
    if (!holds(rule, ctx)) continue;
    const key = keyOf(rule, table, ctx);
    if (!key) continue;
    if (rule.kind === 'on' || rule.kind === 'match') {
      const e = table.lookup(key);
      if (e) {
        if (!chosen) chosen = findTarget(e.data, servers);
        table.touch(e);
      }
    }
    if (store && stores.length < 8) stores.push({ table, key });
  }
  return chosen;
}

// sticking_rule_find_target(): by the stored name first, then by id; not a server that is down (the engine has
// no "option persist" yet, which would keep it).
function findTarget(data: readonly unknown[], servers: readonly ServerState[]): ServerState | undefined {
  const name = data[SERVER_KEY];
  let srv = typeof name === 'string' ? servers.find((s) => s.name === name) : undefined;
  if (!srv) {
    const id = data[SERVER_ID];
    srv = typeof id === 'number' ? servers.find((s) => s.id === id) : undefined;
  }
  if (!srv) return undefined;
  return srv.op !== 'down' && srv.admin !== 'maint' ? srv : undefined;
}

/** The response arrived from `server`: store-response rules add their entries, then every pending one is stored. */
export function applyStoreRules(be: ProxySpec, ctx: SampleContext, stores: PendingStore[], server: ServerState): void {
  const tables = ctx.stick?.tables;
  if (!tables) return;
  const fromRequest = stores.length;
  for (const rule of be.storeResponseRules) {
    const table = tables.get(rule.table ?? be.name);
    if (!table) continue;
    if (stores.slice(fromRequest).some((s) => s.table === table)) continue;
    if (!holds(rule, ctx)) continue;
    const key = keyOf(rule, table, ctx);
    if (key && stores.length < 8) stores.push({ table, key });
  }
  for (const s of stores) {
    const e = s.table.getEntry(s.key);
    if (!e) continue;
    s.table.storeServer(e, server.id, server.name);
    s.table.touch(e, true);
  }
  stores.length = 0;
}
