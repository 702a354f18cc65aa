// Builders for the Kubeflow plugin tests: tasks with payloads, contexts, built jobs, jobs with statuses, role pods.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext, BuildError, Plugin } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';

/** A `type` task of run r1, action train, in namespace ml, with payload `custom` at `typeVersion`. */
export const kfTask = (
  type: string,
  custom: Readonly<Record<string, unknown>> | undefined,
  typeVersion?: number,
  extra: Partial<TaskExecution['task']> = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type,
    ...(typeVersion === undefined ? {} : { typeVersion }),
    container: {
      image: 'ghcr.io/example/trainer:v1',
      command: ['python', '-m', 'train'],
      args: ['--epochs', '3'],
      resources: { requests: { cpu: '1', memory: '1Gi' } },
    },
    ...(custom === undefined ? {} : { custom }),
    ...extra,
  },
  execution: {
    id: { run: 'r1', action: 'train', project: 'p', domain: 'd' },
    namespace: 'ml',
    labels: { team: 'vision' },
    annotations: { 'example.com/owner': 'ana' },
    ...execution,
  },
});

export const config = (rest: Partial<PlatformConfig> = {}): PlatformConfig => ({
  ...defaultPlatformConfig,
  ...rest,
});

export const ctxOf = (task: TaskExecution, cfg: PlatformConfig = config()): BuildContext => ({
  task,
  config: cfg,
});

export const built = (plugin: Plugin, ctx: BuildContext): KubeObject => {
  const r = plugin.buildResource(ctx);
  if (E.isLeft(r)) throw new Error(`expected a manifest, got ${JSON.stringify(r.left)}`);
  return r.right;
};

export const buildFails = (plugin: Plugin, ctx: BuildContext): BuildError => {
  const r = plugin.buildResource(ctx);
  if (E.isRight(r)) throw new Error(`expected a BuildError, got ${JSON.stringify(r.right)}`);
  return r.left;
};

type Json = Record<string, unknown>;

/** `spec.<key>.<role>` of a built job. */
export const replica = (job: KubeObject, key: string, role: string): Json => {
  const spec = (job as { spec?: Json }).spec ?? {};
  const specs = (spec[key] ?? {}) as Json;
  const r = specs[role];
  if (r === undefined) throw new Error(`no replica spec ${role} in ${JSON.stringify(Object.keys(specs))}`);
  return r as Json;
};

export const specOf = (job: KubeObject): Json => (job as { spec?: Json }).spec ?? {};

export interface TemplateView {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly containers: ReadonlyArray<Json>;
  readonly spec: Json;
}

export const templateOf = (r: Json): TemplateView => {
  const tpl = (r['template'] ?? {}) as Json;
  const meta = (tpl['metadata'] ?? {}) as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const spec = (tpl['spec'] ?? {}) as Json;
  return {
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    containers: (spec['containers'] ?? []) as ReadonlyArray<Json>,
    spec,
  };
};

// -------------------------------------------------------------------------------------
// statuses and pods
// -------------------------------------------------------------------------------------

export const T0 = Date.parse('2026-03-01T10:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface Cond {
  readonly type: string;
  readonly status?: string;
  readonly at?: number;
  readonly reason?: string;
  readonly message?: string;
}

export const condition = (c: Cond): Json => ({
  type: c.type,
  status: c.status ?? 'True',
  ...(c.reason === undefined ? {} : { reason: c.reason }),
  ...(c.message === undefined ? {} : { message: c.message }),
  ...(c.at === undefined ? {} : { lastTransitionTime: iso(c.at), lastUpdateTime: iso(c.at) }),
});

/** A job of `kind` named job-1 in ml with uid u-1, replica specs `replicas`, and `status`. */
export const job = (
  kind: string,
  key: string,
  replicas: Readonly<Record<string, number>>,
  status?: Json,
  created = T0,
): KubeObject => ({
  apiVersion: 'kubeflow.org/v1',
  kind,
  metadata: { name: 'job-1', namespace: 'ml', uid: 'u-1', creationTimestamp: iso(created) },
  spec: {
    [key]: Object.fromEntries(
      Object.entries(replicas).map(([r, n]) => [r, { replicas: n, template: { spec: { containers: [] } } }]),
    ),
  },
  ...(status === undefined ? {} : { status }),
});

export const withConditions = (conds: ReadonlyArray<Cond>, extra: Json = {}): Json => ({
  conditions: conds.map(condition),
  ...extra,
});

/** A pod of job-1 named `name` running container `container`, in `phase`, with container state `state`. */
export const rolePod = (
  name: string,
  container: string,
  phase: string,
  state: Json = {},
  extraStatus: Json = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ml',
    uid: `uid-${name}`,
    creationTimestamp: iso(T0),
    labels: { 'training.kubeflow.org/job-name': 'job-1' },
    ownerReferences: [
      { apiVersion: 'kubeflow.org/v1', kind: 'X', name: 'job-1', uid: 'u-1', controller: true },
    ],
  },
  spec: { containers: [{ name: container, image: 'img' }] },
  status: {
    phase,
    ...(Object.keys(state).length === 0
      ? {}
      : {
          containerStatuses: [
            { name: container, ready: false, restartCount: 0, image: 'img', imageID: '', state },
          ],
        }),
    ...extraStatus,
  },
});

export const terminated = (exitCode: number, reason: string, finishedAt: number): Json => ({
  terminated: { exitCode, reason, startedAt: iso(T0), finishedAt: iso(finishedAt) },
});
