// What a DNS answer or failure does to a server (src/server.c snr_resolution_cb, snr_update_srv_status,
// resolv_get_ip_from_response): a server keeps its address while the answer still lists it, else takes the
// first address of the preferred family that no other server of its backend holds; a failure that lasts
// longer than its `hold` period puts it in maintenance for resolution ("DNS NX status" ...), and the next valid
// answer brings it back.
import type { ResolversSpec } from '../config/model.ts';
import type { ServerState } from '../server/server-state.ts';
import type { DnsAddress } from './dns-wire.ts';
import type { Requester, ResolutionStatus } from './resolvers.ts';

export interface ResolutionHost {
  /** "be/s changed its IP from OLD to NEW by VIA." */
  changeAddress(server: ServerState, ip: string, via: string): void;
  /** Enters maintenance for resolution with HAProxy's cause ("DNS NX status"). */
  enterResolutionMaint(server: ServerState, cause: string): void;
  /** Leaves it: "Server be/s ('fqdn') is UP/READY (resolves again)." */
  leaveResolutionMaint(server: ServerState): void;
  /** Addresses other servers of the backend already use (HAProxy avoids giving one IP to two of them). */
  takenAddresses(server: ServerState): ReadonlySet<string>;
}

const CAUSE: Partial<Record<ResolutionStatus, { hold: keyof ResolversSpec['hold']; text: string }>> = {
  nx: { hold: 'nx', text: 'DNS NX status' },
  timeout: { hold: 'timeout', text: 'DNS timeout status' },
  refused: { hold: 'refused', text: 'DNS refused status' },
};

// The address to use from an answer, or null when the server's own is still in it (or none fits).
export function pickAddress(addresses: readonly DnsAddress[], current: string, prefer: 'ipv4' | 'ipv6', taken: ReadonlySet<string>): string | null {
  if (current && addresses.some((a) => a.ip === current)) return null;
  const free = addresses.filter((a) => !taken.has(a.ip));
  const best = free.find((a) => a.family === prefer) ?? free[0];
  return best ? best.ip : null;
}

export function serverRequester(server: ServerState, spec: ResolversSpec, host: ResolutionHost, now: () => number = Date.now): Requester {
  const prefer = server.spec.resolvePrefer ?? 'ipv6';
  return {
    fqdn: server.spec.fqdn!,
    prefer: prefer === 'ipv4' ? 'A' : 'AAAA',
    answered(addresses, via) {
      const ip = pickAddress(addresses, server.host, prefer, host.takenAddresses(server));
      if (ip !== null) host.changeAddress(server, ip, via);
      if (server.maintCause === 'resolution' && server.host) host.leaveResolutionMaint(server);
    },
    failed(status, lastValid) {
      const c = CAUSE[status] ?? { hold: 'other' as const, text: 'unspecified DNS error' };
      if (now() < lastValid + spec.hold[c.hold]) return;
      if (server.maintCause === 'resolution') return;
      host.enterResolutionMaint(server, c.text);
    },
  };
}
