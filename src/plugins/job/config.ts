// The plugins.job config section: defaults for the Job's retry knobs when a batch-job task leaves them out.
import * as t from 'io-ts';
import { struct, withDefault } from '../../domain/codec.js';
import { pluginConfigSection, readPluginConfig } from '../../domain/plugin-config.js';
import type { PlatformConfig } from '../../domain/platform-config.js';
import { NonNegativeInt32, PodFailurePolicyConfigC, type PodFailurePolicy } from './payload.js';

/**
 * Preemptions, evictions by the taint manager or the kubelet, and node shutdowns put the DisruptionTarget condition on
 * the pod: none of them is the task's fault, so by default they do not count against backoffLimit (the framework
 * classifies the same failures as SYSTEM, which spend no user retries).
 */
export const DEFAULT_POD_FAILURE_POLICY: PodFailurePolicy = {
  rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
};

/** Kubernetes' own default for spec.backoffLimit. */
export const KUBERNETES_DEFAULT_BACKOFF_LIMIT = 6;

export const JobConfig = struct(
  'JobConfig',
  {
    'default-backoff-limit': withDefault(
      NonNegativeInt32,
      KUBERNETES_DEFAULT_BACKOFF_LIMIT,
      "backoffLimit of a task that sets none and declares no retries (metadata.retries is used first); Kubernetes' default.",
    ),
    'default-ttl-seconds-after-finished': withDefault(
      t.union([NonNegativeInt32, t.null], 'NonNegativeInt32 or null'),
      null,
      'ttlSecondsAfterFinished of a task that sets none; null leaves the finished Job to the plugin manager (finalize deletes it).',
    ),
    'default-pod-failure-policy': withDefault(
      t.union([PodFailurePolicyConfigC, t.null], 'PodFailurePolicy or null'),
      DEFAULT_POD_FAILURE_POLICY,
      'podFailurePolicy of a task that sets none (and whose pods restart Never); null for none. Default: pods with a DisruptionTarget condition (preemption, eviction, node shutdown) do not count against backoffLimit.',
    ),
  },
  {},
  'The batch-job plugin: defaults for the Kubernetes Job it creates.',
);
export type JobConfig = t.TypeOf<typeof JobConfig>;

/** The `plugins.job` section. */
export const jobConfigSection = pluginConfigSection('job', JobConfig);

export const readJobConfig = (config: PlatformConfig): JobConfig =>
  readPluginConfig(jobConfigSection, config);
