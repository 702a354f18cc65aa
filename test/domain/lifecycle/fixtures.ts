// A toy plugin and helpers for driving the lifecycle machine in tests.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import type { Command, Observation } from '../../../src/domain/lifecycle/protocol.js';
import { initial, type TaskState } from '../../../src/domain/lifecycle/state.js';
import { step, type StepContext } from '../../../src/domain/lifecycle/step.js';
import * as PI from '../../../src/domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import { badTaskSpecification, defaultPluginProperties, type Plugin } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';

export const T0 = 1_767_225_600_000;

/**
 * A plugin over a toy resource whose `status.state` says what happened: Pending, Running, Succeeded,
 * Failed (user, retryable), Broken (system, retryable), Fatal (permanent, with cleanup).
 */
export const toyPlugin: Plugin = {
  id: 'toy',
  taskTypes: ['toy'],
  watches: { apiVersion: 'example.com/v1', kind: 'Toy' },
  properties: defaultPluginProperties,
  buildIdentityResource: () => E.right({ apiVersion: 'example.com/v1', kind: 'Toy' }),
  buildResource: (ctx) =>
    ctx.task.task.custom?.['invalid'] === true
      ? E.left(badTaskSpecification('the toy is invalid', ['task', 'custom', 'invalid']))
      : E.right({
          apiVersion: 'example.com/v1',
          kind: 'Toy',
          spec: { attempt: ctx.task.execution.attempt ?? 0 },
        }),
  getTaskPhase: (ctx, resource) => {
    const state = (resource as { status?: { state?: unknown } } | null)?.status?.state;
    switch (state) {
      case 'Pending':
        return PI.queued(ctx.now, 0, 'pending');
      case 'Running':
        return PI.running(0);
      case 'Succeeded':
        return PI.success();
      case 'Failed':
        return PI.retryableFailure('Error', 'exit 1');
      case 'Broken':
        return PI.systemRetryableFailure('Interrupted', 'node went away');
      case 'Fatal':
        return PI.failureWithCleanup('ImagePullBackOff', 'no such image');
      default:
        return PI.undefinedPhase;
    }
  },
  isTerminal: () => false,
  completionTime: () => O.none,
};

export const task = (retries = 2, custom?: Record<string, unknown>): TaskExecution => ({
  task: {
    id: { name: 'toy' },
    type: 'toy',
    metadata: { retries },
    ...(custom === undefined ? {} : { custom }),
  },
  execution: { id: { run: 'r1', action: 'train' }, namespace: 'ns' },
});

export const config = (patch: { finalizer?: boolean; maxSystemFailures?: number } = {}): PlatformConfig => ({
  ...defaultPlatformConfig,
  plugins: {
    ...defaultPlatformConfig.plugins,
    k8s: { ...defaultPlatformConfig.plugins.k8s, 'inject-finalizer': patch.finalizer ?? true },
  },
  executor: { ...defaultPlatformConfig.executor, 'max-system-failures': patch.maxSystemFailures ?? 3 },
});

export const ctxAt = (
  now: number,
  t: TaskExecution = task(),
  cfg: PlatformConfig = config(),
): StepContext => ({
  now,
  entropy: 0.5,
  config: cfg,
  plugin: toyPlugin,
  task: t,
});

export const toy = (name: string, state: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Toy',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, finalizers: ['kubetasks.dev/resource'], ...extra },
  status: { state },
});

/** Runs observations in order from a fresh state, collecting every command. */
export const run = (
  observations: ReadonlyArray<Observation>,
  ctx: StepContext = ctxAt(T0),
  from: TaskState = initial('t1', 'toy'),
): { readonly state: TaskState; readonly commands: ReadonlyArray<Command> } => {
  let state = from;
  const commands: Command[] = [];
  for (const o of observations) {
    const r = step(state, o, ctx);
    state = r.state;
    commands.push(...r.commands);
  }
  return { state, commands };
};

export const emissions = (commands: ReadonlyArray<Command>) =>
  commands.flatMap((c) => (c._tag === 'Emit' ? [c.emission] : []));

export const ofTag = <K extends Command['_tag']>(commands: ReadonlyArray<Command>, tag: K) =>
  commands.filter((c): c is Extract<Command, { _tag: K }> => c._tag === tag);
