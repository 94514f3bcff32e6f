// The engine's public API: load a config, build an engine, listen to its events. Usable without the lab.
export { createEngine, ProxyEngine } from './engine.ts';
export { loadConfig } from './load-config.ts';
export { EventBus } from './events.ts';
export type * from './events.ts';
export type * from './api.ts';
export type { ConfigModel, ProxySpec, ServerSpec, BindSpec, BalanceSpec, Mode } from './config/model.ts';
export { formatDiagnostic, hasErrors, ConfigError } from './config/diagnostics.ts';
export type { Diagnostic, SourceLoc } from './config/diagnostics.ts';
export type { AclTrace, ConditionTrace } from './acl/index.ts';
