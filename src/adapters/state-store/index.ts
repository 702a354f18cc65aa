// The state-store adapters (`kubetasks/adapters/state-store`): in memory, and one JSON file per task.
/**
 * Where a manager keeps task states across restarts: in memory (tests), or one JSON file per task in a
 * directory (one process with a local disk).
 *
 * @module kubetasks/adapters/state-store
 */
export {
  makeFileStateStore,
  stateFileName,
  type FileStateStoreOptions,
  type FileStateStoreStats,
} from './file.js';
export { makeMemoryStateStore } from './memory.js';
