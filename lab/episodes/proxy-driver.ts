// What runs a step's config: the lab's engine or the real haproxy binary, behind one small interface.
import type { Attributor } from './attribution.ts';
import type { StepMapping } from './mapping.ts';

/** The outcome of loading a config, in HAProxy's words. */
export interface ConfigReport {
  readonly ok: boolean;
  /** "[ALERT] ... parsing [haproxy.cfg:14] : ..." lines. */
  readonly alerts: readonly string[];
  readonly warnings: readonly string[];
}

/** A running proxy. */
export interface ProxyRun {
  /** Every log line so far (httplog/tcplog, server state changes). */
  logs(): readonly string[];
  stop(): Promise<void>;
}

export interface ProxyDriver {
  /** "engine" or "haproxy", shown in results. */
  readonly name: string;
  /** Loads the config (with the lab's addresses) without running it. */
  check(configPath: string, mapping: StepMapping): Promise<ConfigReport>;
  /** Starts it listening on the mapped ports; attributions of connections go to `who`. */
  start(configPath: string, mapping: StepMapping, who: Attributor): Promise<ProxyRun>;
}
