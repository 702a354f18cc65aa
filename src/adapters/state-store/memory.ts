// An in-memory state store: the embedded default, and what tests crash and resume against.
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { StateStore, StoredTask } from '../../ports/state-store.js';

/** A store kept in a Map; records are copied through JSON, so nothing is shared with the caller. */
export const makeMemoryStateStore = (): StateStore & { readonly size: () => number } => {
  const records = new Map<string, string>();
  return {
    put: (record) => TE.fromIO(() => void records.set(record.taskId, JSON.stringify(record))),
    remove: (taskId) => TE.fromIO(() => void records.delete(taskId)),
    list: () => TE.fromIO(() => [...records.values()].map((s) => JSON.parse(s) as StoredTask)),
    size: () => records.size,
  };
};
