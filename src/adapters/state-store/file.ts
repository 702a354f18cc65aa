// A file-backed state store: one JSON file per task in a directory, replaced atomically on every write.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { StateStore, StateStoreError, StoredTask } from '../../ports/state-store.js';

const failure =
  (what: string) =>
  (e: unknown): StateStoreError => ({
    _tag: 'StateStoreError',
    message: `${what}: ${e instanceof Error ? e.message : String(e)}`,
  });

// Task ids are user data: keep file names to a safe alphabet and make the mapping one-to-one.
const fileName = (taskId: string): string => `${encodeURIComponent(taskId).replace(/\./g, '%2E')}.json`;

/**
 * Writes go to a temporary file that is renamed over the old one, so a crash leaves either the old or the new
 * record, never a torn one. Unreadable files are reported by `list`, not skipped, so nothing is lost silently.
 */
export const makeFileStateStore = (dir: string): StateStore => {
  let counter = 0;
  const ready = mkdir(dir, { recursive: true });
  return {
    put: (record) =>
      TE.tryCatch(
        async () => {
          await ready;
          const target = join(dir, fileName(record.taskId));
          const tmp = `${target}.${process.pid}.${counter++}.tmp`;
          await writeFile(tmp, JSON.stringify(record));
          await rename(tmp, target);
        },
        failure(`cannot store task ${record.taskId}`),
      ),
    remove: (taskId) =>
      TE.tryCatch(
        async () => {
          await ready;
          await rm(join(dir, fileName(taskId)), { force: true });
        },
        failure(`cannot remove task ${taskId}`),
      ),
    list: () =>
      TE.tryCatch(
        async () => {
          await ready;
          const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
          const out: StoredTask[] = [];
          for (const n of names) {
            const text = await readFile(join(dir, n), 'utf8');
            try {
              out.push(JSON.parse(text) as StoredTask);
            } catch {
              throw new Error(`${join(dir, n)} is not valid JSON`);
            }
          }
          return out;
        },
        failure(`cannot list stored tasks in ${dir}`),
      ),
  };
};
