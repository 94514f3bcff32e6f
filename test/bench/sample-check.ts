// A sample of answers fetched in full by Node, to check what wrk only measures: the 1 MiB body byte for byte
// (sha256) and the small bodies through both frontends.
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface Fetched {
  readonly status: number;
  readonly server: string;
  readonly size: number;
  readonly sha256: string;
  readonly body: string;
}

// GETs a path on 127.0.0.1:port and hashes the whole body.
export function fetchOnce(port: number, path: string, agent: http.Agent): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 10000 }, (res) => {
      const hash = createHash('sha256');
      let size = 0;
      let head = '';
      res.on('data', (b: Buffer) => {
        hash.update(b);
        size += b.length;
        if (head.length < 64) head += b.subarray(0, 64).toString('latin1');
      });
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, server: String(res.headers['x-server'] ?? ''), size, sha256: hash.digest('hex'), body: head }),
      );
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port}${path} within 10 s`)));
    req.once('error', reject);
  });
}

// Problems found in `n` fetches of /big (size + checksum) and `n` of / (a server's name), over one keep-alive agent.
export async function sampleProblems(port: number, n: number, bigSize: number, bigSha256: string, names: readonly string[]): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const problems: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const big = await fetchOnce(port, '/big', agent);
      if (big.status !== 200) problems.push(`GET /big #${i + 1}: status ${big.status} (expected 200)`);
      else if (big.size !== bigSize) problems.push(`GET /big #${i + 1}: ${big.size} bytes (expected ${bigSize})`);
      else if (big.sha256 !== bigSha256) problems.push(`GET /big #${i + 1}: sha256 ${big.sha256.slice(0, 12)}… differs from the file's ${bigSha256.slice(0, 12)}…`);
      const small = await fetchOnce(port, '/', agent);
      if (small.status !== 200 || !names.includes(small.body)) {
        problems.push(`GET / #${i + 1}: status ${small.status}, body ${JSON.stringify(small.body)} (expected 200 and one of ${names.map((x) => JSON.stringify(x)).join(', ')})`);
      }
    }
  } catch (err) {
    problems.push(`sample fetch failed: ${(err as Error).message}`);
  } finally {
    agent.destroy();
  }
  return problems;
}
