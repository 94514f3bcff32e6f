// What a stick-table entry can store (stktable_data_types[] in src/stick_table.c), in HAProxy's order: the order
// "show table" prints them in. Counters are unsigned ints, bytes are 64-bit, rates are freq_ctr over a period.

export type StdType = 'sint' | 'uint' | 'ull' | 'frqp' | 'dict';

export interface DataTypeDef {
  readonly name: string;
  readonly std: StdType;
  /** Rates take a period: "http_req_rate(10s)". */
  readonly delay: boolean;
  /** gpt/gpc/gpc_rate arrays (2.5+): "gpc(2)" or "gpc_rate(2,10s)". */
  readonly array: boolean;
}

const dt = (name: string, std: StdType, delay = false, array = false): DataTypeDef => ({ name, std, delay, array });

export const DATA_TYPES: readonly DataTypeDef[] = [
  dt('server_id', 'sint'),
  dt('gpt0', 'uint'),
  dt('gpc0', 'uint'),
  dt('gpc0_rate', 'frqp', true),
  dt('conn_cnt', 'uint'),
  dt('conn_rate', 'frqp', true),
  dt('conn_cur', 'uint'),
  dt('sess_cnt', 'uint'),
  dt('sess_rate', 'frqp', true),
  dt('http_req_cnt', 'uint'),
  dt('http_req_rate', 'frqp', true),
  dt('http_err_cnt', 'uint'),
  dt('http_err_rate', 'frqp', true),
  dt('bytes_in_cnt', 'ull'),
  dt('bytes_in_rate', 'frqp', true),
  dt('bytes_out_cnt', 'ull'),
  dt('bytes_out_rate', 'frqp', true),
  dt('gpc1', 'uint'),
  dt('gpc1_rate', 'frqp', true),
  dt('server_key', 'dict'),
  dt('http_fail_cnt', 'uint'),
  dt('http_fail_rate', 'frqp', true),
  dt('gpt', 'uint', false, true),
  dt('gpc', 'uint', false, true),
  dt('gpc_rate', 'frqp', true, true),
];

export type DataTypeName =
  | 'server_id' | 'gpt0' | 'gpc0' | 'gpc0_rate' | 'conn_cnt' | 'conn_rate' | 'conn_cur' | 'sess_cnt' | 'sess_rate'
  | 'http_req_cnt' | 'http_req_rate' | 'http_err_cnt' | 'http_err_rate' | 'bytes_in_cnt' | 'bytes_in_rate'
  | 'bytes_out_cnt' | 'bytes_out_rate' | 'gpc1' | 'gpc1_rate' | 'server_key' | 'http_fail_cnt' | 'http_fail_rate'
  | 'gpt' | 'gpc' | 'gpc_rate';

const byName = new Map(DATA_TYPES.map((d, i) => [d.name, i]));

/** stktable_get_data_type(): the index of a data type name, or -1. */
export function dataTypeIndex(name: string): number {
  return byName.get(name) ?? -1;
}

/** stktable_get_data_type() also reads "server_name", the old name of server_key. */
export function resolveDataTypeName(name: string): string {
  return name === 'server_name' ? 'server_key' : name;
}
