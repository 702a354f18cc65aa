// An in-memory state store: the embedded default, and what tests crash and resume against.
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { StateStore, StoredTask } from '../../ports/state-store.js';

/**
 * A store kept in a Map. Records are kept by reference: the manager's states are immutable values, so nothing can
 * change them after `put`, and copying 10,000 states on every step would cost more than everything else it does.
 */
export const makeMemoryStateStore = (): StateStore & {
  /** Records held: what a test checks to see that finished tasks are removed. */
  readonly size: () => number;
} => {
  const records = new Map<string, StoredTask>();
  return {
    put: (record) => TE.fromIO(() => void records.set(record.taskId, record)),
    remove: (taskId) => TE.fromIO(() => void records.delete(taskId)),
    list: () => TE.fromIO(() => ({ tasks: [...records.values()], unreadable: [] })),
    size: () => records.size,
  };
};
