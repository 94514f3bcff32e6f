// The traffic API the TUI, `lab curl` and the episodes share.
export { parseCurl, shellWords, CurlArgsError, DEFAULT_USER_AGENT, type RequestSpec, type TrafficPlan } from './request-spec.ts';
export { send, type Observation, type SendOptions } from './client.ts';
export { generate, type GenerateOptions } from './generator.ts';
export { Tally, type TallyRow } from './tally.ts';
export { selfName, appFromBody, type NamedApp } from './who.ts';
export {
  resolveTarget, readActivePortMap, writePortMap, clearPortMap, portMapPath, labStateDir, parsePortPairs, isLoopbackHost,
  type PortMap, type Target,
} from './port-map.ts';
