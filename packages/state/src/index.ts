// @eddy/state: key groups and (later) keyed state backends.
export { murmur3 } from './murmur3.ts';
export { hashKey } from './key-serializer.ts';
export {
  DEFAULT_MAX_PARALLELISM,
  assignToKeyGroup,
  keyGroupRangeForSubtask,
  subtaskForKeyGroup,
  subtaskForKey,
  type KeyGroupRange,
} from './key-group.ts';
export { normalizeKey, VOID_NAMESPACE } from './normalized-key.ts';
export { HeapKeyedStateBackend, type HeapKeyedStateBackendOptions } from './heap-keyed-state-backend.ts';
export { SYSTEM_TIME_PROVIDER, type TtlTimeProvider } from './state-ttl.ts';
export { parseStateMeta } from './keyed-state-backend.ts';
export type {
  StateMeta,
  InternalKvState,
  NormalizedKey,
  KeyedStateBackend,
  KeyedStateSnapshot,
  KeyGroupSnapshot,
  StateEntry,
  PrefetchEntry,
} from './keyed-state-backend.ts';
export {
  LevelDbKeyedStateBackend,
  type LevelDbKeyedStateBackendOptions,
  type IncrementalKeyedStateSnapshot,
  type KeyGroupDigests,
} from './leveldb/leveldb-keyed-state-backend.ts';
