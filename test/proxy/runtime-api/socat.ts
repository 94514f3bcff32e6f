// Talks to a stats socket with the real socat client, as a learner would.
import { spawn } from 'node:child_process';

// Sends `input` through socat to a unix socket path or "TCP:host:port" and returns everything it printed.
export function socat(target: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const addr = target.startsWith('TCP:') ? target : `UNIX-CONNECT:${target}`;
    const child = spawn('socat', ['-t', '2', '-', addr], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`socat ${addr} exited ${code}: ${err}`))));
    child.stdin.end(input);
  });
}
