// The generation serving a client connection counts it (feconn, and an old generation's drain on reload): the
// seat moves to the newest generation when a request after a reload runs on it.
import type { Generation, LiveFrontend } from '../live/generation.ts';
import type { SessionHost } from '../live/session-host.ts';

export class GenerationSeat {
  gen: Generation | null = null;
  fe: LiveFrontend | null = null;

  constructor(private readonly host: SessionHost) {}

  attach(gen: Generation, fe: LiveFrontend): void {
    if (this.gen !== gen) {
      this.detach();
      this.gen = gen;
      this.fe = fe;
      fe.current++;
      fe.countSession();
      this.host.sessionOpened(gen);
    }
  }

  detach(): void {
    if (this.gen && this.fe) {
      this.fe.current--;
      this.host.sessionClosed(this.gen);
      this.gen = null;
    }
  }
}
