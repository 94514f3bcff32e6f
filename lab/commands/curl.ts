// `lab curl URL [flags]`: curl's everyday flags plus -n/-c; per request the status and who answered, then the
// distribution. The documents' localhost:80/:4000/:5000 go to the running episode's ports (state file or --map).
import { Command } from 'commander';
import { generate } from '../traffic/generator.ts';
import { parsePortPairs, readActivePortMap, resolveTarget, type PortMap } from '../traffic/port-map.ts';
import { CurlArgsError, parseCurl } from '../traffic/request-spec.ts';
import { Tally } from '../traffic/tally.ts';
import { appFromBody, selfName } from '../traffic/who.ts';
import type { Observation } from '../traffic/client.ts';

export interface CurlOptions {
  /** "80=38211,4000=38212": overrides the state file. */
  readonly map?: string;
  /** Ignore the running episode's ports. */
  readonly noMap?: boolean;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

// Who answered, by the body: an app of the running episode, else what the body says.
function whoOf(o: Observation, map: PortMap | null): string {
  if (o.status === 0) return 'no answer';
  return appFromBody(o.body, map?.apps ?? []) ?? selfName(o.body) ?? `status ${o.status}`;
}

// Sends the requests and prints; returns the exit code (0 when every request got an HTTP answer).
export async function curlCommand(args: readonly string[], opts: CurlOptions = {}): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const err = opts.err ?? ((l: string) => process.stderr.write(l + '\n'));
  const plan = parseCurl(args);
  const map: PortMap | null = opts.map
    ? { ports: parsePortPairs(opts.map) }
    : opts.noMap ? null : readActivePortMap(opts.env);
  const target = resolveTarget(plan.spec.url, map);
  const { spec, repeat, concurrency } = plan;
  if (!spec.silent) {
    const from = map?.episode ? ` (${map.episode}${map.step ? `, step ${map.step}` : ''})` : '';
    err(target.mapped ? `* ${target.mapped}${from}` : `* ${target.host}:${target.port} (not mapped: no running episode${opts.noMap ? ', --no-map' : ''})`);
    if (spec.localAddress) err(`* from ${spec.localAddress}`);
  }
  const tally = new Tally();
  const width = String(repeat).length;
  const results = await generate(spec, target, {
    repeat,
    concurrency,
    onResult: (o) => {
      const who = whoOf(o, map);
      tally.add(who, o.status);
      if (spec.silent) {
        out(o.body.replace(/\n$/, ''));
        return;
      }
      if (o.status === 0) {
        out(`#${String(o.index + 1).padStart(width)} no answer: ${o.error ?? 'connection failed'}`);
        return;
      }
      if (spec.include) {
        out(`HTTP/1.1 ${o.status} ${o.statusText}`);
        for (let i = 0; i + 1 < o.headers.length; i += 2) out(`${o.headers[i]}: ${o.headers[i + 1]}`);
        out('');
        out(o.body.replace(/\n$/, ''));
      }
      out(`#${String(o.index + 1).padStart(width)} ${o.status} ${who}  ${o.ms} ms${repeat === 1 && !spec.include && who !== selfName(o.body) ? `  ${oneLine(o.body)}` : ''}`);
    },
  });
  if (!spec.silent && repeat > 1) {
    out('');
    for (const l of tally.format()) out(l);
  }
  const failed = results.filter((o) => o.status === 0);
  if (failed.length > 0 && !target.mapped && !spec.silent) {
    err(`* nothing answered on ${target.host}:${target.port}. Start an episode (\`lab open ID\` or \`lab run ID\`) so localhost:${new URL(spec.url).port || 80} maps onto it, or give --map DOCPORT=PORT.`);
  }
  return failed.length > 0 ? 7 : 0;
}

function oneLine(body: string): string {
  const t = body.trim().replace(/\s+/g, ' ');
  return t.length > 60 ? `"${t.slice(0, 57)}..."` : `"${t}"`;
}

// Adds `lab curl` to the program; curl's flags reach parseCurl untouched.
export function registerCurl(program: Command): void {
  program
    .command('curl')
    .description('send requests like curl (-X -H -A -d -i -s --interface, plus -n N and -c C) and show who answered')
    .argument('<args...>', 'a URL and curl flags, e.g. http://localhost/ -n 12 -c 2')
    .allowUnknownOption()
    .helpOption('--help', 'show this help')
    .option('--map <pairs>', 'document port to lab port, e.g. 80=38211,4000=38212 (default: the running episode)')
    .option('--no-map', 'do not map ports; send to the URL as written')
    .addHelpText('after', [
      '',
      'Flags: -X METHOD, -H "Name: value", -A AGENT, -d DATA, -i, -s, -I, --interface ADDR (client source address,',
      'any of 127.0.0.0/8), -n N (send N requests), -c C (C at a time).',
      'While `lab open` or `lab run` has an episode running, its ports are published in the lab state dir',
      '($XDG_STATE_HOME/haproxy-lab/ports.json) and http://localhost/ goes to it: the mapping is printed first.',
    ].join('\n'))
    .action(async (args: string[], o: { map?: string | boolean }) => {
      try {
        const opts: CurlOptions = o.map === false ? { noMap: true } : typeof o.map === 'string' ? { map: o.map } : {};
        process.exitCode = await curlCommand(args, opts);
      } catch (e) {
        if (e instanceof CurlArgsError || e instanceof Error) console.error(`lab curl: ${e.message}`);
        process.exitCode = 2;
      }
    });
}
