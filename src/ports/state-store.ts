// The state-store port: where the plugin manager keeps each task's lifecycle state so a restart resumes it.
import type * as TE from 'fp-ts/lib/TaskEither.js';

/** A stored record: the task's definition (to rebuild it after a restart) and its machine state, both JSON. */
export interface StoredTask {
  readonly taskId: string;
  /** The task execution document, encoded. */
  readonly task: unknown;
  /** The lifecycle state, encoded (`writeState`). */
  readonly state: unknown;
  /**
   * Set when no command of the step that produced this state changes the cluster. A store may then hold the write
   * back and make it with the task's next one (or its own flush), to save writes: a crash loses it, and resuming
   * from the previous state redoes the step's observations, which changes nothing outside. Stores may ignore it.
   */
  readonly deferrable?: boolean;
}

/**
 * A record the store holds but cannot read back (a file that is not JSON, say). The store reports it and leaves it
 * where it is for an operator to inspect; the manager resumes every other task.
 */
export interface UnreadableRecord {
  readonly _tag: 'UnreadableRecord';
  /** Where the record is, in the store's terms (a file path for the file store). */
  readonly location: string;
  readonly message: string;
}

/** What `list` finds: the readable records, and the unreadable ones apart so one bad record blocks nothing. */
export interface StoredTasks {
  readonly tasks: ReadonlyArray<StoredTask>;
  readonly unreadable: ReadonlyArray<UnreadableRecord>;
}

/**
 * A store operation failed (a disk error, an unreachable database); `message` says why, for the log. The manager
 * counts each in `kubetasks_state_store_errors_total`.
 */
export interface StateStoreError {
  readonly _tag: 'StateStoreError';
  readonly message: string;
}

/**
 * Durable per-task records. `put` must be durable when its task completes: the manager writes the state before it
 * runs the commands of a step, so whatever it did can be redone after a crash. Operations on one task id take
 * effect in the order they were called, whether or not the caller waited for the previous one.
 */
export interface StateStore {
  /**
   * Stores (or replaces) the record of one task: its latest state, so a restarted manager resumes where it
   * stopped.
   */
  readonly put: (record: StoredTask) => TE.TaskEither<StateStoreError, void>;
  /** Forgets a finished task; removing a task that has no record succeeds. */
  readonly remove: (taskId: string) => TE.TaskEither<StateStoreError, void>;
  /** Every stored record, for resuming after a restart. Fails only when the store as a whole cannot be read. */
  readonly list: () => TE.TaskEither<StateStoreError, StoredTasks>;
}
