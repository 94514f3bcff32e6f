// The runtime API (HAProxy's stats socket): command processor, connection framing, and the listeners.
export { startStatsSockets, parseSocketAddress } from './server.ts';
export type { StatsSockets, SocketAddress } from './server.ts';
export { createCommandProcessor, parseWeightChange, splitArgs } from './commands.ts';
export type { CommandContext, CommandOutcome, CommandProcessor, WeightChange } from './commands.ts';
export { createCliSession } from './session.ts';
export type { CliSession, CliTransport } from './session.ts';
export { COMMANDS, findCommand, usageMessage } from './usage.ts';
export type { CliLevel, CommandEntry } from './usage.ts';
export { LAB_VERSION, formatUptime, renderServersState, renderShowBackend, renderShowInfo } from './views.ts';
