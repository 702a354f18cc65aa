// Contract: what every state store must do for the manager to resume after a crash (`stateStoreContract`).
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { StateStore, StoredTask, StoredTasks } from '../../ports/state-store.js';
import { arbJson } from '../json-arbitraries.js';
import { arbTaskId } from '../task-id-arbitraries.js';

/** A fresh, empty store, and how to dispose of it. */
export interface StateStoreUnderTest {
  /** The store, empty: each test starts from nothing. */
  readonly store: StateStore;
  /**
   * Releases what the store holds (a temporary directory, a connection); called after each test, failed or
   * not.
   */
  readonly cleanup: () => Promise<void>;
}

const listed = async (store: StateStore): Promise<StoredTasks> => {
  const r = await store.list()();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const done = async (te: ReturnType<StateStore['put']>): Promise<void> => {
  const r = await te();
  if (E.isLeft(r)) throw new Error(r.left.message);
};

const record = (taskId: string, state: unknown = { version: 1 }): StoredTask => ({
  taskId,
  task: { task: { type: 'container' } },
  state,
});

const byId = (tasks: ReadonlyArray<StoredTask>): ReadonlyArray<StoredTask> =>
  [...tasks].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));

/**
 * Registers the state-store contract under `describe(name)`: `make` gives a fresh, empty store per test. The
 * manager relies on every law here to resume tasks after a crash.
 */
export const stateStoreContract = (
  name: string,
  make: () => Promise<StateStoreUnderTest>,
  options: { readonly runs?: number } = {},
): void => {
  const withStore = async (f: (s: StateStore) => Promise<void>): Promise<void> => {
    const t = await make();
    try {
      await f(t.store);
    } finally {
      await t.cleanup();
    }
  };

  describe(name, () => {
    it('lists what was put, the last put of each id, and nothing removed', () =>
      withStore(async (store) => {
        expect(await listed(store)).toEqual({ tasks: [], unreadable: [] });
        await done(store.put(record('a', 1)));
        await done(store.put(record('b', 1)));
        await done(store.put(record('a', 2)));
        await done(store.remove('b'));
        await done(store.remove('never-stored'));
        expect(await listed(store)).toEqual({ tasks: [record('a', 2)], unreadable: [] });
      }));

    it('applies the operations on one id in call order, awaited or not', () =>
      withStore(async (store) => {
        const ops = [
          store.put(record('t', 1))(),
          store.put(record('t', 2))(),
          store.remove('t')(),
          store.put(record('t', 3))(),
          store.put(record('u', 1))(),
          store.remove('u')(),
        ];
        expect((await Promise.all(ops)).every(E.isRight)).toBe(true);
        expect(await listed(store)).toEqual({ tasks: [record('t', 3)], unreadable: [] });
      }));

    it('keeps every id apart and returns each record as it was put, whatever the ids and the JSON', () =>
      fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(arbTaskId, { minLength: 1, maxLength: 6 }),
          arbJson(),
          async (ids, state) =>
            withStore(async (store) => {
              for (const id of ids) await done(store.put(record(id, state)));
              const got = await listed(store);
              expect(got.unreadable).toEqual([]);
              expect(byId(got.tasks)).toEqual(byId(ids.map((id) => record(id, state))));
              await done(store.remove(ids[0] ?? ''));
              expect((await listed(store)).tasks.length).toBe(ids.length - 1);
            }),
        ),
        { numRuns: options.runs ?? 40 },
      ));
  });
};
