// Fetches and converters HAProxy 2.6 has and the engine lacks (haproxy-signatures.ts): parsed with HAProxy's
// argument lists and types, so a config HAProxy accepts loads; at run time the fetch gives no sample and the
// converter fails. Each is marked `lacking`: whoever compiles one adds it to its scope's notes (SampleScope), and
// the config reader warns at the line, naming it (a name HAProxy does not know stays HAProxy's "unknown" alert).
import type { ConverterDef } from './converters.ts';
import type { FetchDef } from './sample.ts';
import { haproxyConverter, haproxyFetch } from './haproxy-signatures.ts';

/** A stand-in for a fetch HAProxy has and the engine lacks, or undefined when HAProxy lacks it too. */
export function lackingFetch(name: string): FetchDef | undefined {
  const sig = haproxyFetch(name);
  if (!sig) return undefined;
  return {
    name, outType: sig.outType, args: sig.args, minArgs: sig.minArgs, source: sig.source, lacking: true,
    compile: () => () => false,
  };
}

/** A stand-in for a converter HAProxy has and the engine lacks, or undefined when HAProxy lacks it too. */
export function lackingConverter(name: string): ConverterDef | undefined {
  const sig = haproxyConverter(name);
  if (!sig) return undefined;
  return {
    name, inType: sig.inType, outType: sig.outType, args: sig.args, minArgs: sig.minArgs, lacking: true,
    compile: () => () => undefined,
  };
}
