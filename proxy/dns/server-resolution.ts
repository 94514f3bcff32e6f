// What a DNS answer or failure does to a server (src/server.c snr_resolution_cb, snr_update_srv_status,
// resolv_get_ip_from_response): a server keeps its address while the answer still lists it, else takes the
// first address of the preferred family that no other server of its backend holds; a failure that lasts
// longer than its `hold` period puts it in maintenance for resolution ("DNS NX status" ...), and the next valid
// answer brings it back.
import type { ResolversSpec } from '../config/model.ts';
import type { ServerState } from '../server/server-state.ts';
import type { Requester, ResolutionStatus } from './resolvers.ts';

export interface ResolutionHost {
  /** "be/s changed its IP from OLD to NEW by VIA." */
  changeAddress(server: ServerState, ip: string, via: string): void;
  /** Enters maintenance for resolution with HAProxy's cause ("DNS NX status", "No IP for server "). */
  enterResolutionMaint(server: ServerState, cause: string): void;
  /** Leaves it: "Server be/s ('fqdn') is UP/READY (resolves again)." */
  leaveResolutionMaint(server: ServerState): void;
}

const CAUSE: Partial<Record<ResolutionStatus, { hold: keyof ResolversSpec['hold']; text: string }>> = {
  nx: { hold: 'nx', text: 'DNS NX status' },
  timeout: { hold: 'timeout', text: 'DNS timeout status' },
  refused: { hold: 'refused', text: 'DNS refused status' },
};

export function serverRequester(server: ServerState, spec: ResolversSpec, host: ResolutionHost, now: () => number = Date.now): Requester {
  const prefer = server.spec.resolvePrefer ?? 'ipv6';
  return {
    fqdn: server.spec.fqdn!,
    prefer: prefer === 'ipv4' ? 'A' : 'AAAA',
    answered(records, via) {
      const picked = records.pick(server, server.host, prefer);
      if (picked === null) {
        // no address left for it: maintenance, address forgotten (snr_update_srv_status "No IP for server ")
        if (server.maintCause !== 'resolution') host.enterResolutionMaint(server, 'No IP for server ');
        return;
      }
      if (picked !== 'keep') host.changeAddress(server, picked, via);
      if (server.maintCause === 'resolution' && server.host) host.leaveResolutionMaint(server);
    },
    failed(status, lastValid, records) {
      const c = CAUSE[status] ?? { hold: 'other' as const, text: 'unspecified DNS error' };
      if (now() < lastValid + spec.hold[c.hold]) return true;
      if (server.maintCause === 'resolution') return true;
      host.enterResolutionMaint(server, c.text);
      records.release(server);
      return false;
    },
  };
}
