// The scheduler half of the simulated kubelet: binds new pods to its node, or marks them Unschedulable.
import * as E from 'fp-ts/lib/Either.js';
import type { Pod } from '../../domain/kubernetes.js';
import type { ObjectRef } from '../../ports/cluster.js';
import { isConflict, isNotFound, isRetryable, showApiError } from '../../domain/api-error.js';
import type { CancelTimer } from '../../ports/clock.js';
import { planOf, type PlanDefaults } from './scenarios.js';
import { WRITE_RETRY_MS, type KubeletRuntime } from './runtime.js';

/** What the scheduler needs besides the runtime. */
export interface SchedulerOptions {
  readonly nodeName: string;
  readonly durations: PlanDefaults;
  readonly refOfPod: (pod: Pod) => ObjectRef;
}

/** A scheduler with one node. */
export interface Scheduler {
  /** Binds a pod that has no node (once per uid, until it is forgotten or the bind fails). */
  readonly scheduleOne: (pod: Pod) => void;
  /** Forgets that a pod was scheduled. */
  readonly forget: (uid: string) => void;
  /** Cancels the bind retries waiting on their timers. */
  readonly stop: () => void;
}

const UNSCHEDULABLE =
  '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';

/** The scheduler over a runtime; its writes share the kubelet's queue. */
export const makeScheduler = (rt: KubeletRuntime, options: SchedulerOptions): Scheduler => {
  const { cluster, clock, logger, emit, enqueue } = rt;
  const { nodeName, durations, refOfPod } = options;
  const scheduled = new Set<string>();
  // Bind retries belong to no worker yet; stop() cancels them.
  const bindRetries = new Set<CancelTimer>();

  const scheduleOne = (pod: Pod): void => {
    const uid = pod.metadata?.uid ?? '';
    if (scheduled.has(uid)) return;
    scheduled.add(uid);
    const ref = refOfPod(pod);
    const plan = planOf(pod, durations);
    if (plan.scenario._tag === 'unschedulable') {
      emit(pod, 'Warning', 'FailedScheduling', UNSCHEDULABLE);
      enqueue(async () => {
        await cluster.patchStatus(ref, {
          type: 'strategic',
          body: {
            metadata: { uid },
            status: {
              conditions: [
                {
                  type: 'PodScheduled',
                  status: 'False',
                  reason: 'Unschedulable',
                  message: UNSCHEDULABLE,
                  lastTransitionTime: rt.now(),
                },
              ],
            },
          },
        })();
      });
      return;
    }
    enqueue(async () => {
      // Emitted before the call: the binding's watch event reaches this kubelet before the call returns.
      emit(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${ref.namespace ?? ''}/${ref.name} to ${nodeName}`,
      );
      const r = await cluster.bind(ref, nodeName)();
      if (E.isLeft(r) && !isConflict(r.left) && !isNotFound(r.left)) {
        scheduled.delete(uid);
        logger.warn('binding failed', { pod: ref.name, error: showApiError(r.left) });
        // The scheduler requeues the pod: no watch event would bring an unchanged pod back.
        if (isRetryable(r.left)) {
          const cancel = clock.setTimer(WRITE_RETRY_MS, () => {
            bindRetries.delete(cancel);
            if (!rt.stopped()) scheduleOne(pod);
          });
          bindRetries.add(cancel);
        }
      }
    });
  };

  return {
    scheduleOne,
    forget: (uid) => {
      scheduled.delete(uid);
    },
    stop: () => {
      for (const cancel of bindRetries) cancel();
      bindRetries.clear();
    },
  };
};
