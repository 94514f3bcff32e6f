// One CLI connection, framed as HAProxy 2.6 frames it (src/cli.c cli_io_handler): commands end at an
// unescaped LF or ';', each answer is followed by "\n" (or "\n> " in prompt mode), "quit" closes, and outside
// prompt mode the connection closes once every command already received has been answered.
import type { CommandProcessor } from './commands.ts';

export interface CliTransport {
  write(text: string): void;
  end(): void;
}

export interface CliSession {
  /** Feeds bytes received from the client. */
  receive(chunk: string): void;
  /** The client closed its side: a last line without LF is dropped, as HAProxy drops it. */
  clientEnded(): void;
  readonly closed: boolean;
}

// Index of the first unescaped LF or ';', or -1.
function commandEnd(buffer: string): number {
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '\n' || c === ';') return i;
  }
  return -1;
}

// Runs commands from a byte stream through the processor and writes the answers to the transport.
export function createCliSession(processor: CommandProcessor, transport: CliTransport): CliSession {
  let buffer = '';
  let prompt = false;
  let closed = false;

  const close = (): void => {
    if (closed) return;
    closed = true;
    transport.end();
  };

  // a command ending in "<<" takes the following lines, up to an empty one, as its payload (no ';' nor escapes)
  let pending: string | null = null;
  let payload: string[] = [];
  const drain = (): void => {
    while (!closed) {
      let command: string;
      let body: string | undefined;
      if (pending !== null) {
        const nl = buffer.indexOf('\n');
        if (nl < 0) return;
        let line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line !== '') {
          payload.push(line);
          continue;
        }
        command = pending;
        body = payload.join('\n');
        pending = null;
        payload = [];
      } else {
        const end = commandEnd(buffer);
        if (end < 0) return;
        command = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (command.endsWith('\r')) command = command.slice(0, -1);
        if (command.endsWith('<<')) {
          pending = command;
          continue;
        }
      }
      const outcome = processor.run(command, body);
      if (outcome.quit) return close();
      if (outcome.togglePrompt) prompt = !prompt;
      transport.write(outcome.output + (prompt ? '\n> ' : '\n'));
      if (!prompt && buffer.length === 0) return close();
    }
  };

  return {
    receive(chunk: string): void {
      if (closed) return;
      buffer += chunk;
      drain();
    },
    clientEnded(): void {
      close();
    },
    get closed() {
      return closed;
    },
  };
}
