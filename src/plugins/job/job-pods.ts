// A Job's pods among the related resources (each classified by the pod plugin), and the task info built from them.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import { recordAt, stringAt } from '../../domain/json-read.js';
import { isFailure } from '../../domain/phase.js';
import { type LogContext, type PhaseInfo, type TaskInfo } from '../../domain/phase-info.js';
import type { PhaseContext } from '../../domain/plugin.js';
import type { Instant } from '../../domain/time.js';
import { getPodTaskPhase, readPod, type PodView } from '../pod/phase/index.js';
import { type JobView } from './job-view.js';
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from './names.js';

/** A pod of the Job, read, and classified by the pod plugin. */
export interface SeenPod {
  readonly view: PodView;
  /** What the pod plugin makes of this pod alone. */
  readonly pi: PhaseInfo;
}

const labelsOf = (u: unknown): Readonly<Record<string, unknown>> =>
  recordAt(recordAt(u, 'metadata'), 'labels');

const ownerUids = (u: unknown): ReadonlyArray<string> => {
  const refs = recordAt(u, 'metadata')['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isPlainObject).map((r) => stringAt(r, 'uid')) : [];
};

/** A pod belongs to the Job when the Job owns it (or its selector labels name the Job's uid), else by name label. */
const belongs = (job: JobView, u: unknown, pod: PodView): boolean => {
  if (job.namespace !== '' && pod.namespace !== '' && job.namespace !== pod.namespace) return false;
  const labels = labelsOf(u);
  if (job.uid !== '') {
    return (
      ownerUids(u).includes(job.uid) ||
      labels[CONTROLLER_UID_LABEL] === job.uid ||
      labels[LEGACY_CONTROLLER_UID_LABEL] === job.uid
    );
  }
  return (
    job.name !== '' && (labels[JOB_NAME_LABEL] === job.name || labels[LEGACY_JOB_NAME_LABEL] === job.name)
  );
};

const byAge = (a: SeenPod, b: SeenPod): number => {
  const ta = a.view.creationTimestamp ?? 0;
  const tb = b.view.creationTimestamp ?? 0;
  return ta !== tb ? ta - tb : a.view.name < b.view.name ? -1 : a.view.name > b.view.name ? 1 : 0;
};

/** The Job's pods among the related objects, oldest first, each classified by the pod plugin. */
export const podsOf = (ctx: PhaseContext, job: JobView): ReadonlyArray<SeenPod> => {
  const podCtx: PhaseContext = {
    now: ctx.now,
    config: ctx.config,
    ...(ctx.task === undefined ? {} : { task: ctx.task }),
  };
  const out: SeenPod[] = [];
  for (const u of ctx.related ?? []) {
    const view = readPod(u);
    if (O.isNone(view) || stringAt(u, 'kind') !== 'Pod' || !belongs(job, u, view.value)) continue;
    out.push({ view: view.value, pi: getPodTaskPhase(podCtx, u) });
  }
  return out.sort(byAge);
};

/** Not yet running (by its phase, or the pod plugin's answer). */
export const isPending = (p: SeenPod): boolean =>
  (p.view.phase === undefined || p.view.phase === 'Pending') && p.view.deletionTimestamp === undefined;
/** Running (by its phase, or the pod plugin's answer). */
export const isRunning = (p: SeenPod): boolean =>
  p.view.phase === 'Running' && p.view.deletionTimestamp === undefined;
/** Failed (by its phase, or the pod plugin's answer). */
export const hasFailed = (p: SeenPod): boolean => p.view.phase === 'Failed' || isFailure(p.pi.phase);

/** The last element. */
export const last = <A>(xs: ReadonlyArray<A>): A | undefined => xs[xs.length - 1];

// -------------------------------------------------------------------------------------
// task info
// -------------------------------------------------------------------------------------

const counters = (job: JobView): Record<string, unknown> => ({
  active: job.status.active,
  ready: job.status.ready,
  succeeded: job.status.succeeded,
  failed: job.status.failed,
  terminating: job.status.terminating,
  ...(job.status.completedIndexes === '' ? {} : { completedIndexes: job.status.completedIndexes }),
  ...(job.status.failedIndexes === '' ? {} : { failedIndexes: job.status.failedIndexes }),
});

/** The log context of every pod seen, the focus pod first-named; undefined when no pod is seen. */
const logContextOf = (pods: ReadonlyArray<SeenPod>, focus: SeenPod | undefined): LogContext | undefined => {
  if (focus === undefined) return undefined;
  const contexts = pods.flatMap((p) => p.pi.info.logContext?.pods ?? []);
  return { primaryPodName: focus.view.name, pods: contexts };
};

/** Task info: the focus pod's log links, every pod's log context, the Job's counters as custom info. */
export const infoOf = (
  job: JobView,
  pods: ReadonlyArray<SeenPod>,
  focus: SeenPod | undefined,
  at?: Instant,
): TaskInfo => {
  const logContext = logContextOf(pods, focus);
  return {
    logs: focus?.pi.info.logs ?? [],
    additionalReasons: [],
    externalResources: [],
    ...(at === undefined ? {} : { occurredAt: at }),
    ...(logContext === undefined ? {} : { logContext }),
    customInfo: { job: counters(job) },
  };
};
