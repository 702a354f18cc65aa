// The batch-job build: the payload's knobs, the defaults and their precedence, the pod template, and every refusal.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { defaultPlatformConfig, decodePlatformConfig } from '../../../src/domain/platform-config.js';
import { MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import { buildIdentityResource } from '../../../src/plugins/job/build.js';
import { decodeJobPayload, parseIndexes } from '../../../src/plugins/job/payload.js';
import { jobPlugin } from '../../../src/plugins/job/plugin.js';
import { builtInPlatformConfigC, builtInRegistry } from '../../../src/plugins/index.js';
import { buildPodResource } from '../../../src/plugins/pod/build/index.js';
import { buildFails, buildJob, ctxOf, jobTask, managedJob, validateJob, withJobConfig } from './fixtures.js';

const DISRUPTION_IGNORED = {
  rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
};

describe('the Job a batch-job task becomes', () => {
  it("is the pod plugin's pod as the template, with the default knobs", () => {
    const ctx = ctxOf(jobTask());
    const job = buildJob(ctx);
    const pod = buildPodResource(ctx);
    if (E.isLeft(pod)) throw new Error('pod');
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.spec?.template.spec).toEqual({ ...pod.right.spec, restartPolicy: 'Never' });
    expect(job.spec?.backoffLimit).toBe(6);
    expect(job.spec?.podFailurePolicy).toEqual(DISRUPTION_IGNORED);
    expect(job.spec?.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.spec?.selector).toBeUndefined();
    expect(job.spec?.template.metadata?.labels?.[MANAGED_LABEL]).toBe('true');
    expect(job.spec?.template.metadata?.annotations?.['primary_container_name']).toBe(
      pod.right.spec?.containers[0]?.name,
    );
    validateJob(managedJob(ctx));
  });

  it("takes backoffLimit from the task's retries when the payload sets none", () => {
    expect(buildJob(ctxOf(jobTask({ metadata: { retries: 2 } }))).spec?.backoffLimit).toBe(2);
    expect(
      buildJob(ctxOf(jobTask({ metadata: { retries: 2 }, custom: { backoffLimit: 4 } }))).spec?.backoffLimit,
    ).toBe(4);
    expect(buildJob(ctxOf(jobTask(), withJobConfig({ 'default-backoff-limit': 1 }))).spec?.backoffLimit).toBe(
      1,
    );
  });

  it('leaves backoffLimit to the API server under backoffLimitPerIndex', () => {
    const job = buildJob(
      ctxOf(
        jobTask({
          metadata: { retries: 3 },
          custom: { completionMode: 'Indexed', completions: 4, backoffLimitPerIndex: 1 },
        }),
      ),
    );
    expect(job.spec?.backoffLimit).toBeUndefined();
    expect(job.spec?.backoffLimitPerIndex).toBe(1);
    validateJob(job);
  });

  it('carries every knob of the payload, under proto or lowerCamel names', () => {
    const camel = {
      completionMode: 'Indexed',
      completions: 8,
      parallelism: 4,
      backoffLimitPerIndex: 2,
      maxFailedIndexes: 3,
      activeDeadlineSeconds: 3600,
      ttlSecondsAfterFinished: 600,
      podReplacementPolicy: 'Failed',
      successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 2 }] },
      podFailurePolicy: {
        rules: [
          {
            action: 'FailIndex',
            onExitCodes: { containerName: 'train', operator: 'In', values: [42, 3, 3] },
          },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ],
      },
    };
    const proto = {
      completion_mode: 'Indexed',
      completions: 8,
      parallelism: 4,
      backoff_limit_per_index: 2,
      max_failed_indexes: 3,
      active_deadline_seconds: 3600,
      ttl_seconds_after_finished: 600,
      pod_replacement_policy: 'Failed',
      success_policy: { rules: [{ succeeded_indexes: '0-2', succeeded_count: 2 }] },
      pod_failure_policy: {
        rules: [
          {
            action: 'FailIndex',
            on_exit_codes: { container_name: 'train', operator: 'In', values: [42, 3, 3] },
          },
          { action: 'Ignore', on_pod_conditions: [{ type: 'DisruptionTarget' }] },
        ],
      },
    };
    const container = { name: 'train', image: 'img:1' };
    const podTemplate = { spec: { containers: [container] }, primaryContainerName: 'train' };
    const a = buildJob(ctxOf(jobTask({ podTemplate, custom: camel })));
    const b = buildJob(ctxOf(jobTask({ podTemplate, custom: proto })));
    expect(b).toEqual(a);
    const { template: _t, ...spec } = a.spec!;
    expect(spec).toEqual({
      parallelism: 4,
      completions: 8,
      completionMode: 'Indexed',
      activeDeadlineSeconds: 3600,
      backoffLimitPerIndex: 2,
      maxFailedIndexes: 3,
      podFailurePolicy: {
        rules: [
          { action: 'FailIndex', onExitCodes: { containerName: 'train', operator: 'In', values: [3, 42] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 2 }] },
      podReplacementPolicy: 'Failed',
      ttlSecondsAfterFinished: 600,
    });
    validateJob(a);
  });

  it('applies the configured TTL and pod failure policy defaults, or none', () => {
    const cfg = withJobConfig({
      'default-ttl-seconds-after-finished': 86400,
      'default-pod-failure-policy': null,
    });
    const job = buildJob(ctxOf(jobTask(), cfg));
    expect(job.spec?.ttlSecondsAfterFinished).toBe(86400);
    expect(job.spec?.podFailurePolicy).toBeUndefined();
    const own = buildJob(ctxOf(jobTask({ custom: { ttlSecondsAfterFinished: 0 } }), cfg));
    expect(own.spec?.ttlSecondsAfterFinished).toBe(0);
  });

  it('`rules: []` opts out of the platform default, whatever the restart policy', () => {
    expect(
      buildJob(ctxOf(jobTask({ custom: { podFailurePolicy: { rules: [] } } }))).spec?.podFailurePolicy,
    ).toBeUndefined();
  });

  it('a task whose pods restart OnFailure keeps it, without the default pod failure policy', () => {
    const podTemplate = {
      spec: { restartPolicy: 'OnFailure', containers: [{ name: 'm', image: 'i' }] },
      primaryContainerName: 'm',
    };
    const job = buildJob(ctxOf(jobTask({ podTemplate })));
    expect(job.spec?.template.spec?.restartPolicy).toBe('OnFailure');
    expect(job.spec?.podFailurePolicy).toBeUndefined();
    validateJob(job);
  });

  it('podReplacementPolicy TerminatingOrFailed goes without the default pod failure policy', () => {
    const job = buildJob(ctxOf(jobTask({ custom: { podReplacementPolicy: 'TerminatingOrFailed' } })));
    expect(job.spec?.podFailurePolicy).toBeUndefined();
  });

  it("the pod template carries the task pod labels, then the execution's, then the managed label; no kubetasks.dev/ annotation", () => {
    const podTemplate = {
      metadata: { labels: { team: 'pod', app: 'x' }, annotations: { note: 'pod' } },
      spec: { containers: [{ name: 'm', image: 'i' }] },
      primaryContainerName: 'm',
    };
    const ctx = ctxOf(
      jobTask(
        { podTemplate },
        { labels: { team: 'exec' }, annotations: { 'kubetasks.dev/scenario': 'exit:1', owner: 'exec' } },
      ),
      {
        ...defaultPlatformConfig,
        plugins: {
          ...defaultPlatformConfig.plugins,
          k8s: {
            ...defaultPlatformConfig.plugins.k8s,
            'default-labels': { app: 'default', tier: 'default' },
          },
        },
      },
    );
    const meta = buildJob(ctx).spec?.template.metadata;
    expect(meta?.labels).toEqual({ app: 'x', tier: 'default', team: 'exec', [MANAGED_LABEL]: 'true' });
    expect(meta?.annotations?.['note']).toBe('pod');
    expect(meta?.annotations?.['owner']).toBe('exec');
    // The scenario is the simulated operator's to route (docs/writing-a-crd-plugin.md, "Pod templates").
    expect(meta?.annotations?.['kubetasks.dev/scenario']).toBeUndefined();
  });

  it('is deterministic and the identity is an empty Job', () => {
    const ctx = ctxOf(jobTask({ custom: { parallelism: 2, completions: 3 } }));
    expect(buildJob(ctx)).toEqual(buildJob(ctx));
    expect(buildIdentityResource(ctx)).toEqual(
      E.right({ apiVersion: 'batch/v1', kind: 'Job', metadata: {} }),
    );
  });

  it('is registered for task type batch-job with its config section, and names fit an indexed hostname', () => {
    const reg = builtInRegistry();
    expect(E.isRight(reg)).toBe(true);
    expect(jobPlugin.taskTypes).toEqual(['batch-job']);
    expect(jobPlugin.id).toBe('batch-job');
    expect(jobPlugin.customResource).toBeUndefined();
    expect(jobPlugin.properties.generatedNameMaxLength).toBe(57);
    const long = jobTask({}, { id: { run: 'r'.repeat(40), action: 'a'.repeat(40) } });
    const name = managedJob(ctxOf(long)).metadata?.name ?? '';
    expect(name.length).toBeLessThanOrEqual(57);
    expect(`${name}-99999`.length).toBeLessThanOrEqual(63);
  });

  it('the config section decodes strictly and with defaults', () => {
    const ok = builtInPlatformConfigC.decode({ plugins: { job: { 'default-backoff-limit': 3 } } });
    expect(E.isRight(ok)).toBe(true);
    if (E.isRight(ok)) {
      expect((ok.right.plugins as Record<string, unknown>)['job']).toEqual({
        'default-backoff-limit': 3,
        'default-ttl-seconds-after-finished': null,
        'default-pod-failure-policy': DISRUPTION_IGNORED,
      });
      const job = buildJob(ctxOf(jobTask(), ok.right));
      expect(job.spec?.backoffLimit).toBe(3);
    }
    expect(E.isLeft(builtInPlatformConfigC.decode({ plugins: { job: { 'default-backof-limit': 3 } } }))).toBe(
      true,
    );
    expect(
      E.isLeft(
        builtInPlatformConfigC.decode({
          plugins: {
            job: { 'default-pod-failure-policy': { rules: [{ action: 'Skip', onPodConditions: [] }] } },
          },
        }),
      ),
    ).toBe(true);
    expect(E.isRight(decodePlatformConfig({}))).toBe(true);
  });
});

describe('refusals name the field of the task file', () => {
  const fails = (custom: unknown, extra: Parameters<typeof jobTask>[0] = {}) =>
    buildFails(ctxOf(jobTask({ ...extra, custom: custom as Record<string, unknown> })));

  it.each([
    [{ backoffLimit: -1 }, ['task', 'custom', 'backoffLimit'], /0 to 2147483647/],
    [{ backoff_limit: 'x' }, ['task', 'custom', 'backoff_limit'], /whole number/],
    [{ parallelism: 0 }, ['task', 'custom', 'parallelism'], /1 to/],
    [{ completions: 0 }, ['task', 'custom', 'completions'], /1 to/],
    [{ activeDeadlineSeconds: 0 }, ['task', 'custom', 'activeDeadlineSeconds'], /at least 1/],
    [{ backofLimit: 1 }, ['task', 'custom', 'backofLimit'], /did you mean "backoffLimit"/],
    [{ backoffLimit: 1, backoff_limit: 2 }, ['task', 'custom', 'backoff_limit'], /both/],
    [{ completionMode: 'indexed' }, ['task', 'custom', 'completionMode'], /"NonIndexed", "Indexed"/],
    [{ completionMode: 'Indexed' }, ['task', 'custom', 'completionMode'], /completions is required/],
    [{ completion_mode: 'Indexed', completions: 100001 }, ['task', 'custom', 'completions'], /100000/],
    [{ backoffLimitPerIndex: 1 }, ['task', 'custom', 'backoffLimitPerIndex'], /Indexed/],
    [
      { completionMode: 'Indexed', completions: 2, max_failed_indexes: 1 },
      ['task', 'custom', 'max_failed_indexes'],
      /backoffLimitPerIndex/,
    ],
    [
      { completionMode: 'Indexed', completions: 2, backoffLimitPerIndex: 1, maxFailedIndexes: 3 },
      ['task', 'custom', 'maxFailedIndexes'],
      /exceed completions/,
    ],
    [{ successPolicy: { rules: [{ succeededCount: 1 }] } }, ['task', 'custom', 'successPolicy'], /Indexed/],
    [
      { completionMode: 'Indexed', completions: 3, successPolicy: { rules: [] } },
      ['task', 'custom', 'successPolicy', 'rules'],
      /1 to 20/,
    ],
    [
      { completionMode: 'Indexed', completions: 3, successPolicy: { rules: [{}] } },
      ['task', 'custom', 'successPolicy', 'rules', 0],
      /succeededIndexes, succeededCount/,
    ],
    [
      {
        completionMode: 'Indexed',
        completions: 3,
        success_policy: { rules: [{ succeeded_indexes: '2-1' }] },
      },
      ['task', 'custom', 'success_policy', 'rules', 0, 'succeeded_indexes'],
      /ascending/,
    ],
    [
      { completionMode: 'Indexed', completions: 3, successPolicy: { rules: [{ succeededIndexes: '1-3' }] } },
      ['task', 'custom', 'successPolicy', 'rules', 0, 'succeededIndexes'],
      /0 to completions - 1/,
    ],
    [
      {
        completionMode: 'Indexed',
        completions: 3,
        successPolicy: { rules: [{ succeededIndexes: '0,1', succeededCount: 3 }] },
      },
      ['task', 'custom', 'successPolicy', 'rules', 0, 'succeededCount'],
      /1 to 2/,
    ],
    [{ podFailurePolicy: {} }, ['task', 'custom', 'podFailurePolicy', 'rules'], /missing/],
    [
      { podFailurePolicy: { rules: [{ onExitCodes: { operator: 'In', values: [1] } }] } },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'action'],
      /missing/,
    ],
    [
      { pod_failure_policy: { rules: [{ action: 'FailJob' }] } },
      ['task', 'custom', 'pod_failure_policy', 'rules', 0],
      /exactly one/,
    ],
    [
      {
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0, 1] } }] },
      },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'onExitCodes', 'values'],
      /exit code 0/,
    ],
    [
      { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'Is', values: [1] } }] } },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'onExitCodes', 'operator'],
      /"In", "NotIn"/,
    ],
    [
      { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [] } }] } },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'onExitCodes', 'values'],
      /1 to 255/,
    ],
    [
      {
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [256] } }] },
      },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'onExitCodes', 'values', 0],
      /0 to 255/,
    ],
    [
      {
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }] },
      },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'action'],
      /backoffLimitPerIndex/,
    ],
    [
      { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'bad type!' }] }] } },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'onPodConditions', 0, 'type'],
      /condition type/,
    ],
    [
      { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [] }] } },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'onPodConditions'],
      /1 to 20/,
    ],
    [
      {
        podReplacementPolicy: 'TerminatingOrFailed',
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
      },
      ['task', 'custom', 'podReplacementPolicy'],
      /Failed/,
    ],
    [
      {
        podFailurePolicy: {
          rules: [{ action: 'FailJob', onExitCodes: { containerName: 'nope', operator: 'In', values: [1] } }],
        },
      },
      ['task', 'custom', 'podFailurePolicy', 'rules', 0, 'onExitCodes', 'containerName'],
      /no container/,
    ],
  ])('%j', (custom, path, message) => {
    const e = fails(custom);
    expect(e.code).toBe('BadTaskSpecification');
    expect(e.path).toEqual(path);
    expect(e.message).toMatch(message);
  });

  it('a pod that restarts Always, naming where it was written', () => {
    const podTemplate = {
      spec: { restartPolicy: 'Always', containers: [{ name: 'm', image: 'i' }] },
      primaryContainerName: 'm',
    };
    const e = buildFails(ctxOf(jobTask({ podTemplate })));
    expect(e.path).toEqual(['task', 'podTemplate', 'spec', 'restartPolicy']);
    expect(e.message).toMatch(/Never or OnFailure/);
    const o = buildFails(
      ctxOf(
        jobTask(
          {},
          {
            overrides: {
              podTemplate: { spec: { restartPolicy: 'Always', containers: [{ name: 'm', image: 'i' }] } },
            },
          },
        ),
      ),
    );
    expect(o.path).toEqual(['execution', 'overrides', 'podTemplate', 'spec', 'restartPolicy']);
  });

  it('a podFailurePolicy with pods that restart OnFailure', () => {
    const podTemplate = {
      spec: { restartPolicy: 'OnFailure', containers: [{ name: 'm', image: 'i' }] },
      primaryContainerName: 'm',
    };
    const e = fails(
      { podFailurePolicy: { rules: [{ action: 'Count', onPodConditions: [{ type: 'DisruptionTarget' }] }] } },
      { podTemplate },
    );
    expect(e.path).toEqual(['task', 'podTemplate', 'spec', 'restartPolicy']);
  });

  it('a payload that is not an object, and a bad platform default named by its key', () => {
    expect(fails([1]).path).toEqual(['task', 'custom']);
    const cfg = withJobConfig({
      'default-pod-failure-policy': {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'sidecar', operator: 'In', values: [3] } },
        ],
      },
    });
    const e = buildFails(ctxOf(jobTask(), cfg));
    expect(e.path).toBeUndefined();
    expect(e.message).toMatch(/^plugins\.job\.default-pod-failure-policy\.rules\[0\]/);
  });

  it("pod construction errors are the pod plugin's", () => {
    const e = buildFails(
      ctxOf(jobTask({ container: { image: 'img:1', resources: { requests: { cpu: 'lots' } } } })),
    );
    expect(e.path?.slice(0, 2)).toEqual(['task', 'container']);
  });
});

describe('payload helpers', () => {
  it('null fields are absent, as in protobuf JSON', () => {
    expect(decodeJobPayload({ backoffLimit: null })).toEqual(E.right({}));
    expect(decodeJobPayload(undefined)).toEqual(E.right({}));
  });

  it.each([
    ['', []],
    ['0', [[0, 0]]],
    [
      '1,3-5,7',
      [
        [1, 1],
        [3, 5],
        [7, 7],
      ],
    ],
    ['3-5,4', undefined],
    ['5-3', undefined],
    ['a', undefined],
    ['1,,2', undefined],
  ])('parseIndexes(%j)', (s, want) => {
    expect(parseIndexes(s)).toEqual(want);
  });
});
