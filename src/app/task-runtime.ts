// One task as the manager runs it: its runtime record, and how a stored record is read back into one.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { gvkKey } from '../domain/kubernetes.js';
import { readState, STATE_VERSION, type ObjectRef, type TaskState } from '../domain/lifecycle/state.js';
import type { PhaseInfo } from '../domain/phase-info.js';
import * as PI from '../domain/phase-info.js';
import type { Plugin } from '../domain/plugin.js';
import * as R from '../domain/registry.js';
import { decodeTaskExecution, type TaskExecution } from '../domain/task.js';
import { keyOf } from './informer.js';
import type { TaskTimers } from './task-timers.js';
import type { Queued } from './work-queue.js';

/** A task in the manager: what it runs, its current state, its timers and who awaits its outcome. */
export interface Runtime extends Queued {
  readonly taskId: string;
  readonly task: TaskExecution;
  /** The task as stored, encoded once. */
  readonly encodedTask: unknown;
  readonly plugin: Plugin;
  state: TaskState;
  readonly timers: TaskTimers;
  readonly waiters: Array<(pi: PhaseInfo) => void>;
}

/** The key of an object in the manager's index: kind and namespaced name. */
export const objectIndexKey = (ref: ObjectRef): string => `${gvkKey(ref)}|${keyOf(ref.namespace, ref.name)}`;

/** What a stored task record is, read back. */
export type StoredTaskReading =
  /** The task document cannot be read, or no plugin runs its type: left in place, not resumed. */
  | {
      readonly _tag: 'Skipped';
      readonly message: string;
      readonly fields: Readonly<Record<string, string>>;
    }
  /** The state cannot be read (an unknown version, a malformed document): the task fails, permanently. */
  | {
      readonly _tag: 'Failed';
      readonly task: TaskExecution;
      readonly plugin: Plugin;
      readonly phaseInfo: PhaseInfo;
    }
  | {
      readonly _tag: 'Resumable';
      readonly task: TaskExecution;
      readonly plugin: Plugin;
      readonly state: TaskState;
    };

/** Reads a stored record: its task, the plugin that runs it, and its state (version 1 states are migrated). */
export const readStoredTask = (
  registry: R.Registry,
  taskId: string,
  taskDoc: unknown,
  stateDoc: unknown,
): StoredTaskReading => {
  const task = decodeTaskExecution(taskDoc);
  if (E.isLeft(task)) {
    return { _tag: 'Skipped', message: 'stored task is unreadable; skipped', fields: { task: taskId } };
  }
  const plugin = R.lookupByTaskType(task.right.task.type)(registry);
  if (O.isNone(plugin)) {
    return {
      _tag: 'Skipped',
      message: 'no plugin for a stored task; skipped',
      fields: { task: taskId, type: task.right.task.type },
    };
  }
  const state = readState(stateDoc);
  if (E.isLeft(state)) {
    // An unknown state version is a permanent SYSTEM failure of that task, never a crash of the manager.
    const phaseInfo = PI.systemFailure(
      'CorruptedPluginState',
      state.left._tag === 'UnknownVersion'
        ? `plugin state version mismatch expected [${STATE_VERSION}] got [${String(state.left.version)}]`
        : state.left.message,
    );
    return { _tag: 'Failed', task: task.right, plugin: plugin.value, phaseInfo };
  }
  return { _tag: 'Resumable', task: task.right, plugin: plugin.value, state: state.right };
};
