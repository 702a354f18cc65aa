// The ray plugin's buildResource: payload decoding, the RayJob's groups, start params, TTL, submitter (CRD: test/crds).
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import { decodePlatformConfigWith } from '../../../src/domain/plugin-config.js';
import { generatedName } from '../../../src/domain/task.js';
import { buildResource } from '../../../src/plugins/ray/build.js';
import { raySection } from '../../../src/plugins/ray/config.js';
import { rayPlugin } from '../../../src/plugins/ray/plugin.js';
import { arbBuildContext, arbRayTaskExecution } from '../../../src/testing/index.js';
import { rayBuilds, submissionModeContext, submissionModes, ttlCases, ttlContext } from './cases.js';
import { buildRay, buildRayFails, ctxOf, rayConfig, rayCustom, rayTask } from './fixtures.js';
import type { Json } from './fixtures.js';

const headOf = (job: Json): Json => job.spec.rayClusterSpec.headGroupSpec as Json;
const headContainer = (job: Json): Json => headOf(job).template.spec.containers[0] as Json;
const workerGroup = (job: Json, i = 0): Json => job.spec.rayClusterSpec.workerGroupSpecs[i] as Json;
const workerContainer = (job: Json, i = 0): Json => workerGroup(job, i).template.spec.containers[0] as Json;
const envOf = (c: Json): Record<string, unknown> =>
  Object.fromEntries((c.env as Json[]).map((e) => [e.name as string, (e.value ?? e.valueFrom) as unknown]));

describe('the RayJob', () => {
  const job = buildRay(rayBuilds['the default job']);

  it('runs the task command line as the entrypoint, in the head image for the submitter', () => {
    expect(job.spec.entrypoint).toBe('pyflyte-execute --inputs s3://b/in --output-prefix s3://b/out');
    expect(job.spec.submissionMode).toBe('K8sJobMode');
    const submitter = job.spec.submitterPodTemplate.spec.containers[0];
    expect(submitter.name).toBe('ray-job-submitter');
    expect(submitter.image).toBe('rayproject/ray:2.40.0');
    expect(submitter.resources).toEqual({
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '500m', memory: '200Mi' },
    });
    expect(job.spec.submitterPodTemplate.spec.restartPolicy).toBe('Never');
  });

  it('names the head container ray-head, drops its args and adds the Ray env and ports', () => {
    const c = headContainer(job);
    expect(c.name).toBe('ray-head');
    expect(c.args).toBeUndefined();
    expect(envOf(c)['RAY_COLOR_PREFIX']).toBe('0');
    expect(envOf(c)['MY_POD_IP']).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    expect((c.ports as Json[]).map((p) => [p.name as string, p.containerPort as number])).toEqual([
      ['redis', 6379],
      ['head', 10001],
      ['dashboard', 8265],
    ]);
    expect(c.resources).toEqual({
      requests: { cpu: '1', memory: '2Gi' },
      limits: { cpu: '2', memory: '4Gi' },
    });
  });

  it('points the worker MEMORY_* env at memory (Flyte pointed them at cpu) and stops ray before the pod goes', () => {
    const c = workerContainer(job);
    expect(c.name).toBe('ray-worker');
    const env = envOf(c);
    expect(env['MEMORY_REQUESTS']).toEqual({
      resourceFieldRef: { containerName: 'ray-worker', resource: 'requests.memory' },
    });
    expect(env['MEMORY_LIMITS']).toEqual({
      resourceFieldRef: { containerName: 'ray-worker', resource: 'limits.memory' },
    });
    expect(env['CPU_REQUEST']).toEqual({
      resourceFieldRef: { containerName: 'ray-worker', resource: 'requests.cpu' },
    });
    expect(env['TYPE']).toBe('worker');
    expect(c.lifecycle.preStop.exec.command).toEqual(['/bin/sh', '-c', 'ray stop']);
  });

  it('puts the managed label, the execution labels and the primary container annotation on every pod template', () => {
    for (const [tpl, primary] of [
      [headOf(job).template, 'ray-head'],
      [workerGroup(job).template, 'ray-worker'],
    ] as const) {
      expect(tpl.metadata.labels[MANAGED_LABEL]).toBe('true');
      expect(tpl.metadata.labels['team']).toBe('ml');
      expect(tpl.metadata.annotations['primary_container_name']).toBe(primary);
    }
    expect(job.spec.submitterPodTemplate.metadata.labels[MANAGED_LABEL]).toBe('true');
  });

  it('clamps minReplicas and maxReplicas around replicas', () => {
    const j = buildRay(rayBuilds['min and max replicas clamped around replicas']);
    expect(workerGroup(j)).toMatchObject({ replicas: 3, minReplicas: 3, maxReplicas: 3 });
  });

  it('quotes entrypoint words for the shell and keeps the command before the args', () => {
    const te = rayTask(rayCustom(), {
      container: { image: 'ray:1', command: ['python', '-c'], args: ["print('hi there')"] },
    });
    expect(buildRay(ctxOf(te)).spec.entrypoint).toBe(`python -c 'print('\\''hi there'\\'')'`);
  });

  it('serves the head with the configured service type and always an ingress (as Flyte)', () => {
    expect(headOf(job).serviceType).toBe('NodePort');
    expect(headOf(job).enableIngress).toBe(true);
    const j = buildRay(ctxOf(rayTask(), rayConfig({ plugins: { ray: { serviceType: 'ClusterIP' } } })));
    expect(headOf(j).serviceType).toBe('ClusterIP');
  });
});

describe('start parameters', () => {
  it('adds the config defaults only where the task says nothing', () => {
    const job = buildRay(ctxOf(rayTask()));
    expect(headOf(job).rayStartParams).toEqual({
      'num-cpus': '1',
      'include-dashboard': 'true',
      'node-ip-address': '$MY_POD_IP',
      'dashboard-host': '0.0.0.0',
      'disable-usage-stats': 'true',
    });
    expect(workerGroup(job).rayStartParams).toEqual({
      'disable-usage-stats': 'true',
      'node-ip-address': '$MY_POD_IP',
    });
  });

  it('keeps the task value of a default key', () => {
    const te = rayTask({
      rayCluster: {
        headGroupSpec: { rayStartParams: { 'include-dashboard': 'false', 'disable-usage-stats': 'false' } },
      },
    });
    const params = headOf(buildRay(ctxOf(te))).rayStartParams;
    expect(params['include-dashboard']).toBe('false');
    expect(params['disable-usage-stats']).toBe('false');
  });

  it('leaves usage stats alone when the platform enables them', () => {
    const job = buildRay(ctxOf(rayTask(), rayConfig({ plugins: { ray: { enableUsageStats: true } } })));
    expect(headOf(job).rayStartParams['disable-usage-stats']).toBeUndefined();
  });

  it('copies the configured defaults: one task never changes what the next one gets (Flyte #7860)', () => {
    const config = rayConfig({
      plugins: { ray: { defaults: { headNode: { startParameters: { 'num-cpus': '0' } } } } },
    });
    const before = JSON.stringify(config);
    const a = buildRay(ctxOf(rayTask({ rayCluster: {} }), config));
    headOf(a).rayStartParams['leak'] = 'x';
    const b = buildRay(ctxOf(rayTask({ rayCluster: {} }), config));
    expect(JSON.stringify(config)).toBe(before);
    expect(headOf(b).rayStartParams['leak']).toBeUndefined();
    expect(headOf(b).rayStartParams['num-cpus']).toBe('0');
  });
});

describe('shutdown and TTL (Flyte bug 10 fixed)', () => {
  it.each(ttlCases)('payload $payload, config $config → shutdown $shutdown, ttl $ttl', (c) => {
    const job = buildRay(ttlContext(c));
    expect(job.spec.shutdownAfterJobFinishes).toBe(c.shutdown);
    expect(job.spec.ttlSecondsAfterFinished).toBe(c.ttl);
  });

  it('refuses a negative TTL', () => {
    const e = buildRayFails(ctxOf(rayTask(rayCustom({ ttlSecondsAfterFinished: -1 }))));
    expect(e.path).toEqual(['task', 'custom', 'ttlSecondsAfterFinished']);
  });
});

describe('payload decoding', () => {
  it('refuses a payload without rayCluster as a bad task specification (Flyte panicked)', () => {
    for (const custom of [null, {}, { runtimeEnvYaml: 'pip: []' }]) {
      const e = buildRayFails(ctxOf(rayTask(custom)));
      expect(e.code).toBe('BadTaskSpecification');
      expect(e.path).toEqual(['task', 'custom', 'rayCluster']);
    }
  });

  it('reads proto field names and lowerCamel names alike', () => {
    const camel = buildRay(
      ctxOf(
        rayTask({
          rayCluster: {
            headGroupSpec: { rayStartParams: { a: 'b' } },
            workerGroupSpec: [{ groupName: 'w', replicas: 1 }],
            enableAutoscaling: true,
          },
          shutdownAfterJobFinishes: false,
        }),
      ),
    );
    const snake = buildRay(
      ctxOf(
        rayTask({
          ray_cluster: {
            head_group_spec: { ray_start_params: { a: 'b' } },
            worker_group_spec: [{ group_name: 'w', replicas: '1' }],
            enable_autoscaling: true,
          },
          shutdown_after_job_finishes: false,
        }),
      ),
    );
    expect(snake).toEqual(camel);
  });

  it('names the offending field of the task file', () => {
    const unknown = buildRayFails(ctxOf(rayTask({ rayCluster: { headGroupSpec: { rayStartParam: {} } } })));
    expect(unknown.path).toEqual(['task', 'custom', 'rayCluster', 'headGroupSpec', 'rayStartParam']);
    expect(unknown.message).toContain('did you mean "rayStartParams"');
    const wrong = buildRayFails(
      ctxOf(rayTask({ rayCluster: { workerGroupSpec: [{ groupName: 'w', replicas: 'many' }] } })),
    );
    expect(wrong.path).toEqual(['task', 'custom', 'rayCluster', 'workerGroupSpec', 0, 'replicas']);
    const both = buildRayFails(
      ctxOf(rayTask({ rayCluster: {}, runtime_env_yaml: 'a', runtimeEnvYaml: 'b' })),
    );
    expect(both.message).toContain('only one of');
  });

  it('refuses worker groups without a name, with a name twice, or with negative replicas', () => {
    const at = (i: number, k: string) => ['task', 'custom', 'rayCluster', 'workerGroupSpec', i, k];
    expect(
      buildRayFails(ctxOf(rayTask({ rayCluster: { workerGroupSpec: [{ replicas: 1 }] } }))).path,
    ).toEqual(at(0, 'groupName'));
    expect(
      buildRayFails(ctxOf(rayTask({ rayCluster: { workerGroupSpec: [{ groupName: 'Bad_Name' }] } }))).path,
    ).toEqual(at(0, 'groupName'));
    expect(
      buildRayFails(
        ctxOf(rayTask({ rayCluster: { workerGroupSpec: [{ groupName: 'w' }, { groupName: 'w' }] } })),
      ).path,
    ).toEqual(at(1, 'groupName'));
    expect(
      buildRayFails(ctxOf(rayTask({ rayCluster: { workerGroupSpec: [{ groupName: 'w', replicas: -1 }] } })))
        .path,
    ).toEqual(at(0, 'replicas'));
  });

  it('takes runtimeEnvYaml, else the deprecated base64 JSON runtimeEnv (as JSON, which YAML reads)', () => {
    const yaml = buildRay(
      ctxOf(rayTask(rayCustom({ runtimeEnvYaml: 'pip: [numpy]', runtimeEnv: 'ignored' }))),
    );
    expect(yaml.spec.runtimeEnvYAML).toBe('pip: [numpy]');
    const b64 = btoa(JSON.stringify({ pip: ['numpy'], env_vars: { A: 'é' } }).replace(/é/g, '\u00c3\u00a9'));
    const legacy = buildRay(ctxOf(rayTask(rayCustom({ runtimeEnv: b64 }))));
    expect(JSON.parse(legacy.spec.runtimeEnvYAML as string)).toEqual({
      pip: ['numpy'],
      env_vars: { A: 'é' },
    });
    const bad = buildRayFails(ctxOf(rayTask(rayCustom({ runtimeEnv: '%%%' }))));
    expect(bad.path).toEqual(['task', 'custom', 'runtimeEnv']);
    const notObject = buildRayFails(ctxOf(rayTask(rayCustom({ runtimeEnv: btoa('[1]') }))));
    expect(notObject.code).toBe('BadTaskSpecification');
  });

  it('maps the autoscaler options', () => {
    const job = buildRay(rayBuilds['the autoscaler options']);
    expect(job.spec.rayClusterSpec.enableInTreeAutoscaling).toBe(true);
    expect(job.spec.rayClusterSpec.autoscalerOptions).toEqual({
      upscalingMode: 'Conservative',
      image: 'ray:autoscaler',
      resources: { limits: { cpu: '1', memory: '1Gi' } },
      env: [{ name: 'A', value: '1' }],
    });
    const byNumber = buildRay(
      ctxOf(rayTask({ rayCluster: { autoscalerOptions: { upscaling_mode: 2, idle_timeout_seconds: 30 } } })),
    );
    expect(byNumber.spec.rayClusterSpec.autoscalerOptions).toEqual({
      upscalingMode: 'Aggressive',
      idleTimeoutSeconds: 30,
      env: [],
    });
  });
});

describe('group pod specs', () => {
  it('lays the group k8sPod over the renamed container and adds its metadata', () => {
    const job = buildRay(rayBuilds['a group k8sPod laid over the renamed container']);
    const tpl = headOf(job).template;
    expect(tpl.spec.containers).toHaveLength(1);
    expect(tpl.spec.containers[0].resources.limits).toEqual({ cpu: '4', memory: '8Gi' });
    expect(tpl.spec.nodeSelector).toMatchObject({ pool: 'head' });
    expect(tpl.metadata.labels['tier']).toBe('head');
    expect(tpl.metadata.annotations['note']).toBe('x');
  });

  it('refuses a group pod spec the API would refuse, naming it', () => {
    const e = buildRayFails(
      ctxOf(rayTask({ rayCluster: { headGroupSpec: { k8sPod: { podSpec: { containers: 'nope' } } } } })),
    );
    expect(e.path?.slice(0, 6)).toEqual([
      'task',
      'custom',
      'rayCluster',
      'headGroupSpec',
      'k8sPod',
      'podSpec',
    ]);
  });

  it('gives every group the task service account, else the configured one', () => {
    const job = buildRay(ctxOf(rayTask()));
    expect(headOf(job).template.spec.serviceAccountName).toBe('default');
    const own = buildRay(ctxOf(rayTask(rayCustom(), {}, { serviceAccount: 'ray-sa' })));
    expect(headOf(own).template.spec.serviceAccountName).toBe('ray-sa');
    expect(workerGroup(own).template.spec.serviceAccountName).toBe('ray-sa');
  });

  it('adds the logs sidecar to the head with /tmp/ray shared read-only', () => {
    const job = buildRay(rayBuilds['the logs sidecar on the head']);
    const spec = headOf(job).template.spec;
    expect((spec.containers as Json[]).map((c) => c.name as string)).toEqual(['ray-head', 'fluentbit']);
    expect(spec.volumes).toEqual([{ name: 'system-ray-state', emptyDir: {} }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'system-ray-state', mountPath: '/tmp/ray' }]);
    expect(spec.containers[1].volumeMounts).toEqual([
      { name: 'system-ray-state', mountPath: '/tmp/ray', readOnly: true },
    ]);
    expect(workerGroup(job).template.spec.containers).toHaveLength(1);
  });

  it('gives a group its own accelerator when it declares extended resources', () => {
    const job = buildRay(rayBuilds['a group with its own accelerator']);
    const spec = workerGroup(job).template.spec;
    expect(JSON.stringify(spec.affinity ?? spec.nodeSelector)).toContain('nvidia-tesla-t4');
    expect(JSON.stringify(headOf(job).template.spec)).not.toContain('nvidia-tesla-t4');
  });
});

describe('submission modes', () => {
  it('adds a submitter pod only in K8sJobMode ("" being K8sJobMode)', () => {
    for (const [mode, expected] of submissionModes) {
      const job = buildRay(submissionModeContext(mode));
      expect(job.spec.submissionMode).toBe(expected);
      expect(job.spec.submitterPodTemplate !== undefined).toBe(expected === 'K8sJobMode');
    }
  });

  it('refuses other modes when the platform config is read, not task by task', () => {
    const r = decodePlatformConfigWith([raySection])({
      plugins: { ray: { submissionMode: 'InteractiveMode' } },
    });
    expect(E.isLeft(r)).toBe(true);
  });
});

describe('laws over generated ray tasks', () => {
  const arbCtx = arbBuildContext.chain((ctx) =>
    arbRayTaskExecution(fc.constant(ctx.task)).map((task) => ({ ...ctx, task })),
  );

  test.prop([arbCtx], { numRuns: 40 })('buildResource is deterministic and never throws', (ctx) => {
    expect(buildResource(ctx)).toEqual(buildResource(ctx));
  });

  test.prop([arbCtx], { numRuns: 40 })(
    'pod templates carry the managed label; names fit in 47 characters',
    (ctx) => {
      const r = buildResource(ctx);
      if (E.isLeft(r)) return;
      const job = r.right as Json;
      expect(headOf(job).template.metadata.labels[MANAGED_LABEL]).toBe('true');
      for (const g of job.spec.rayClusterSpec.workerGroupSpecs ?? [])
        expect(g.template.metadata.labels[MANAGED_LABEL]).toBe('true');
      expect(generatedName(ctx.task, rayPlugin.properties.generatedNameMaxLength).length).toBeLessThanOrEqual(
        47,
      );
    },
  );

  test.prop([fc.anything()])(
    'any payload gets a manifest or a BadTaskSpecification, never a throw',
    (custom) => {
      const r = buildResource(ctxOf(rayTask(custom as never)));
      if (E.isLeft(r)) expect(r.left.code).toBe('BadTaskSpecification');
    },
  );
});

describe('the generated tasks', () => {
  it('mostly build (so the laws above are not vacuous)', () => {
    const arbCtx = arbBuildContext.chain((ctx) =>
      arbRayTaskExecution(fc.constant(ctx.task)).map((task) => ({ ...ctx, task })),
    );
    const built = fc.sample(arbCtx, { numRuns: 40, seed: 7 }).filter((ctx) => E.isRight(buildResource(ctx)));
    expect(built.length).toBeGreaterThan(20);
  });
});
