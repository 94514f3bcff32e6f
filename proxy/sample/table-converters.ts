// The stick-table converters (src/stick_table.c sample_conv_in_table, sample_conv_table_*): the input sample is a
// key of the named table; in_table says whether it has an entry, table_X(T) reads X of that entry (0 when the key
// has none, no sample when the table does not store X).
import type { ConverterDef } from './converters.ts';
import type { SampleContext } from './context.ts';
import type { SampleValue } from './sample.ts';
import { typeOfValue } from './vars.ts';
import { dataTypeIndex } from '../stick/data-types.ts';
import { readFreqCtr } from '../stick/freq-ctr.ts';
import type { StickEntry, StickTable } from '../stick/stick-table.ts';
import { sampleToKey } from '../stick/table-key.ts';

function lookup(v: SampleValue, ctx: SampleContext, name: string): { table: StickTable; entry: StickEntry | undefined } | undefined {
  const table = ctx.stick?.tables.get(name);
  if (!table) return undefined;
  const key = sampleToKey(v, typeOfValue(v), table.spec.type, table.spec.keySize);
  if (!key) return undefined;
  return { table, entry: table.lookup(key) };
}

type Read = (t: StickTable, e: StickEntry, element: number) => number | undefined;

function tableConverter(name: string, read: Read, indexed = false): ConverterDef {
  return {
    name, inType: 'any', outType: 'int', args: indexed ? ['sint', 'tab'] : ['tab'], minArgs: indexed ? 2 : 1,
    compile: (a) => {
      const element = indexed ? Number(a[0] ?? 0) : 0;
      const table = String(a[indexed ? 1 : 0] ?? '');
      return (v, ctx) => {
        const l = lookup(v, ctx, table);
        if (!l) return undefined;
        if (!l.entry) return 0;
        return read(l.table, l.entry, element);
      };
    },
  };
}

const D = dataTypeIndex;
const counter = (n: string): Read => (t, e) => t.counter(e, D(n));
const rate = (n: string): Read => (t, e) => t.rate(e, D(n));
const kbytes = (n: string): Read => (t, e) => {
  const v = t.counter(e, D(n));
  return v === undefined ? undefined : Math.floor(v / 1024);
};
const element = (array: string): Read => (t, e, i) => {
  const idx = D(array);
  if (!t.stores(idx)) return undefined;
  const v = t.element(e, idx, i);
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : readFreqCtr(v, t.now(), t.period(idx));
};
// table_gpc0/gpc1/gpt0 and their rates fall back on the arrays' element 0 or 1
const scalarOr = (scalar: string, array: string, i: number): Read => (t, e) => {
  const idx = D(scalar);
  if (t.stores(idx)) return t.rate(e, idx) ?? t.counter(e, idx);
  return element(array)(t, e, i);
};

export const TABLE_CONVERTERS: readonly ConverterDef[] = [
  {
    name: 'in_table', inType: 'any', outType: 'bool', args: ['tab'], minArgs: 1,
    compile: (a) => {
      const table = String(a[0] ?? '');
      return (v, ctx) => {
        const l = lookup(v, ctx, table);
        return l !== undefined && l.entry !== undefined;
      };
    },
  },
  tableConverter('table_bytes_in_rate', rate('bytes_in_rate')),
  tableConverter('table_bytes_out_rate', rate('bytes_out_rate')),
  tableConverter('table_conn_cnt', counter('conn_cnt')),
  tableConverter('table_conn_cur', counter('conn_cur')),
  tableConverter('table_conn_rate', rate('conn_rate')),
  tableConverter('table_gpt', element('gpt'), true),
  tableConverter('table_gpt0', scalarOr('gpt0', 'gpt', 0)),
  tableConverter('table_gpc', element('gpc'), true),
  tableConverter('table_gpc_rate', element('gpc_rate'), true),
  tableConverter('table_gpc0', scalarOr('gpc0', 'gpc', 0)),
  tableConverter('table_gpc0_rate', scalarOr('gpc0_rate', 'gpc_rate', 0)),
  tableConverter('table_gpc1', scalarOr('gpc1', 'gpc', 1)),
  tableConverter('table_gpc1_rate', scalarOr('gpc1_rate', 'gpc_rate', 1)),
  tableConverter('table_http_err_cnt', counter('http_err_cnt')),
  tableConverter('table_http_err_rate', rate('http_err_rate')),
  tableConverter('table_http_fail_cnt', counter('http_fail_cnt')),
  tableConverter('table_http_fail_rate', rate('http_fail_rate')),
  tableConverter('table_http_req_cnt', counter('http_req_cnt')),
  tableConverter('table_http_req_rate', rate('http_req_rate')),
  tableConverter('table_kbytes_in', kbytes('bytes_in_cnt')),
  tableConverter('table_kbytes_out', kbytes('bytes_out_cnt')),
  tableConverter('table_server_id', counter('server_id')),
  tableConverter('table_sess_cnt', counter('sess_cnt')),
  tableConverter('table_sess_rate', rate('sess_rate')),
  tableConverter('table_trackers', (_t, e) => e.refCnt),
];
