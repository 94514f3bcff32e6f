// Health checks: one probe step, the health counter, HAProxy's sentences, and the scheduler that owns the timers.
export { createHealthScheduler } from './scheduler.ts';
export type { HealthBackend, HealthHost, HealthScheduler, HealthSchedulerOptions } from './scheduler.ts';
export { probe, buildCheckRequest, judgeResponse, connectTimeoutFor, statusExpected } from './probe.ts';
export type { CheckResult, ProbeOptions, ProbeTarget } from './probe.ts';
export { checkInterval, downTimeMs, initialHealth, recordStateChange, stepHealth, transitionFor } from './state.ts';
export type { HealthStep, HealthTransition } from './state.ts';
export {
  countUsable,
  drainEnterMessage,
  drainLeaveMessage,
  maintEnterMessage,
  maintFromDownMessage,
  maintLeaveMessage,
  noServerAvailableMessage,
  reasonText,
  serverDownMessage,
  serverUpMessage,
} from './messages.ts';
export type { StateReason, UsableCounts } from './messages.ts';
export {
  CHECK_RESULT_NUMBER,
  checkStatusDescription,
  checkStatusHasCode,
  checkStatusNumber,
  checkStatusPasses,
  checkStatusResult,
  strerror,
} from './status.ts';
export type { CheckResultKind, CheckStatus } from './status.ts';
