// The state-store adapters (`kubetasks/adapters/state-store`): in memory, and one JSON file per task.
export {
  makeFileStateStore,
  stateFileName,
  type FileStateStoreOptions,
  type FileStateStoreStats,
} from './file.js';
export { makeMemoryStateStore } from './memory.js';
