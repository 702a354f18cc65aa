// The precedence table of docs/pod-construction.md, row by row: which source wins when several set a value.
import { describe, expect, it } from 'vitest';
import type { Container, PodSpec } from '../../../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../../../src/domain/object-metadata.js';
import { defaultPluginProperties } from '../../../../src/domain/plugin.js';
import type { PodTemplate, TaskExecution } from '../../../../src/domain/task.js';
import { build, config, containerNamed, ctxOf, envOf, primaryOf, task } from './fixtures.js';

const tpl = (spec: Partial<PodSpec>, metadata?: PodTemplate['metadata']): PodTemplate => ({
  spec: spec,
  ...(metadata === undefined ? {} : { metadata }),
});

/** A pod task whose primary container is `main`, with an optional sidecar `side`. */
const podTask = (
  spec: Partial<PodSpec>,
  execution: Partial<TaskExecution['execution']> = {},
  extra: object = {},
) =>
  task(
    {
      type: 'sidecar',
      podTemplate: {
        primaryContainerName: 'main',
        spec: { containers: [{ name: 'main', image: 'task' }], ...spec },
      },
      ...extra,
    },
    execution,
  );

const override = (spec: Partial<PodSpec>): Partial<TaskExecution['execution']> => ({
  overrides: { podTemplate: { spec: spec } },
});

const base = (spec: Partial<PodSpec>, metadata?: PodTemplate['metadata']) => ({ base: tpl(spec, metadata) });
const withBase = (k8s: Parameters<typeof config>[0] = {}) =>
  config({ 'default-pod-template-name': 'base', ...k8s });
const deviceClass = (spec: Partial<PodSpec>) =>
  config({
    'default-pod-template-name': 'base',
    'accelerator-device-classes': {
      NVIDIA_GPU: { 'resource-name': 'nvidia.com/gpu', 'pod-template': { spec: spec } },
    },
  });

describe('precedence (docs/pod-construction.md)', () => {
  it('P1 image: override image > override container > task container > task pod template > templates', () => {
    const c = (image?: string): Container => ({ name: 'main', ...(image === undefined ? {} : { image }) });
    const both = (execution: Partial<TaskExecution['execution']>) =>
      task(
        {
          container: { image: 'task-container' },
          podTemplate: { primaryContainerName: 'main', spec: { containers: [c('task-pod')] } },
        },
        execution,
      );
    expect(
      primaryOf(
        build(
          ctxOf(
            both({
              overrides: {
                containerImage: 'ov-image',
                podTemplate: { spec: { containers: [c('ov-container')] } },
              },
            }),
          ),
        ),
      ).image,
    ).toBe('ov-image');
    expect(primaryOf(build(ctxOf(both(override({ containers: [c('ov-container')] }))))).image).toBe(
      'ov-container',
    );
    expect(primaryOf(build(ctxOf(both({})))).image).toBe('task-container');
    expect(
      primaryOf(
        build(ctxOf(podTask({ containers: [c('task-pod')] }), withBase(), base({ containers: [c('tpl')] }))),
      ).image,
    ).toBe('task-pod');
    expect(
      primaryOf(
        build(
          ctxOf(
            podTask({ containers: [c()] }),
            withBase(),
            base({ containers: [{ name: 'primary', image: 'tpl-primary' }] }),
          ),
        ),
      ).image,
    ).toBe('tpl-primary');
  });

  it('P2 container fields: task container > same-name template > primary > default > platform default > built-in', () => {
    const templates = base({
      containers: [
        {
          name: 'default',
          workingDir: '/default',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'Never',
          securityContext: { runAsUser: 1 },
        },
        { name: 'primary', workingDir: '/primary', securityContext: { runAsGroup: 2 } },
        { name: 'side', workingDir: '/side' },
      ] as Container[],
    });
    const pod = build(
      ctxOf(
        podTask({
          containers: [
            { name: 'main', image: 'x', securityContext: { runAsUser: 7 } },
            { name: 'side', image: 'y' },
            { name: 'other', image: 'z' },
          ],
        }),
        withBase({
          'default-security-context': { readOnlyRootFilesystem: true, runAsUser: 99 },
          'image-pull-policy': 'Always',
        }),
        templates,
      ),
    );
    const main = containerNamed(pod, 'main');
    expect(main.workingDir).toBe('/primary');
    expect(main.securityContext).toEqual({ readOnlyRootFilesystem: true, runAsUser: 7, runAsGroup: 2 });
    expect(main.terminationMessagePolicy).toBe('File');
    expect(main.imagePullPolicy).toBe('Never');
    expect(containerNamed(pod, 'side').workingDir).toBe('/side');
    expect(containerNamed(pod, 'other').workingDir).toBe('/default');
    expect(containerNamed(pod, 'other').securityContext?.runAsUser).toBe(1);
    const plain = primaryOf(build(ctxOf(task(), config({ 'image-pull-policy': 'Always' }))));
    expect([plain.imagePullPolicy, plain.terminationMessagePolicy]).toEqual([
      'Always',
      'FallbackToLogsOnError',
    ]);
  });

  it('P3 resources per name: override > task container > template > platform requests > config defaults; then ceilings', () => {
    const pod = build(
      ctxOf(
        task(
          { container: { image: 'x', resources: { requests: { memory: '2Gi' }, limits: { cpu: '3' } } } },
          {
            overrides: { resources: { limits: { cpu: '6' } } },
            platformResources: { requests: { cpu: '250m' }, limits: { cpu: '5' } },
          },
        ),
        withBase({ 'default-memory': '64Mi' }),
        base({
          containers: [
            {
              name: 'primary',
              resources: { requests: { memory: '8Gi', 'ephemeral-storage': '1Gi' } },
            },
          ],
        }),
      ),
    );
    expect(primaryOf(pod).resources).toEqual({
      requests: { cpu: '5', memory: '2Gi', 'ephemeral-storage': '1Gi' },
      limits: { cpu: '5', memory: '2Gi', 'ephemeral-storage': '1Gi' },
    });
  });

  it('P4 env per name: system > execution > container > template > from-env > default-env-vars', () => {
    const pod = build(
      ctxOf(
        task(
          {
            container: {
              image: 'x',
              env: [
                { name: 'A', value: 'task' },
                { name: 'B', value: 'task' },
                { name: 'RUN_NAME', value: 'task' },
              ],
            },
          },
          { environment: { A: 'execution' } },
        ),
        withBase({
          'default-env-vars': { B: 'platform', C: 'platform', D: 'platform' },
          'default-env-vars-from-env': { D: 'HOME' },
        }),
        base({
          containers: [
            {
              name: 'default',
              env: [
                { name: 'B', value: 'template' },
                { name: 'C', value: 'template' },
              ],
            },
          ] as Container[],
        }),
      ),
    );
    expect(envOf(primaryOf(pod))).toMatchObject({
      RUN_NAME: 'r1',
      A: 'execution',
      B: 'task',
      C: 'template',
      D: '/home/kt',
    });
  });

  it('P5 envFrom: the platform sources first, then the container own (which win key conflicts)', () => {
    const pod = build(
      ctxOf(
        podTask({
          containers: [{ name: 'main', image: 'x', envFrom: [{ configMapRef: { name: 'mine' } }] }],
        }),
        config({ 'default-env-from-secrets': ['s'], 'default-env-from-configmaps': ['c'] }),
      ),
    );
    expect(primaryOf(pod).envFrom).toEqual([
      { secretRef: { name: 's', optional: true } },
      { configMapRef: { name: 'c', optional: true } },
      { configMapRef: { name: 'mine' } },
    ]);
  });

  it('P6 pod fields: override > task > base template > device class > platform default > built-in', () => {
    const gpu = {
      container: { image: 'x', resources: { limits: { gpu: '1' } } },
      extendedResources: { gpuAccelerator: { device: 'A100' } },
    };
    const run = (
      taskSpec: Partial<PodSpec>,
      ov: Partial<PodSpec> | undefined,
      baseSpec: Partial<PodSpec>,
      dcSpec: Partial<PodSpec>,
    ) =>
      build(
        ctxOf(
          task(
            {
              ...gpu,
              podTemplate: {
                primaryContainerName: 'main',
                spec: { containers: [{ name: 'main' }], ...taskSpec },
              },
            },
            ov === undefined ? {} : override(ov),
          ),
          {
            ...deviceClass(dcSpec),
            plugins: {
              ...deviceClass(dcSpec).plugins,
              k8s: { ...deviceClass(dcSpec).plugins.k8s, 'scheduler-name': 'platform' },
            },
          },
          base(baseSpec),
        ),
      ).spec!;
    expect(
      run(
        { schedulerName: 'task' },
        { schedulerName: 'ov' },
        { schedulerName: 'base' },
        { schedulerName: 'dc' },
      ).schedulerName,
    ).toBe('ov');
    expect(
      run({ schedulerName: 'task' }, undefined, { schedulerName: 'base' }, { schedulerName: 'dc' })
        .schedulerName,
    ).toBe('task');
    expect(run({}, undefined, { schedulerName: 'base' }, { schedulerName: 'dc' }).schedulerName).toBe('base');
    expect(run({}, undefined, {}, { schedulerName: 'dc' }).schedulerName).toBe('dc');
    expect(run({}, undefined, {}, {}).schedulerName).toBe('platform');
    const restart = run({}, undefined, {}, {});
    expect([restart.restartPolicy, restart.enableServiceLinks]).toEqual(['Never', false]);
    const templ = run({}, undefined, { restartPolicy: 'OnFailure', enableServiceLinks: true }, {});
    expect([templ.restartPolicy, templ.enableServiceLinks]).toEqual(['OnFailure', true]);
    const sc = build(
      ctxOf(
        podTask({ securityContext: { runAsUser: 5 } }),
        withBase({ 'default-pod-security-context': { runAsUser: 1, fsGroup: 1, runAsGroup: 1 } }),
        base({ securityContext: { fsGroup: 2 } }),
      ),
    ).spec!.securityContext;
    expect(sc).toEqual({ runAsUser: 5, fsGroup: 2, runAsGroup: 1 });
  });

  it('P7 service account: pod spec > task runAs > execution > template > executor default', () => {
    const sa = (te: TaskExecution, templateSa?: string) =>
      build(
        ctxOf(
          te,
          { ...withBase(), executor: { ...withBase().executor, 'default-k8s-service-account': 'executor' } },
          base(templateSa === undefined ? {} : { serviceAccountName: templateSa }),
        ),
      ).spec!.serviceAccountName;
    const runAs = { securityContext: { runAs: { k8sServiceAccount: 'run-as' } } };
    expect(sa(podTask({ serviceAccountName: 'pod-spec' }, { serviceAccount: 'exec' }, runAs), 'tpl')).toBe(
      'pod-spec',
    );
    expect(sa(podTask({}, { serviceAccount: 'exec' }, runAs), 'tpl')).toBe('run-as');
    expect(sa(podTask({}, { serviceAccount: 'exec' }), 'tpl')).toBe('exec');
    expect(sa(podTask({}), 'tpl')).toBe('tpl');
    expect(sa(podTask({}))).toBe('executor');
  });

  it('P8 node selector per key: interruptible > override > task > template > default', () => {
    const cfg = withBase({
      'default-node-selector': { a: 'default', b: 'default', c: 'default', d: 'default', e: 'default' },
      'interruptible-node-selector': { e: 'spot' },
    });
    const run = (interruptible: boolean) =>
      build(
        ctxOf(
          podTask(
            { nodeSelector: { b: 'task', c: 'task', e: 'task' } },
            { ...override({ nodeSelector: { c: 'ov' } }), interruptible },
          ),
          cfg,
          base({ nodeSelector: { a: 'tpl', b: 'tpl' } }),
        ),
      ).spec!.nodeSelector;
    expect(run(true)).toEqual({ a: 'tpl', b: 'task', c: 'ov', d: 'default', e: 'spot' });
    expect(run(false)).toEqual({ a: 'tpl', b: 'task', c: 'ov', d: 'default', e: 'task' });
  });

  it('P9 keyed lists merge by key; on the same key the higher source replaces the item whole', () => {
    const pod = build(
      ctxOf(
        podTask({
          volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }],
          containers: [
            {
              name: 'main',
              image: 'x',
              volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
            },
          ],
        }),
        withBase(),
        base({
          volumes: [
            { name: 'data', emptyDir: {} },
            { name: 'cache', emptyDir: {} },
          ],
          containers: [
            {
              name: 'primary',
              volumeMounts: [
                { name: 'cache', mountPath: '/data' },
                { name: 'cache', mountPath: '/cache' },
              ],
            },
          ] as Container[],
        }),
      ),
    );
    expect(pod.spec?.volumes).toEqual([
      { name: 'cache', emptyDir: {} },
      { name: 'data', emptyDir: { medium: 'Memory' } },
    ]);
    expect(primaryOf(pod).volumeMounts).toEqual([
      { name: 'cache', mountPath: '/cache' },
      { name: 'data', mountPath: '/data', readOnly: true },
    ]);
  });

  it('P10 tolerations: the union of every source, each once', () => {
    const t = (key: string) => ({ key, operator: 'Exists' as const });
    const pod = build(
      ctxOf(
        podTask(
          { tolerations: [t('task'), t('shared')] },
          { ...override({ tolerations: [t('ov')] }), interruptible: true },
        ),
        withBase({
          'default-tolerations': [t('default'), t('shared')],
          'interruptible-tolerations': [t('spot')],
        }),
        base({ tolerations: [t('tpl'), t('shared')] }),
      ),
    );
    expect(pod.spec?.tolerations?.map((x) => x.key)).toEqual([
      'tpl',
      'task',
      'shared',
      'ov',
      'spot',
      'default',
    ]);
  });

  it('P11 required node affinity: terms from the highest source, then every constraint AND-ed into each term', () => {
    const req = (key: string) => ({ key, operator: 'Exists' as const });
    const pod = build(
      ctxOf(
        podTask({
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [req('t1')] }, { matchExpressions: [req('t2')] }],
              },
            },
          },
        }),
        withBase({
          'default-affinity': {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [req('pool')] }],
              },
            },
          },
          'non-interruptible-node-selector-requirement': { key: 'spot', operator: 'DoesNotExist' },
        }),
        base({
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [req('tpl')] }],
              },
            },
          },
        }),
      ),
    );
    expect(
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([
      { matchExpressions: [req('t1'), req('pool'), { key: 'spot', operator: 'DoesNotExist' }] },
      { matchExpressions: [req('t2'), req('pool'), { key: 'spot', operator: 'DoesNotExist' }] },
    ]);
  });

  it('P12 hostNetwork: the config forces it when set; otherwise the pod fields order', () => {
    expect(
      build(ctxOf(podTask({ hostNetwork: true }), config({ 'enable-host-networking-pod': false }))).spec
        ?.hostNetwork,
    ).toBe(false);
    expect(build(ctxOf(podTask({}), withBase(), base({ hostNetwork: true }))).spec?.hostNetwork).toBe(true);
    expect(
      build(ctxOf(podTask({ hostNetwork: false }), withBase(), base({ hostNetwork: true }))).spec
        ?.hostNetwork,
    ).toBe(false);
  });

  it('P13 extended resources: the override sub-object replaces the task one whole', () => {
    const pod = build(
      ctxOf(
        task(
          {
            extendedResources: {
              sharedMemory: { mountName: 'dshm', mountPath: '/dev/shm', sizeLimit: '1Gi' },
            },
          },
          { overrides: { extendedResources: { sharedMemory: { mountName: 'shm', mountPath: '/shm' } } } },
        ),
      ),
    );
    expect(pod.spec?.volumes).toEqual([{ name: 'shm', emptyDir: { medium: 'Memory' } }]);
  });

  it('P14 labels and annotations: execution > plugin-computed > override > task > template > config defaults', () => {
    const te = task(
      {
        type: 'sidecar',
        container: { image: 'x', resources: { limits: { gpu: '1' } } },
        extendedResources: { gpuAccelerator: { device: 'A100', partitionSize: '2g.10gb' } },
        podTemplate: {
          primaryContainerName: 'main',
          metadata: {
            labels: { a: 'task', b: 'task', 'platform.union.ai/gpu-partition-slices': 'task' },
            annotations: { primary_container_name: 'task' },
          },
          spec: { containers: [] },
        },
      },
      {
        labels: { a: 'execution' },
        overrides: { podTemplate: { metadata: { labels: { b: 'ov', c: 'ov' } }, spec: {} } },
      },
    );
    const ctx = ctxOf(
      te,
      withBase({ 'default-labels': { c: 'config', d: 'config', e: 'config' } }),
      base({}, { labels: { c: 'tpl', d: 'tpl' } }),
    );
    const pod = addObjectMetadata(ctx, defaultPluginProperties, build(ctx));
    expect(pod.metadata?.labels).toEqual({
      a: 'execution',
      b: 'ov',
      c: 'ov',
      d: 'tpl',
      e: 'config',
      'platform.union.ai/gpu-partition-slices': '2',
    });
    expect(pod.metadata?.annotations?.['primary_container_name']).toBe('main');
  });
});
