// A file-backed state store: one JSON file per task in a directory, replaced atomically and synced on every write.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type {
  StateStore,
  StateStoreError,
  StoredTask,
  StoredTasks,
  UnreadableRecord,
} from '../../ports/state-store.js';

/** Durability settings of the file store; the default is the safe one. */
export interface FileStateStoreOptions {
  /**
   * Flush each record, and the directory after each rename or removal, before the write counts as done (default
   * true). Without it a record survives a crash of the process but not necessarily a crash of the machine.
   */
  readonly fsync?: boolean;
}

const failure =
  (what: string) =>
  (e: unknown): StateStoreError => ({
    _tag: 'StateStoreError',
    message: `${what}: ${e instanceof Error ? e.message : String(e)}`,
  });

// Longest encoded id kept readable in a file name; names stay well under the usual 255-byte limit.
const READABLE_MAX = 160;

// encodeURIComponent throws on a lone surrogate, which a JavaScript string (and so a task id) may hold.
const percentEncoded = (taskId: string): string | undefined => {
  try {
    // Existing escapes are matched first and kept: their hex digits are the only capitals a name may hold.
    return encodeURIComponent(taskId).replace(/%[0-9A-F]{2}|[.A-Z]/g, (m) =>
      m.length === 3 ? m : `%${m.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  } catch {
    return undefined;
  }
};

/**
 * The file of a task id, one-to-one even on a case-insensitive file system: the id percent-encoded, dots and capital
 * letters too (so no name is `.` or `..`, none holds a dot but the one before `json`, and the only capitals are hex
 * digits of escapes). A long id, or one with a lone surrogate, gets a readable prefix and a SHA-256 of the id's JSON
 * text (which spells out lone surrogates) before `.h.json`, which no plain name can end with.
 */
export const stateFileName = (taskId: string): string => {
  const encoded = percentEncoded(taskId);
  if (encoded !== undefined && encoded.length <= READABLE_MAX) return `${encoded}.json`;
  const digest = createHash('sha256').update(JSON.stringify(taskId), 'utf8').digest('hex');
  const prefix = (encoded ?? '').slice(0, 64).replace(/%[0-9A-F]?$/, '');
  return `${prefix}~${digest}.h.json`;
};

const isStoredTask = (u: unknown): u is StoredTask =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  typeof (u as { taskId?: unknown }).taskId === 'string' &&
  'task' in u &&
  'state' in u;

/** Counters of the disk work done since the store was made, to see whether directory flushes are batched. */
export interface FileStateStoreStats {
  /** Records written (renamed into place). */
  readonly writes: number;
  /** Flushes of the directory: with many writes at once, far fewer than writes. */
  readonly directoryFlushes: number;
}

/**
 * Writes go to a temporary file that is flushed and renamed over the old one, so a crash leaves either the old or
 * the new record, never a torn one. A temporary file left by a crashed write is removed by the next `list`: its
 * write never completed, so nothing was done on the strength of it. Unreadable records are reported by `list` apart
 * from the others and left in place. Operations on one task id run in call order. One directory per process: a
 * store takes another process's temporary files for the remains of a crash.
 */
export const makeFileStateStore = (
  dir: string,
  options: FileStateStoreOptions = {},
): StateStore & {
  /** Writes and directory flushes so far. */
  readonly stats: () => FileStateStoreStats;
} => {
  const sync = options.fsync ?? true;
  let counter = 0;
  let writes = 0;
  let directoryFlushes = 0;
  const ready = mkdir(dir, { recursive: true });
  const tmpPrefix = `.${process.pid}.`;

  const flushDir = async (): Promise<void> => {
    directoryFlushes++;
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  };

  // Group commit: one flush of the directory covers every rename done before it started. A caller that arrives
  // while a flush runs waits for the next one, which it shares with everyone else who arrived meanwhile.
  let flushing: Promise<void> | undefined;
  let nextFlush: Promise<void> | undefined;
  const syncDir = (): Promise<void> => {
    if (!sync) return Promise.resolve();
    if (flushing === undefined) {
      flushing = flushDir().finally(() => {
        flushing = undefined;
      });
      return flushing;
    }
    nextFlush ??= flushing
      .catch(() => undefined)
      .then(() => {
        nextFlush = undefined;
        return syncDir();
      });
    return nextFlush;
  };

  // Per task id, the last operation queued: each new one starts when it settles, so a later put always wins.
  const tails = new Map<string, Promise<unknown>>();
  const inOrder = <A>(taskId: string, run: () => Promise<A>): Promise<A> => {
    const prev = tails.get(taskId) ?? ready;
    const next = prev.then(run, run);
    const tail = next.catch(() => undefined);
    tails.set(taskId, tail);
    void tail.then(() => {
      if (tails.get(taskId) === tail) tails.delete(taskId);
    });
    return next;
  };

  const write = async (record: StoredTask): Promise<void> => {
    const target = join(dir, stateFileName(record.taskId));
    const tmp = join(dir, `${tmpPrefix}${counter++}.tmp`);
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify(record));
        if (sync) await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
    } catch (e) {
      // A failed write (a full disk, a value JSON cannot hold) leaves the old record and no temporary file.
      await rm(tmp, { force: true });
      throw e;
    }
    writes++;
    await syncDir();
  };

  const read = async (name: string): Promise<E.Either<UnreadableRecord, StoredTask>> => {
    const location = join(dir, name);
    const unreadable = (message: string) =>
      E.left<UnreadableRecord, StoredTask>({ _tag: 'UnreadableRecord', location, message });
    let text: string;
    try {
      text = await readFile(location, 'utf8');
    } catch (e) {
      return unreadable(`cannot read: ${e instanceof Error ? e.message : String(e)}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return unreadable(`not valid JSON (${text.length} characters)`);
    }
    if (!isStoredTask(parsed)) return unreadable('expected an object with taskId (a string), task and state');
    if (stateFileName(parsed.taskId) !== name) {
      return unreadable(
        `holds task ${JSON.stringify(parsed.taskId)}, whose file is ${stateFileName(parsed.taskId)}`,
      );
    }
    return E.right(parsed);
  };

  return {
    stats: () => ({ writes, directoryFlushes }),
    put: (record) =>
      TE.tryCatch(
        () => inOrder(record.taskId, () => write(record)),
        failure(`cannot store task ${record.taskId}`),
      ),
    remove: (taskId) =>
      TE.tryCatch(
        () =>
          inOrder(taskId, async () => {
            await rm(join(dir, stateFileName(taskId)), { force: true });
            await syncDir();
          }),
        failure(`cannot remove task ${taskId}`),
      ),
    list: () =>
      TE.tryCatch(
        async (): Promise<StoredTasks> => {
          await ready;
          const names = (await readdir(dir)).sort();
          const tasks: StoredTask[] = [];
          const unreadable: UnreadableRecord[] = [];
          for (const n of names) {
            if (n.endsWith('.tmp') && !n.startsWith(tmpPrefix)) {
              await rm(join(dir, n), { force: true });
              continue;
            }
            if (!n.endsWith('.json')) continue;
            const r = await read(n);
            if (E.isLeft(r)) unreadable.push(r.left);
            else tasks.push(r.right);
          }
          return { tasks, unreadable };
        },
        failure(`cannot list stored tasks in ${dir}`),
      ),
  };
};
