// Small builders for pod-construction tests: a task execution, a platform config and a build that must succeed.
import * as E from 'fp-ts/lib/Either.js';
import type { Container, Pod } from '../../../../src/domain/kubernetes.js';
import {
  defaultPlatformConfig,
  type K8sPluginConfig,
  type PlatformConfig,
} from '../../../../src/domain/platform-config.js';
import type { BuildContext, BuildError } from '../../../../src/domain/plugin.js';
import type { PodTemplate, TaskExecution } from '../../../../src/domain/task.js';
import { buildPodResource } from '../../../../src/plugins/pod/build/index.js';

type DeepPartialTask = Partial<Omit<TaskExecution['task'], 'id'>> & { id?: TaskExecution['task']['id'] };

/** A container task `train` of run r1, action a, in namespace ns, with the given task and execution fields. */
export const task = (
  t: DeepPartialTask = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type: 'container',
    ...(t.podTemplate === undefined && t.custom === undefined ? { container: { image: 'img:1' } } : {}),
    ...t,
  },
  execution: {
    id: { run: 'r1', action: 'a', project: 'p', domain: 'd' },
    namespace: 'ns',
    io: { inputPrefix: 's3://b/in', outputPrefix: 's3://b/out' },
    ...execution,
  },
});

export const config = (
  k8s: Partial<K8sPluginConfig> = {},
  rest: Partial<PlatformConfig> = {},
): PlatformConfig => ({
  ...defaultPlatformConfig,
  ...rest,
  plugins: { ...defaultPlatformConfig.plugins, k8s: { ...defaultPlatformConfig.plugins.k8s, ...k8s } },
});

export const ctxOf = (
  te: TaskExecution,
  cfg: PlatformConfig = config(),
  templates: Readonly<Record<string, PodTemplate>> = {},
): BuildContext => ({
  task: te,
  config: cfg,
  podTemplates: new Map([['', new Map(Object.entries(templates))]]),
  processEnv: { HOME: '/home/kt' },
});

export const build = (ctx: BuildContext): Pod => {
  const r = buildPodResource(ctx);
  if (E.isLeft(r)) throw new Error(`expected a pod, got ${JSON.stringify(r.left)}`);
  return r.right;
};

export const buildFails = (ctx: BuildContext): BuildError => {
  const r = buildPodResource(ctx);
  if (E.isRight(r)) throw new Error(`expected a BuildError, got a pod: ${JSON.stringify(r.right)}`);
  return r.left;
};

/** The primary container of a built pod: the one named by the annotation, else the first. */
export const primaryOf = (pod: Pod): Container => {
  const name = pod.metadata?.annotations?.['primary_container_name'];
  const cs = pod.spec?.containers ?? [];
  const c = cs.find((x) => x.name === name) ?? cs[0];
  if (c === undefined) throw new Error('no containers');
  return c;
};

export const containerNamed = (pod: Pod, name: string): Container => {
  const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (x) => x.name === name,
  );
  if (c === undefined) throw new Error(`no container ${name}`);
  return c;
};

export const envOf = (c: Container): Record<string, string | undefined> =>
  Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

/** The generated container name of the fixture task at attempt 0. */
export const MAIN = 'r1-a-0';
