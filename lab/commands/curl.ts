// `lab curl URL [flags]`: curl's everyday flags plus -n/-c; per request the status and who answered, then the
// distribution. The documents' localhost:80/:4000/:5000 go to the running episode's ports (state file or --map).
import { Command } from 'commander';
import { generate } from '../traffic/generator.ts';
import { parsePortPairs, readActivePortMap, resolveTarget, type PortMap } from '../traffic/port-map.ts';
import { CurlArgsError, parseCurl } from '../traffic/request-spec.ts';
import { Tally } from '../traffic/tally.ts';
import { appFromBody, selfName } from '../traffic/who.ts';
import type { Observation } from '../traffic/client.ts';
import { askWho } from '../traffic/who-service.ts';
import { proxyHint } from '../traffic/proxy-hint.ts';
import type { Answered } from '../traffic/answered-by.ts';

export interface CurlOptions {
  /** "80=38211,4000=38212": overrides the state file. */
  readonly map?: string;
  /** Ignore the running episode's ports. */
  readonly noMap?: boolean;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

// Who answered: what the running engine says (any status, its own pages too), else an app named by the body,
// else what the body says.
function whoOf(o: Observation, map: PortMap | null, said: Answered | null): string {
  if (o.status === 0) return 'no answer';
  if (said) return said.server === '<NOSRV>' ? '<NOSRV>' : said.server;
  return appFromBody(o.body, map?.apps ?? []) ?? selfName(o.body) ?? `status ${o.status}`;
}

// The engine answers a moment after the client has its last byte: ask again briefly before giving up.
async function askEngine(map: PortMap | null, o: Observation): Promise<Answered | null> {
  if (!map?.who || !o.localPort || o.status === 0) return null;
  for (let i = 0; i < 4; i++) {
    const a = await askWho(map.who, o.localPort);
    if (a) return a;
    await new Promise((r) => setTimeout(r, 25));
  }
  return null;
}

// What follows the server on an answer line: the body's gist, or why the proxy answered itself.
function gist(o: Observation, who: string, said: Answered | null): string {
  const page = htmlHeading(o.body);
  if (said?.server === '<NOSRV>') {
    return o.status === 503 ? '(no server available)' : `(the proxy answered itself${page ? `: "${page}"` : ''})`;
  }
  if (page) return `"${page}"`;
  return who !== selfName(o.body) ? oneLine(o.body) : '';
}

// An HTML page's title or first heading, without the status number ("404 Not Found" → "Not Found").
function htmlHeading(body: string): string | null {
  const m = /<title>([^<]*)<\/title>/i.exec(body) ?? /<h1>([^<]*)<\/h1>/i.exec(body);
  if (!m) return null;
  return m[1]!.trim().replace(/^\d{3}\s+/, '') || null;
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
  // answers print in the order they came, each after asking the engine who sent it
  let printed: Promise<void> = Promise.resolve();
  const results = await generate(spec, target, {
    repeat,
    concurrency,
    onResult: (o) => {
      printed = printed.then(() => printOne(o));
    },
  });
  await printed;
  async function printOne(o: Observation): Promise<void> {
      const said = await askEngine(map, o);
      const who = whoOf(o, map, said);
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
      const more = repeat === 1 && !spec.include ? gist(o, who, said) : said?.server === '<NOSRV>' && o.status === 503 ? '(no server available)' : '';
      out(`#${String(o.index + 1).padStart(width)} ${o.status} ${who}  ${o.ms} ms${more ? `  ${more}` : ''}`);
  }
  if (!spec.silent && repeat > 1) {
    out('');
    for (const l of tally.format()) out(l);
  }
  const failed = results.filter((o) => o.status === 0);
  if (failed.length > 0 && !target.mapped && !spec.silent) {
    const docPort = Number(new URL(spec.url).port || 80);
    const hint = proxyHint(docPort, opts.env);
    if (hint) for (const l of hint) err(l);
    else err(`* nothing answered on ${target.host}:${target.port}. Start an episode (\`lab open ID\` or \`lab run ID\`) so localhost:${docPort} maps onto it, or give --map DOCPORT=PORT.`);
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
    .description('send requests like curl (-X -H -A -d -b -u -i -s --interface, plus -n N and -c C) and show who answered')
    .argument('<args...>', 'a URL and curl flags, e.g. http://localhost/ -n 12 -c 2')
    .allowUnknownOption()
    .helpOption('--help', 'show this help')
    .option('--map <pairs>', 'document port to lab port, e.g. 80=38211,4000=38212 (default: the running episode)')
    .option('--no-map', 'do not map ports; send to the URL as written')
    .addHelpText('after', [
      '',
      'Flags: -X METHOD, -H "Name: value", -A AGENT, -d DATA, -b "name=value", -u USER:PASS, -i, -s, -I, --interface ADDR (client source address,',
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
