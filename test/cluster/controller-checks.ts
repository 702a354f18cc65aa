// The checks after a run of controller replicas: right endings, no status backwards, one pod at a time, nothing left.
import { expect } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import {
  statusOfObject,
  TASK_EXECUTION,
  TASK_EXECUTION_FINALIZER,
} from '../../src/domain/task-execution-resource.js';
import {
  isFinal,
  progressKey,
  withoutState,
  type TaskExecutionStatus,
} from '../../src/domain/task-execution-status.js';
import { logRecords, must, until } from './controller-process.js';
import { actionOf, finishedAtLeast, nameOf, scenarioOf, type Run } from './controller-run.js';

/**
 * The pod names of a run where system retries may happen (an API server that refuses a create costs the try a
 * system failure, and the next try of the attempt is `<attempt>-s<n>`): each name once, each task's attempts
 * exactly its scenario's, and no two pods of one attempt at the same time. Returns the names that are system retries.
 */
const checkSystemRetries = (run: Run, uids: ReadonlyMap<string, ReadonlySet<string>>): string[] => {
  const shape = /^fo-(t\d{3})-(\d+)(?:-s(\d+))?$/;
  const malformed = [...uids.keys()].filter((n) => !shape.test(n));
  expect(malformed).toEqual([]);
  const attemptsOf = new Map<string, Set<number>>();
  for (const n of uids.keys()) {
    const [, action, attempt] = shape.exec(n)!;
    attemptsOf.set(action!, (attemptsOf.get(action!) ?? new Set()).add(Number(attempt)));
  }
  const wrongAttempts = Array.from({ length: run.tasks }, (_, i) => i).flatMap((i) => {
    const got = [...(attemptsOf.get(actionOf(i)) ?? [])].sort((a, b) => a - b);
    const want = Array.from({ length: scenarioOf(i).attempts }, (_, a) => a);
    return JSON.stringify(got) === JSON.stringify(want)
      ? []
      : [`${nameOf(i)}: attempts ${JSON.stringify(got)}`];
  });
  expect(wrongAttempts).toEqual([]);
  // In the order the watch delivered them: a pod of an attempt is created only once the one before it is gone.
  const live = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const together: string[] = [];
  for (const e of run.pods.events) {
    const name = e.object.metadata?.name ?? '';
    const [, action, attempt] = shape.exec(name) ?? [];
    const key = `${action ?? ''}-${attempt ?? ''}`;
    const pods = live.get(key) ?? new Set<string>();
    live.set(key, pods);
    if (e.type === 'DELETED') pods.delete(name);
    else if (!seen.has(name)) {
      if (pods.size > 0) together.push(`${name} created while ${[...pods].join(', ')} existed`);
      pods.add(name);
    }
    seen.add(name);
  }
  expect(together).toEqual([]);
  return [...uids.keys()].filter((n) => shape.exec(n)?.[3] !== undefined);
};

/**
 * The guarantees after a run: every TaskExecution ends in its scenario's phase, its status never went backwards,
 * every attempt had exactly one pod, and no pod, pod finalizer or TaskExecution finalizer is left. With
 * `systemRetries`, an attempt may have had several pods one after the other, system retries (see
 * `checkSystemRetries`); returns those.
 */
export const checkRun = async (
  run: Run,
  budgetMs: number,
  options: { readonly systemRetries?: boolean } = {},
): Promise<{ readonly systemRetries: ReadonlyArray<string> }> => {
  const { admin } = run.env;
  const started = Date.now();
  try {
    await finishedAtLeast(run, run.tasks, budgetMs);
    await until(
      'every pod to go',
      async () => {
        const r = await admin.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: run.ns })();
        return E.isRight(r) && r.right.items.length === 0;
      },
      60_000,
    );
  } catch (error) {
    const missing = Array.from({ length: run.tasks }, (_, i) => nameOf(i)).filter(
      (n) => !run.finished.has(n),
    );
    throw new Error(
      `${String(error)}\nnot finished: ${missing.slice(0, 20).join(', ')}\n${run.replicas.logs()}`,
    );
  }
  await run.taskExecutions.caughtUp();
  await run.pods.caughtUp();
  console.log(
    `${run.ns}: all ${run.tasks} TaskExecutions final ${Date.now() - started} ms after the checks began`,
  );

  // Final phases, by scenario.
  const list = await must('list', admin.list(TASK_EXECUTION, { namespace: run.ns })());
  const byName = new Map(list.items.map((o) => [o.metadata?.name ?? '', o]));
  const wrong: string[] = [];
  for (let i = 0; i < run.tasks; i++) {
    const s = scenarioOf(i);
    const status = statusOfObject(byName.get(nameOf(i)) ?? { apiVersion: '', kind: '' });
    const got = { phase: status.phase, code: status.error?.code, attempt: status.attempt };
    const want = { phase: s.phase, code: s.code, attempt: s.attempts - 1 };
    if (JSON.stringify(got) !== JSON.stringify(want))
      wrong.push(`${nameOf(i)} (${s.name}): ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  expect(wrong).toEqual([]);

  // The status sequence of each TaskExecution, as the watch saw it: never backwards, never changed once final.
  const sequences = new Map<string, TaskExecutionStatus[]>();
  for (const e of run.taskExecutions.events) {
    if (e.type === 'DELETED') continue;
    const name = e.object.metadata?.name ?? '';
    sequences.set(name, [...(sequences.get(name) ?? []), statusOfObject(e.object)]);
  }
  const backwards: string[] = [];
  for (const [name, seq] of sequences)
    seq.forEach((s, k) => {
      const prev = seq[k - 1];
      if (prev === undefined) return;
      const [a, b] = [progressKey(prev), progressKey(s)];
      const behind = a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])));
      const unfinal = isFinal(prev) && JSON.stringify(withoutState(prev)) !== JSON.stringify(withoutState(s));
      if (behind || (prev.phase !== undefined && s.phase === undefined) || unfinal)
        backwards.push(
          `${name}: ${JSON.stringify(a)} → ${JSON.stringify(b)}${unfinal ? ' after final' : ''}`,
        );
    });
  expect(backwards).toEqual([]);
  const phasesSeen = [...sequences.values()].reduce((n, seq) => n + seq.length, 0);

  // Pods: each name created once (one uid); exactly one per attempt, and the right names per task (or, with
  // system retries, one at a time per attempt).
  const uids = new Map<string, Set<string>>();
  for (const e of run.pods.events) {
    const name = e.object.metadata?.name ?? '';
    uids.set(name, (uids.get(name) ?? new Set()).add(e.object.metadata?.uid ?? ''));
  }
  const twins = [...uids].filter(([, u]) => u.size > 1).map(([n, u]) => `${n}: ${u.size} pods`);
  expect(twins).toEqual([]);
  const expectedPods = Array.from({ length: run.tasks }, (_, i) =>
    Array.from({ length: scenarioOf(i).attempts }, (_, a) => `fo-${actionOf(i)}-${a}`),
  )
    .flat()
    .sort();
  const systemRetries = options.systemRetries === true ? checkSystemRetries(run, uids) : [];
  if (options.systemRetries !== true) expect([...uids.keys()].sort()).toEqual(expectedPods);
  // No finalizer of ours is left: every pod is gone (above), which the API server allows only once its finalizers
  // are off. A DELETED event that shows ours proves nothing: when removing the last finalizer of a pod already
  // deleted with no grace left deletes it at once, the event carries the object as it was before that update (seen
  // after an API server restart, where the controller's finalizer removal came after the pod's deletion).

  // Deleting the TaskExecutions: the leader removes its finalizer from each, so they all go.
  await Promise.all(
    list.items.map((o: KubeObject) =>
      must('delete', admin.delete({ ...TASK_EXECUTION, namespace: run.ns, name: o.metadata?.name ?? '' })()),
    ),
  );
  await until(
    'every TaskExecution to go',
    async () => {
      const r = await admin.list(TASK_EXECUTION, { namespace: run.ns })();
      return E.isRight(r) && r.right.items.length === 0;
    },
    60_000,
  );
  const leftFinalizers = list.items.filter(
    (o) => o.metadata?.finalizers?.includes(TASK_EXECUTION_FINALIZER) !== true,
  );
  // Every TaskExecution had the controller's finalizer while it ran (so a deletion could not slip past a task).
  expect(leftFinalizers.map((o) => o.metadata?.name)).toEqual([]);
  // No reconcile of a task the controller had already dropped (a state write the store no longer tracks).
  expect(
    run.replicas.all.flatMap((r) =>
      logRecords(r.process.running.stderr(), 'cannot store task state')
        .filter((x) => String(x['message']).includes('is not tracked'))
        .map((x) => `${r.name}: ${String(x['task'])}`),
    ),
  ).toEqual([]);
  console.log(
    `${run.ns}: ${run.tasks} TaskExecutions, ${uids.size} pods (${systemRetries.length} of them system ` +
      `retries), ${phasesSeen} TaskExecution versions watched, ${run.statusWrites.length} status writes, watch ` +
      `relists: TaskExecutions ${run.taskExecutions.relists()}, pods ${run.pods.relists()}`,
  );
  return { systemRetries };
};
