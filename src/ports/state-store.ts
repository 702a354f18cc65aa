// The state-store port: where the plugin manager keeps each task's lifecycle state so a restart resumes it.
import type * as TE from 'fp-ts/lib/TaskEither.js';

/** A stored record: the task's definition (to rebuild it after a restart) and its machine state, both JSON. */
export interface StoredTask {
  readonly taskId: string;
  /** The task execution document, encoded. */
  readonly task: unknown;
  /** The lifecycle state, encoded (`writeState`). */
  readonly state: unknown;
}

export interface StateStoreError {
  readonly _tag: 'StateStoreError';
  readonly message: string;
}

/**
 * Durable per-task records. `put` must be durable when its task completes: the manager writes the state before it
 * runs the commands of a step, so whatever it did can be redone after a crash.
 */
export interface StateStore {
  readonly put: (record: StoredTask) => TE.TaskEither<StateStoreError, void>;
  readonly remove: (taskId: string) => TE.TaskEither<StateStoreError, void>;
  /** Every stored record, for resuming after a restart. */
  readonly list: () => TE.TaskEither<StateStoreError, ReadonlyArray<StoredTask>>;
}
