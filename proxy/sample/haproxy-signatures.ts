// HAProxy 2.6's fetches and converters the engine does not implement, read from the binary's own listing
// (haproxy-names.ts): their argument lists and types, so a config using one is parsed as HAProxy parses it —
// arguments checked, converter types chained — and then only warned about, never refused.
import type { ArgType, FetchSource, SampleType } from './sample.ts';
import { HAPROXY_CONVERTERS, HAPROXY_FETCHES } from './haproxy-names.ts';

export interface HaproxySignature {
  readonly name: string;
  readonly args: readonly ArgType[];
  readonly minArgs: number;
  readonly outType: SampleType;
  /** Converters only: the type the converter takes. */
  readonly inType: SampleType;
  /** Fetches only: where it gives samples, from the dump's columns (see sourceOf). */
  readonly source: FetchSource;
}

// The dump's place columns, read into the engine's coarser classes of fetch sources (places.ts decides from
// those): usable by the config parser = constant; at tcp-request connection = layer 4; at session = layer 5;
// in request rules and response rules alike = the request kept; request rules only = request contents;
// response rules only = the response (still known in the log line, or not).
function sourceOf(cols: string): FetchSource {
  const y = (i: number): boolean => cols[i] === 'Y';
  if (y(20)) return 'const';
  if (y(0)) return 'l4';
  if (y(1)) return 'l5';
  if (y(2)) return y(12) ? 'http-req-persist' : 'http-req';
  if (y(6) && !y(12)) return 'backend';
  return y(18) ? 'http-res-persist' : 'http-res';
}

// arg_type_names of src/arg.c, as far as our parser can read them: names of proxies and servers keep their
// kind (so they are checked), the rest are read as text.
const ARG_TYPES: Record<string, ArgType> = { integer: 'sint', backend: 'be', frontend: 'fe', server: 'srv', 'IPv4 mask': 'msk4', 'IPv6 mask': 'msk6', 'IPv4 address': 'ipv4', 'IPv6 address': 'ipv6', 'Protocol buffers field number': 'pbuf' };

// smp_to_type names: sint is an int, ipv4/ipv6/addr are addresses (which travel as text here).
const SAMPLE_TYPES: Record<string, SampleType> = {
  bool: 'bool', sint: 'int', str: 'str', bin: 'bin', meth: 'meth', any: 'any', ipv4: 'ip', ipv6: 'ip', addr: 'ip',
};

function parseLine(text: string, withPlaces: boolean): HaproxySignature {
  const cols = withPlaces ? text.slice(0, 22) : '';
  const line = withPlaces ? text.slice(23) : text;
  const m = /^([^(:]+)(?:\((.*)\))?: (\w+)(?: => (\w+))?$/.exec(line);
  if (!m) throw new Error(`haproxy-names.ts: cannot read '${line}'`);
  const [, name, argText = '', first, second] = m;
  const optionalAt = argText.indexOf('[');
  const args: ArgType[] = [];
  let minArgs = 0;
  argText.split(/[,[\]]+/).forEach((part) => {
    if (part === '') return;
    args.push(ARG_TYPES[part] ?? 'str');
  });
  minArgs = optionalAt < 0 ? args.length : argText.slice(0, optionalAt).split(',').filter((p) => p !== '').length;
  const outType = SAMPLE_TYPES[first!] ?? 'any';
  const inType = second ? SAMPLE_TYPES[second] ?? 'any' : 'any';
  return { name: name!, args, minArgs, outType, inType, source: withPlaces ? sourceOf(cols) : 'const' };
}

const fetches = new Map(HAPROXY_FETCHES.map((l) => parseLine(l, true)).map((s) => [s.name, s]));
const converters = new Map(HAPROXY_CONVERTERS.map((l) => parseLine(l, false)).map((s) => [s.name, s]));

/** HAProxy 2.6's fetch of that name, or undefined when HAProxy does not know it either. */
export function haproxyFetch(name: string): HaproxySignature | undefined {
  return fetches.get(name);
}

/** HAProxy 2.6's converter of that name, or undefined when HAProxy does not know it either. */
export function haproxyConverter(name: string): HaproxySignature | undefined {
  return converters.get(name);
}

/** Every name HAProxy 2.6 knows (for coverage counts and docs). */
export function haproxyFetchNames(): string[] {
  return [...fetches.keys()];
}
export function haproxyConverterNames(): string[] {
  return [...converters.keys()];
}
