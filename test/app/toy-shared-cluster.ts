// A toy plugin whose jobs may run on a shared cluster, and simulated operators for both kinds, for manager tests.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { SimulatedOperator } from '../../src/adapters/operators/index.js';
import { objectName } from '../../src/domain/names.js';
import * as PI from '../../src/domain/phase-info.js';
import { defaultPluginProperties, type Plugin } from '../../src/domain/plugin.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { NAMESPACE } from './harness.js';

export const CLUSTER = { apiVersion: 'test.kubetasks.dev/v1', kind: 'ToyCluster' } as const;
export const JOB = { apiVersion: 'test.kubetasks.dev/v1', kind: 'ToyJob' } as const;
export const IDLE_TTL = 60_000;

export interface Custom {
  readonly size?: number;
  readonly shared?: boolean;
  readonly failCluster?: boolean;
}
const customOf = (ctx: { readonly task: TaskExecution }): Custom => ctx.task.task.custom ?? {};
const statusOf = (o: unknown): string => (o as { status?: { state?: string } }).status?.state ?? '';

/** A job plugin that may run on a shared cluster named after the cluster spec (its size). */
export const toyPlugin: Plugin = {
  id: 'toy',
  taskTypes: ['toy'],
  watches: JOB,
  properties: defaultPluginProperties,
  customResource: { plural: 'toyjobs', statusSubresource: true },
  buildIdentityResource: () => E.right({ ...JOB, metadata: {} }),
  buildResource: (ctx) => E.right({ ...JOB, metadata: {}, spec: { cluster: ctx.sharedCluster ?? '' } }),
  getTaskPhase: (_ctx, r) =>
    statusOf(r) === 'done'
      ? PI.success()
      : statusOf(r) === 'running'
        ? PI.running(0)
        : PI.queued(0, 0, 'job created'),
  isTerminal: (r) => statusOf(r) === 'done',
  completionTime: () => O.none,
  sharedCluster: {
    kind: CLUSTER,
    customResource: { plural: 'toyclusters', statusSubresource: true },
    clusterFor: (ctx) => {
      const c = customOf(ctx);
      if (c.shared !== true) return E.right(O.none);
      const size = c.size ?? 1;
      return E.right(
        O.some({
          ...CLUSTER,
          metadata: {
            name: objectName(['toy', String(size)]),
            ...(c.failCluster === true ? { annotations: { fail: 'yes' } } : {}),
          },
          spec: { size },
        }),
      );
    },
    isReady: (c) => statusOf(c) === 'ready',
    failure: (c) => (statusOf(c) === 'failed' ? O.some('the head died') : O.none),
    idleTtl: () => IDLE_TTL,
  },
};

/** Clusters are ready at once (or fail, when annotated); jobs run a while, and only on a ready cluster if shared. */
export const clusterOperator: SimulatedOperator = {
  kind: CLUSTER,
  desiredPods: () => [],
  status: (r) => (r.metadata?.annotations?.['fail'] === 'yes' ? { state: 'failed' } : { state: 'ready' }),
};
export const jobOperator: SimulatedOperator = {
  kind: JOB,
  desiredPods: () => [],
  status: (r, _pods, now) => {
    const created = Date.parse(r.metadata?.creationTimestamp ?? '') || now;
    return now - created >= 5000 ? { state: 'done' } : { state: 'running' };
  },
};

export const task = (action: string, custom: Custom): TaskExecution => ({
  task: { id: { name: action }, type: 'toy', metadata: { retries: 0 }, custom: { ...custom } },
  execution: { id: { run: 'r1', action }, namespace: NAMESPACE },
});
