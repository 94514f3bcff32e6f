// Public surface of the ACL engine: define named ACLs per proxy, compile if/unless conditions, check where
// they are used. Everything else in proxy/acl/ is internal; samples are proxy/sample/'s.
export type { AclParseContext, AclRegistry, Acl } from './named-acls.ts';
export { createAclRegistry, PREDEFINED_ACLS } from './named-acls.ts';
export type { CompiledCondition } from './condition.ts';
export { appliesTo, parseCondition } from './condition.ts';
export { conditionConflict, l6InHttpWarning } from './conflicts.ts';
export { aclKeywords, findAclKeyword } from './keywords.ts';
export type { AclTrace, Condition, ConditionTrace } from './types.ts';
