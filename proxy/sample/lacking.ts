// Fetches and converters HAProxy 2.6 has and the engine lacks (haproxy-signatures.ts): parsed with HAProxy's
// argument lists and types, so a config HAProxy accepts loads; at run time the fetch gives no sample and the
// converter fails. Each one compiled is noted; the config reader takes the notes after every line and warns
// there, naming it (a name HAProxy does not know stays HAProxy's "unknown" alert).
import type { ConverterDef } from './converters.ts';
import type { FetchDef } from './sample.ts';
import { haproxyConverter, haproxyFetch } from './haproxy-signatures.ts';

// Bounded by the number of names HAProxy has; emptied by every takeLacking().
const noted = new Set<string>();

/** A stand-in for a fetch HAProxy has and the engine lacks, or undefined when HAProxy lacks it too. */
export function lackingFetch(name: string): FetchDef | undefined {
  const sig = haproxyFetch(name);
  if (!sig) return undefined;
  return {
    name, outType: sig.outType, args: sig.args, minArgs: sig.minArgs, source: sig.source,
    compile: () => {
      noted.add(`fetch method '${name}'`);
      return () => false;
    },
  };
}

/** A stand-in for a converter HAProxy has and the engine lacks, or undefined when HAProxy lacks it too. */
export function lackingConverter(name: string): ConverterDef | undefined {
  const sig = haproxyConverter(name);
  if (!sig) return undefined;
  return {
    name, inType: sig.inType, outType: sig.outType, args: sig.args, minArgs: sig.minArgs,
    compile: () => {
      noted.add(`converter '${name}'`);
      return () => undefined;
    },
  };
}

/** The lacking fetches and converters compiled since the last call ("fetch method 'x'", "converter 'y'"). */
export function takeLacking(): string[] {
  const out = [...noted];
  noted.clear();
  return out;
}
