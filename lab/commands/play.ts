// `lab play [FILE]`: the playground on any haproxy.cfg. With --request (or --json, or no terminal) headless:
// every request through the engine, and through real haproxy with --compare haproxy; else the playground screen.
import type { Command } from 'commander';
import { runHeadless } from '../play/headless.ts';
import { parseMap, parseResolve } from './proxy.ts';
import { parseRuntimeName } from '../runtimes/choose-runtime.ts';
import type { RuntimeName } from '../runtimes/runtime.ts';

interface PlayOptions {
  request: string[];
  times: string;
  compare?: string;
  json?: boolean;
  resolve: string[];
  map: string[];
  runtime?: RuntimeName;
  record?: string;
  replay?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerPlay(program: Command): void {
  program
    .command('play')
    .description('tinker: any haproxy.cfg on the engine, servers stood in on loopback, your own requests, real haproxy beside it')
    .argument('[file]', 'the haproxy.cfg to run (none: a small starter config to edit)')
    .option('--request <curl>', "a request as curl writes it, e.g. 'curl -H \"X-Env: dev\" http://localhost/' (repeat for several); headless", collect, [])
    .option('-n, --times <N>', 'send every request N times', '1')
    .option('--compare <proxy>', 'also run real HAProxy 2.6 (/usr/sbin/haproxy) on the same config and servers: --compare haproxy')
    .option('--json', 'print every answer (and difference) as JSON; headless')
    .option('--resolve <name=addr>', 'servers named NAME are at ADDR (a loopback address where something listens), like /etc/hosts', collect, [])
    .option('--map <from=to>', 'listen on port TO where the config binds port FROM (default: a free port)', collect, [])
    .option('--runtime <name>', "run the documents' apps the config names (app1:5001...) on builtin, process or docker instead of stand-ins", parseRuntimeName)
    .option('--record <file>', 'keep a Markdown transcript of the session in FILE (w writes it on demand too)')
    .option('--replay <transcript>', 'send the requests of a transcript again, on its configs (or on FILE); headless')
    .addHelpText('after', `
Every bind listens on a free 127.0.0.1 port (shown). A server on 127.0.0.0/8 where something listens is used as
it is; every other server (host names, private or public addresses) gets a lab stand-in on 127.0.0.1 that names
itself and echoes the request. Nothing is sent outside 127.0.0.0/8, not even a DNS lookup.

Examples:
  lab play my.cfg --request 'curl http://localhost/' -n 6
  lab play my.cfg --request 'curl -H "Host: api.example" http://localhost/v1' --compare haproxy --json`)
    .action(async (file: string | undefined, o: PlayOptions) => {
      process.exitCode = await runPlay(file, o);
    });
}

async function runPlay(file: string | undefined, o: PlayOptions): Promise<number> {
  if (o.compare !== undefined && o.compare !== 'haproxy') {
    console.error(`lab play: --compare knows one proxy, haproxy; got '${o.compare}'`);
    return 2;
  }
  const times = Number(o.times);
  if (!Number.isInteger(times) || times < 1) {
    console.error(`lab play: -n expects a whole number >= 1, got '${o.times}'`);
    return 2;
  }
  let resolve: Map<string, string>;
  let map: Map<number, number>;
  try {
    resolve = parseResolve(o.resolve);
    map = parseMap(o.map);
  } catch (e) {
    console.error(`lab play: ${(e as Error).message}`);
    return 2;
  }
  if (o.replay) {
    const { runReplay } = await import('../play/replay.ts');
    return runReplay({ transcript: o.replay, ...(file ? { file } : {}), compare: o.compare === 'haproxy', json: o.json === true, resolve, map });
  }
  const headless = o.request.length > 0 || o.json === true || !process.stdin.isTTY || !process.stdout.isTTY;
  if (!headless) {
    const { launchPlayground } = await import('../tui/launch-play.tsx');
    return launchPlayground({ ...(file ? { file } : {}), compare: o.compare === 'haproxy', ...(o.record ? { record: o.record } : {}), ...(o.runtime ? { runtime: o.runtime } : {}), resolve, map });
  }
  if (!file) {
    console.error('lab play: headless runs need a FILE (the playground screen opens a starter config without one)');
    return 2;
  }
  try {
    return await runHeadless({ file, requests: o.request, repeat: times, compare: o.compare === 'haproxy', json: o.json === true, resolve, map, ...(o.runtime ? { runtime: o.runtime } : {}) });
  } catch (e) {
    console.error(`lab play: ${(e as Error).message}`);
    return 2;
  }
}
