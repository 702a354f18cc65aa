// Environment variables: execution identity, platform defaults and the task's own, unique and in a fixed order.
import type { EnvFromSource, EnvVar } from '../../../domain/kubernetes.js';
import type { BuildContext } from '../../../domain/plugin.js';
import { attemptOf, type TaskExecution } from '../../../domain/task.js';
import { dedupe, sortedEntries } from './json.js';

const literal = (name: string, value: string): EnvVar => ({ name, value });

/**
 * Variables that identify the execution, in Flyte's names and order (spec 3.4 and 2.2). They win over every other
 * source: a container always learns which run, action and attempt it belongs to.
 */
export const systemEnv = (te: TaskExecution): ReadonlyArray<EnvVar> => {
  const id = te.execution.id;
  const task = te.task.id;
  return [
    literal('FLYTE_INTERNAL_EXECUTION_ID', id.run),
    literal('FLYTE_INTERNAL_EXECUTION_PROJECT', id.project ?? ''),
    literal('FLYTE_INTERNAL_EXECUTION_DOMAIN', id.domain ?? ''),
    { name: '_F_PN', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    literal('FLYTE_ATTEMPT_NUMBER', String(attemptOf(te))),
    literal('FLYTE_INTERNAL_TASK_PROJECT', task.project ?? ''),
    literal('FLYTE_INTERNAL_TASK_DOMAIN', task.domain ?? ''),
    literal('FLYTE_INTERNAL_TASK_NAME', task.name),
    literal('FLYTE_INTERNAL_TASK_VERSION', task.version ?? ''),
    literal('FLYTE_INTERNAL_PROJECT', task.project ?? ''),
    literal('FLYTE_INTERNAL_DOMAIN', task.domain ?? ''),
    literal('FLYTE_INTERNAL_NAME', task.name),
    literal('FLYTE_INTERNAL_VERSION', task.version ?? ''),
    literal('ACTION_NAME', id.action),
    literal('RUN_NAME', id.run),
  ];
};

/**
 * The names `systemEnv` sets. Those variables win over every other source, so a task or platform variable of one
 * of these names never reaches the container: a check of user input can flag it.
 */
export const SYSTEM_ENV_NAMES: ReadonlySet<string> = new Set(
  systemEnv({
    task: { id: { name: 'x' }, type: 'container' },
    execution: { id: { run: 'r', action: 'a' }, namespace: 'n' },
  }).map((e) => e.name),
);

/** plugins.k8s default-env-vars, then default-env-vars-from-env (read from the snapshot of the process environment). */
export const platformEnv = (ctx: BuildContext): ReadonlyArray<EnvVar> => {
  const k8s = ctx.config.plugins.k8s;
  return [
    ...sortedEntries(k8s['default-env-vars']).map(([k, v]) => literal(k, v)),
    ...sortedEntries(k8s['default-env-vars-from-env']).map(([k, from]) =>
      literal(k, ctx.processEnv?.[from] ?? ''),
    ),
  ];
};

/** execution.environment, sorted by name. */
export const executionEnv = (te: TaskExecution): ReadonlyArray<EnvVar> =>
  sortedEntries(te.execution.environment).map(([k, v]) => literal(k, v));

/**
 * The container's final env. Each name appears once. Its value comes from the highest-precedence writer:
 * system > execution.environment > the container's own env (task, override, templates) > platform defaults,
 * and within one list the last entry of a name wins. Its position is where the name first appears in
 * system, platform, execution, container order — so a container's variables can refer, with $(NAME), to every
 * system, platform and execution variable. Idempotent.
 */
export const combineEnv = (
  system: ReadonlyArray<EnvVar>,
  platform: ReadonlyArray<EnvVar>,
  execution: ReadonlyArray<EnvVar>,
  container: ReadonlyArray<EnvVar>,
): ReadonlyArray<EnvVar> => {
  const winner = new Map<string, EnvVar>();
  for (const group of [platform, container, execution, system]) for (const e of group) winner.set(e.name, e);
  const order: string[] = [];
  const seen = new Set<string>();
  for (const group of [system, platform, execution, container]) {
    for (const e of group) {
      if (seen.has(e.name)) continue;
      seen.add(e.name);
      order.push(e.name);
    }
  }
  return order.flatMap((n) => {
    const e = winner.get(n);
    return e === undefined ? [] : [e];
  });
};

/**
 * envFrom: the platform's secrets, then its config maps (all optional), then the container's own sources, which so
 * win on conflicting keys (Kubernetes lets the last source win). Repeated identical sources are dropped.
 */
export const combineEnvFrom = (
  ctx: BuildContext,
  container: ReadonlyArray<EnvFromSource> | undefined,
): ReadonlyArray<EnvFromSource> => {
  const k8s = ctx.config.plugins.k8s;
  return dedupe([
    ...k8s['default-env-from-secrets'].map((name): EnvFromSource => ({
      secretRef: { name, optional: true },
    })),
    ...k8s['default-env-from-configmaps'].map((name): EnvFromSource => ({
      configMapRef: { name, optional: true },
    })),
    ...(container ?? []),
  ]);
};
