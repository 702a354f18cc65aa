// State stores: the contract on the memory and file stores; the file store's names, bad files and crashes.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  makeFileStateStore,
  makeMemoryStateStore,
  stateFileName,
} from '../../src/adapters/state-store/index.js';
import { arbTaskId, stateStoreContract } from '../../src/testing/contract/index.js';

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'kubetasks-state-'));

stateStoreContract('memory state store', () =>
  Promise.resolve({ store: makeMemoryStateStore(), cleanup: () => Promise.resolve() }),
);

stateStoreContract('file state store', async () => {
  const dir = await tempDir();
  return { store: makeFileStateStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('file names', () => {
  test.prop([fc.uniqueArray(arbTaskId, { minLength: 2, maxLength: 8 })])(
    'one file per id, distinct even without regard to case, short, and never a path or a dot name',
    (ids) => {
      const names = ids.map(stateFileName);
      expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(ids.length);
      for (const [i, n] of names.entries()) {
        // A readable name is the id, percent-encoded: decoding it gives the id back.
        if (!n.endsWith('.h.json')) expect(decodeURIComponent(n.slice(0, -'.json'.length))).toBe(ids[i]);
        expect(Buffer.byteLength(n)).toBeLessThanOrEqual(255);
        expect(n).toMatch(/^[^/\\]+\.json$/);
        expect(n.endsWith('.tmp')).toBe(false);
      }
    },
  );

  it.each([
    ['a', 'a.json'],
    ['A', '%41.json'],
    ['a.b', 'a%2Eb.json'],
    ['..', '%2E%2E.json'],
    ['a/b', 'a%2Fb.json'],
  ])('%j is stored in %s', (id, name) => {
    expect(stateFileName(id)).toBe(name);
  });

  it('a long id or one with a lone surrogate gets a hashed name', () => {
    expect(stateFileName('x'.repeat(200))).toMatch(/^x{64}~[0-9a-f]{64}\.h\.json$/);
    expect(stateFileName('\ud800')).toMatch(/^~[0-9a-f]{64}\.h\.json$/);
    expect(stateFileName('\ud800')).not.toBe(stateFileName('\ufffd'));
  });
});

describe('file store: what it finds in its directory', () => {
  it('reports an unreadable or misplaced record apart, leaves it in place, and lists the others', async () => {
    const dir = await tempDir();
    try {
      const store = makeFileStateStore(dir);
      await store.put({ taskId: 'good', task: {}, state: { v: 1 } })();
      await writeFile(join(dir, 'torn.json'), '{"taskId":"torn","task":{},"sta');
      await writeFile(join(dir, 'shape.json'), '[1,2]');
      await writeFile(join(dir, 'moved.json'), JSON.stringify({ taskId: 'elsewhere', task: {}, state: {} }));
      await writeFile(join(dir, 'notes.txt'), 'not a record');
      const r = await store.list()();
      expect(E.isRight(r)).toBe(true);
      if (E.isLeft(r)) return;
      expect(r.right.tasks).toEqual([{ taskId: 'good', task: {}, state: { v: 1 } }]);
      expect(r.right.unreadable.map((u) => [u.location, u.message])).toEqual([
        [join(dir, 'moved.json'), 'holds task "elsewhere", whose file is elsewhere.json'],
        [join(dir, 'shape.json'), 'expected an object with taskId (a string), task and state'],
        [join(dir, 'torn.json'), 'not valid JSON (31 characters)'],
      ]);
      expect((await readdir(dir)).sort()).toEqual([
        'good.json',
        'moved.json',
        'notes.txt',
        'shape.json',
        'torn.json',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("removes temporary files of writes that never completed, and keeps its own process's", async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir, '.999999.3.tmp'), '{"taskId":"half');
      await writeFile(join(dir, `.${process.pid}.7.tmp`), 'in flight');
      const r = await makeFileStateStore(dir).list()();
      expect(E.isRight(r) && r.right).toEqual({ tasks: [], unreadable: [] });
      expect(await readdir(dir)).toEqual([`.${process.pid}.7.tmp`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a put that cannot be written fails, keeps the old record and leaves no temporary file', async () => {
    const dir = await tempDir();
    try {
      const store = makeFileStateStore(dir);
      await store.put({ taskId: 't', task: {}, state: { v: 1 } })();
      const r = await store.put({ taskId: 't', task: {}, state: { v: 10n } })();
      expect(E.isLeft(r) && r.left.message).toMatch(/^cannot store task t: .*BigInt/);
      expect(await readdir(dir)).toEqual(['t.json']);
      const listed = await store.list()();
      expect(E.isRight(listed) && listed.right.tasks).toEqual([{ taskId: 't', task: {}, state: { v: 1 } }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a directory it cannot read as an error of the whole store', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir, 'plain-file');
      await writeFile(file, '');
      const r = await makeFileStateStore(join(file, 'sub')).list()();
      expect(E.isLeft(r) && r.left.message).toMatch(/^cannot list stored tasks in /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('file store: flushing', () => {
  it('flushes the directory once for many renames made at once (group commit), and not at all with fsync off', async () => {
    const dir = await tempDir();
    try {
      const store = makeFileStateStore(dir);
      const ids = Array.from({ length: 50 }, (_, i) => `t${i}`);
      const results = await Promise.all(ids.map((taskId) => store.put({ taskId, task: {}, state: {} })()));
      expect(results.every(E.isRight)).toBe(true);
      const { writes, directoryFlushes } = store.stats();
      expect(writes).toBe(50);
      expect(directoryFlushes).toBeGreaterThanOrEqual(1);
      expect(directoryFlushes).toBeLessThan(25);
      const unsynced = makeFileStateStore(dir, { fsync: false });
      await unsynced.put({ taskId: 'u', task: {}, state: {} })();
      expect(unsynced.stats()).toEqual({ writes: 1, directoryFlushes: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('file store: a writer killed at random points', () => {
  const writer = fileURLToPath(new URL('./fixtures/state-writer.ts', import.meta.url));

  // SIGKILL gives the process no chance to finish anything: what is on disk is what a crash leaves.
  const killedRun = async (dir: string, afterMs: number): Promise<Map<string, number>> => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) {
          const [what, id, seq] = l.split(' ');
          if (what !== 'ack' || id === undefined) reject(new Error(`writer: ${l}`));
          else acked.set(id, Number(seq));
        }
        if (acked.size > 0 && !child.killed) setTimeout(() => child.kill('SIGKILL'), afterMs);
      });
      void exited.then(() => (acked.size > 0 ? resolve() : reject(new Error(`writer died: ${stderr}`))));
    });
    await exited;
    return acked;
  };

  it('leaves only whole records, and no acknowledged write is lost', async () => {
    for (const afterMs of [0, 7, 23, 61, 150]) {
      const dir = await tempDir();
      try {
        const acked = await killedRun(dir, afterMs);
        const r = await makeFileStateStore(dir).list()();
        expect(E.isRight(r)).toBe(true);
        if (E.isLeft(r)) return;
        expect(r.right.unreadable).toEqual([]);
        const stored = new Map(r.right.tasks.map((t) => [t.taskId, (t.state as { seq: number }).seq]));
        for (const [id, seq] of acked) expect(stored.get(id) ?? -1).toBeGreaterThanOrEqual(seq);
        expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
