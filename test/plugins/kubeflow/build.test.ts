// buildResource of the three Kubeflow plugins: replica specs, payload versions, overrides, run policy, validation.
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import { mpiPlugin } from '../../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../../src/plugins/kubeflow/tensorflow.js';
import { buildCase, kubeflowBuilds } from './cases.js';
import { buildFails, built, ctxOf, kfTask, replica, specOf, templateOf } from './fixtures.js';

const PT = 'pytorchReplicaSpecs';
const TF = 'tfReplicaSpecs';
const MPI = 'mpiReplicaSpecs';

describe('pytorch, version 0 (flat payload)', () => {
  const job = buildCase(kubeflowBuilds['pytorch version 0']);

  it('builds a PyTorchJob with one Master and `workers` Workers, restartPolicy Never, no run policy fields', () => {
    expect(job.apiVersion).toBe('kubeflow.org/v1');
    expect(job.kind).toBe('PyTorchJob');
    expect(replica(job, PT, 'Master')['replicas']).toBe(1);
    expect(replica(job, PT, 'Worker')['replicas']).toBe(3);
    expect(replica(job, PT, 'Worker')['restartPolicy']).toBe('Never');
    expect(specOf(job)['runPolicy']).toEqual({});
    expect(specOf(job)['elasticPolicy']).toBeUndefined();
  });

  it("renames the task's container to `pytorch` and keeps its image, command, args and resources", () => {
    const t = templateOf(replica(job, PT, 'Worker'));
    expect(t.containers.map((c) => c['name'])).toEqual(['pytorch']);
    const c = t.containers[0] ?? {};
    expect(c['image']).toBe('ghcr.io/example/trainer:v1');
    expect(c['command']).toEqual(['python', '-m', 'train']);
    expect(c['args']).toEqual(['--epochs', '3']);
    expect(c['resources']).toEqual({
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  it('applies the pod plugin construction: env, enableServiceLinks false; the template has no restartPolicy', () => {
    const t = templateOf(replica(job, PT, 'Master'));
    const env = (t.containers[0]?.['env'] ?? []) as Array<{ name: string }>;
    expect(env.map((e) => e.name)).toContain('FLYTE_INTERNAL_TASK_NAME');
    expect(t.spec['enableServiceLinks']).toBe(false);
    expect(t.spec['restartPolicy']).toBeUndefined();
  });

  it("puts the task's pod metadata on every template: managed label, execution labels and annotations", () => {
    for (const role of ['Master', 'Worker']) {
      const t = templateOf(replica(job, PT, role));
      expect(t.labels[MANAGED_LABEL]).toBe('true');
      expect(t.labels['team']).toBe('vision');
      expect(t.annotations['example.com/owner']).toBe('ana');
      expect(t.annotations['kubectl.kubernetes.io/default-container']).toBe('pytorch');
    }
  });

  it('elastic: no Master, an elasticPolicy (empty backend and zero nproc left to the operator)', () => {
    const j = built(
      pytorchPlugin,
      ctxOf(
        kfTask('pytorch', {
          workers: 2,
          elastic_config: { min_replicas: 1, max_replicas: 4, max_restarts: 3 },
        }),
      ),
    );
    const specs = specOf(j)[PT] as Record<string, unknown>;
    expect(Object.keys(specs)).toEqual(['Worker']);
    expect(specOf(j)['elasticPolicy']).toEqual({ minReplicas: 1, maxReplicas: 4, maxRestarts: 3 });
    const full = buildCase(kubeflowBuilds['pytorch elastic with every elastic field']);
    expect(specOf(full)['elasticPolicy']).toEqual({
      minReplicas: 2,
      maxReplicas: 2,
      rdzvBackend: 'c10d',
      nProcPerNode: 4,
      maxRestarts: 0,
    });
  });

  it.each([
    [{ workers: 0 }, ['task', 'custom', 'workers']],
    [{ workers: -2 }, ['task', 'custom', 'workers']],
    [{}, ['task', 'custom', 'workers']],
    [undefined, ['task', 'custom', 'workers']],
  ])('refuses %j: number of workers must be greater than 0, a BadTaskSpecification', (custom, path) => {
    const e = buildFails(pytorchPlugin, ctxOf(kfTask('pytorch', custom)));
    expect(e.code).toBe('BadTaskSpecification');
    expect(e.message).toBe('number of workers must be greater than 0');
    expect(e.path).toEqual(path);
  });

  it('accepts int32 as decimal strings (protobuf-JSON) and refuses unknown fields with a suggestion', () => {
    expect(
      replica(built(pytorchPlugin, ctxOf(kfTask('pytorch', { workers: '2' }))), PT, 'Worker')['replicas'],
    ).toBe(2);
    const e = buildFails(pytorchPlugin, ctxOf(kfTask('pytorch', { workres: 2 })));
    expect(e.path).toEqual(['task', 'custom', 'workres']);
    expect(e.message).toContain('did you mean "workers"');
  });

  it('refuses both spellings of one field', () => {
    const e = buildFails(
      pytorchPlugin,
      ctxOf(kfTask('pytorch', { workers: 2, elastic_config: {}, elasticConfig: {} })),
    );
    expect(e.code).toBe('BadTaskSpecification');
    expect(e.path).toEqual(['task', 'custom', 'elastic_config']);
  });

  it('refuses task type versions other than 0 and 1', () => {
    const e = buildFails(pytorchPlugin, ctxOf(kfTask('pytorch', { workers: 2 }, 2)));
    expect(e.code).toBe('BadTaskSpecification');
    expect(e.path).toEqual(['task', 'typeVersion']);
    expect(e.message).toContain('unsupported task template version [2]');
  });
});

describe('pytorch, version 1 (replica groups)', () => {
  const job = buildCase(kubeflowBuilds['pytorch version 1 (replica groups, run policy)']);

  it('forces one master whatever the group says; workers from common.replicas', () => {
    expect(replica(job, PT, 'Master')['replicas']).toBe(1);
    expect(replica(job, PT, 'Worker')['replicas']).toBe(4);
  });

  it('applies each group image, restart policy (enum name or number) and resources', () => {
    const w = templateOf(replica(job, PT, 'Worker')).containers[0] ?? {};
    const m = templateOf(replica(job, PT, 'Master')).containers[0] ?? {};
    expect(w['image']).toBe('ghcr.io/example/worker:v2');
    expect(m['image']).toBe('ghcr.io/example/master:v2');
    expect(replica(job, PT, 'Worker')['restartPolicy']).toBe('OnFailure');
    expect(replica(job, PT, 'Master')['restartPolicy']).toBe('Always');
    expect(w['resources']).toEqual({
      requests: { cpu: '2', memory: '1Gi', 'nvidia.com/gpu': '1' },
      limits: { cpu: '2', memory: '1Gi', 'nvidia.com/gpu': '1' },
    });
    expect(m['resources']).toEqual({
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  it('writes the run policy: cleanPodPolicy always, numbers only when non-zero', () => {
    expect(specOf(job)['runPolicy']).toEqual({
      cleanPodPolicy: 'All',
      backoffLimit: 3,
      ttlSecondsAfterFinished: 600,
    });
    const j = built(
      pytorchPlugin,
      ctxOf(kfTask('pytorch', { workerReplicas: { replicas: 1 }, runPolicy: {} }, 1)),
    );
    expect(specOf(j)['runPolicy']).toEqual({ cleanPodPolicy: 'None' });
  });

  it('refuses a negative run policy number at its path', () => {
    const e = buildFails(
      pytorchPlugin,
      ctxOf(kfTask('pytorch', { workerReplicas: { replicas: 1 }, run_policy: { backoff_limit: -1 } }, 1)),
    );
    expect(e.code).toBe('BadTaskSpecification');
    expect(e.path).toEqual(['task', 'custom', 'run_policy', 'backoff_limit']);
  });

  it('names the replica count field in errors, as written', () => {
    const e = buildFails(
      pytorchPlugin,
      ctxOf(kfTask('pytorch', { worker_replicas: { common: { replicas: 0 } } }, 1)),
    );
    expect(e.path).toEqual(['task', 'custom', 'worker_replicas', 'common', 'replicas']);
    const bad = buildFails(
      pytorchPlugin,
      ctxOf(
        kfTask(
          'pytorch',
          { workerReplicas: { replicas: 1, resources: { requests: [{ name: 'CPU', value: 'lots' }] } } },
          1,
        ),
      ),
    );
    expect(bad.code).toBe('BadTaskSpecification');
    expect(bad.path?.slice(0, 6)).toEqual(['task', 'custom', 'workerReplicas', 'resources', 'requests', 0]);
  });

  it('accepts resources as a Kubernetes resource list too', () => {
    const j = built(
      pytorchPlugin,
      ctxOf(
        kfTask('pytorch', { workerReplicas: { replicas: 1, resources: { limits: { memory: '8Gi' } } } }, 1),
      ),
    );
    const w = templateOf(replica(j, PT, 'Worker')).containers[0] ?? {};
    expect((w['resources'] as { limits: Record<string, string> }).limits['memory']).toBe('8Gi');
  });

  it('refuses a request above the limit in a group, naming the group field', () => {
    const e = buildFails(
      pytorchPlugin,
      ctxOf(
        kfTask(
          'pytorch',
          {
            workerReplicas: {
              common: { replicas: 1, resources: { requests: { cpu: '4' }, limits: { cpu: '2' } } },
            },
          },
          1,
        ),
      ),
    );
    expect(e.path).toEqual(['task', 'custom', 'workerReplicas', 'common', 'resources', 'requests', 'cpu']);
  });
});

describe('tensorflow', () => {
  it('version 0: a replica spec per role with a count above 0; Worker is required', () => {
    const job = buildCase(kubeflowBuilds['tensorflow version 0']);
    expect(Object.keys(specOf(job)[TF] as object)).toEqual(['Chief', 'Worker', 'PS']);
    expect(replica(job, TF, 'PS')['replicas']).toBe(1);
    expect(templateOf(replica(job, TF, 'Chief')).containers[0]?.['name']).toBe('tensorflow');
    const e = buildFails(tensorflowPlugin, ctxOf(kfTask('tensorflow', { psReplicas: 1 })));
    expect(e.path).toEqual(['task', 'custom', 'workers']);
  });

  it('version 1: groups, the chief keeps its count, evaluator, run policy', () => {
    const job = buildCase(kubeflowBuilds['tensorflow version 1 (groups, evaluator, run policy)']);
    expect(Object.keys(specOf(job)[TF] as object)).toEqual(['Chief', 'Worker', 'Evaluator']);
    expect(replica(job, TF, 'Chief')['replicas']).toBe(2);
    expect(templateOf(replica(job, TF, 'Evaluator')).containers[0]?.['image']).toBe('eval:1');
    expect(specOf(job)['runPolicy']).toEqual({ cleanPodPolicy: 'Running' });
  });
});

describe('mpi', () => {
  it('version 0: one launcher running the task, workers running the image entrypoint, slots', () => {
    const job = buildCase(kubeflowBuilds['mpi version 0']);
    expect(replica(job, MPI, 'Launcher')['replicas']).toBe(1);
    expect(replica(job, MPI, 'Worker')['replicas']).toBe(2);
    expect(specOf(job)['slotsPerWorker']).toBe(4);
    const l = templateOf(replica(job, MPI, 'Launcher')).containers[0] ?? {};
    const w = templateOf(replica(job, MPI, 'Worker')).containers[0] ?? {};
    expect(l['name']).toBe('mpi');
    expect(l['command']).toEqual(['python', '-m', 'train']);
    expect(w['command']).toBeUndefined();
    expect(w['args']).toBeUndefined();
  });

  it('version 0: worker_spec_command becomes the workers args; slots 0 means 1', () => {
    const job = built(
      mpiPlugin,
      ctxOf(
        kfTask('mpi', { numWorkers: 1, slots: 0 }, 0, {
          config: { worker_spec_command: '/usr/sbin/sshd  -De' },
        }),
      ),
    );
    const w = templateOf(replica(job, MPI, 'Worker')).containers[0] ?? {};
    expect(w['command']).toBeUndefined();
    expect(w['args']).toEqual(['/usr/sbin/sshd', '-De']);
    expect(specOf(job)['slotsPerWorker']).toBe(1);
  });

  it('version 1: slots are honoured (Flyte kept 1), group commands replace args, the launcher count is 1', () => {
    const job = buildCase(kubeflowBuilds['mpi version 1 (slots, group commands)']);
    expect(specOf(job)['slotsPerWorker']).toBe(2);
    expect(replica(job, MPI, 'Launcher')['replicas']).toBe(1);
    const l = templateOf(replica(job, MPI, 'Launcher')).containers[0] ?? {};
    const w = templateOf(replica(job, MPI, 'Worker')).containers[0] ?? {};
    expect(l['command']).toEqual(['python', '-m', 'train']);
    expect(l['args']).toEqual(['mpirun', '-np', '6', 'python', 'train.py']);
    expect(w['args']).toEqual(['sleep', 'infinity']);
  });

  it('refuses no workers', () => {
    const e = buildFails(mpiPlugin, ctxOf(kfTask('mpi', { numLauncherReplicas: 1 })));
    expect(e.path).toEqual(['task', 'custom', 'numWorkers']);
    expect(e.code).toBe('BadTaskSpecification');
  });
});

describe('identity, determinism', () => {
  it.each([
    [pytorchPlugin, 'PyTorchJob'],
    [tensorflowPlugin, 'TFJob'],
    [mpiPlugin, 'MPIJob'],
  ] as const)('%s identity resource is an empty %s', (plugin, kind) => {
    const r = plugin.buildIdentityResource(ctxOf(kfTask(plugin.id, { workers: 1 })));
    expect(r).toEqual(E.right({ apiVersion: 'kubeflow.org/v1', kind, metadata: {} }));
    expect(plugin.customResource).toEqual({ plural: `${kind.toLowerCase()}s`, statusSubresource: true });
    expect(plugin.taskTypes).toEqual([plugin.id]);
  });

  it('builds the same manifest twice', () => {
    const ctx = ctxOf(kfTask('pytorch', { workers: 2 }));
    expect(built(pytorchPlugin, ctx)).toEqual(built(pytorchPlugin, ctx));
  });

  it("refuses a pod that already has a container named like the operator's", () => {
    const ctx = ctxOf(
      kfTask('pytorch', { workers: 1 }, 0, {
        podTemplate: {
          spec: { containers: [{ name: 'pytorch', image: 'side:1' }] },
          primaryContainerName: 'main',
        },
        container: { image: 'img:1' },
      }),
    );
    const e = buildFails(pytorchPlugin, ctx);
    expect(e.code).toBe('BadTaskSpecification');
    expect(e.message).toContain('"pytorch"');
  });
});
