// A request as curl's everyday flags describe it, plus the lab's -n (repeat) and -c (concurrency).

export interface RequestSpec {
  readonly method: string;
  /** The URL as written, e.g. "http://localhost/data" (before the lab maps ports). */
  readonly url: string;
  /** Extra headers in order, as -H/-A gave them. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
  /** Client source address (curl's --interface), e.g. "127.66.0.5". */
  readonly localAddress?: string;
  /** -i: print the response head too. */
  readonly include: boolean;
  /** -s: print nothing but the body. */
  readonly silent: boolean;
}

export interface TrafficPlan {
  readonly spec: RequestSpec;
  /** -n N: how many requests, default 1. */
  readonly repeat: number;
  /** -c C: how many in flight at once, default 1. */
  readonly concurrency: number;
}

/** The User-Agent sent when -A/-H gives none; it never contains "Mobile". */
export const DEFAULT_USER_AGENT = 'curl/7.88.1';

/** Thrown for a flag or value curl would refuse; the message names it and what is accepted. */
export class CurlArgsError extends Error {
  override readonly name = 'CurlArgsError';
}

// Splits a command line like a POSIX shell does for words and quotes (no expansion).
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CurlArgsError(`unterminated ' quote in: ${line}`);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        cur += line[i];
      }
      if (i >= line.length) throw new CurlArgsError(`unterminated " quote in: ${line}`);
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

const WITH_VALUE = new Map<string, string>([
  ['-X', 'request'], ['--request', 'request'],
  ['-H', 'header'], ['--header', 'header'],
  ['-A', 'agent'], ['--user-agent', 'agent'],
  ['-d', 'data'], ['--data', 'data'], ['--data-raw', 'data'], ['--data-binary', 'data'], ['--data-ascii', 'data'],
  ['--interface', 'interface'],
  ['-b', 'cookie'], ['--cookie', 'cookie'],
  ['-u', 'user'], ['--user', 'user'],
  ['-n', 'repeat'], ['-c', 'concurrency'],
]);
const FLAGS = new Map<string, string>([
  ['-i', 'include'], ['--include', 'include'],
  ['-s', 'silent'], ['--silent', 'silent'],
  ['-I', 'head'], ['--head', 'head'],
]);

// Parses curl's arguments (a leading "curl" is skipped) into a request and how often to send it.
export function parseCurl(input: string | readonly string[]): TrafficPlan {
  const args = typeof input === 'string' ? shellWords(input) : [...input];
  if (args[0] === 'curl') args.shift();
  let method: string | undefined;
  let url: string | undefined;
  const headers: [string, string][] = [];
  const data: string[] = [];
  let localAddress: string | undefined;
  let include = false;
  let silent = false;
  let head = false;
  let repeat = 1;
  let concurrency = 1;

  for (let i = 0; i < args.length; i++) {
    let a = args[i]!;
    let value: string | undefined;
    // -XPOST and --request=POST forms.
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    } else if (/^-[XHAdncbu]./.test(a)) {
      value = a.slice(2);
      a = a.slice(0, 2);
    } else if (/^-[isI]{2,}$/.test(a)) {
      // Combined short flags such as -si.
      for (const f of a.slice(1)) args.splice(i + 1, 0, '-' + f);
      continue;
    }
    const kind = WITH_VALUE.get(a);
    if (kind) {
      if (value === undefined) {
        value = args[++i];
        if (value === undefined) throw new CurlArgsError(`option ${a}: requires a value`);
      }
      switch (kind) {
        case 'request': method = value.toUpperCase(); break;
        case 'header': {
          const colon = value.indexOf(':');
          if (colon <= 0) throw new CurlArgsError(`option ${a}: expected "Name: value", got "${value}"`);
          headers.push([value.slice(0, colon).trim(), value.slice(colon + 1).trim()]);
          break;
        }
        case 'agent': headers.push(['User-Agent', value]); break;
        case 'data': data.push(value); break;
        case 'interface': localAddress = value; break;
        // curl -b takes "name=value[; ...]" (a file name otherwise, which the lab does not read)
        case 'cookie':
          if (!value.includes('=')) throw new CurlArgsError(`option ${a}: expected "name=value[; name2=value2]" (cookie files are not supported), got "${value}"`);
          headers.push(['Cookie', value]);
          break;
        case 'user': headers.push(['Authorization', `Basic ${Buffer.from(value.includes(':') ? value : `${value}:`).toString('base64')}`]); break;
        case 'repeat': repeat = positiveInt(a, value); break;
        case 'concurrency': concurrency = positiveInt(a, value); break;
      }
      continue;
    }
    const flag = FLAGS.get(a);
    if (flag) {
      if (flag === 'include') include = true;
      else if (flag === 'silent') silent = true;
      else head = true;
      continue;
    }
    if (a.startsWith('-') && a !== '-') {
      throw new CurlArgsError(
        `option ${a}: not supported by lab curl; it knows -X, -H, -A, -d, -b, -u, -i, -s, -I, --interface ADDR, -n N, -c C`,
      );
    }
    if (url !== undefined) throw new CurlArgsError(`one URL expected, got "${url}" and "${a}"`);
    url = a;
  }
  if (url === undefined) throw new CurlArgsError('no URL given, e.g. lab curl http://localhost/');
  if (!/^[a-z]+:\/\//i.test(url)) url = 'http://' + url;
  if (!/^http:\/\//i.test(url)) throw new CurlArgsError(`only http:// URLs are supported, got "${url}"`);

  const body = data.length > 0 ? data.join('&') : undefined;
  if (body !== undefined && !headers.some(([n]) => n.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  method ??= head ? 'HEAD' : body !== undefined ? 'POST' : 'GET';
  return {
    spec: { method, url, headers, ...(body !== undefined ? { body } : {}), ...(localAddress ? { localAddress } : {}), include: include || head, silent },
    repeat,
    concurrency,
  };
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CurlArgsError(`option ${flag}: expected a whole number >= 1, got "${v}"`);
  return n;
}
