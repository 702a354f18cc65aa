// Fixed pods for the oracle: clock boundaries, one pod per release difference, and the pods differences were found on.
import { defaultPlatformConfig, type K8sPluginConfig } from '../../src/domain/platform-config.js';
import type { DifferentialInput } from '../../src/plugins/pod/phase/differences.js';
import {
  MIN,
  SEC,
  T0,
  cond,
  completedConditions,
  notReady,
  pod,
  readyConditions,
  running,
  terminated,
  waiting,
} from '../plugins/pod/phase/fixtures/pods.js';

export interface Regression {
  readonly name: string;
  readonly input: DifferentialInput;
  /** The verdict this pod must get, when it is pinned (the hand-found differences). */
  readonly expect?: 'equal' | { readonly explainedBy: string };
}

const S = T0 + 2 * SEC;
const R = T0 + 40 * SEC;
const E = T0 + 9 * MIN;

const config = (k8s: Partial<K8sPluginConfig> = {}) => ({
  ...defaultPlatformConfig,
  plugins: { ...defaultPlatformConfig.plugins, k8s: { ...defaultPlatformConfig.plugins.k8s, ...k8s } },
});

const at = (name: string, resource: unknown, now: number, k8s?: Partial<K8sPluginConfig>): Regression => ({
  name,
  input: { resource, now, config: config(k8s) },
});

const backingOff = pod({
  phase: 'Pending',
  conditions: notReady(S, ['app']),
  containerStatuses: [waiting('app', 'ImagePullBackOff', 'Back-off pulling image')],
});

export const regressions: ReadonlyArray<Regression> = [
  // The oracle shifts the pod's timestamps so Flyte's clock reads `now`: the boundary must land on the same second.
  at(
    'grace boundary: one second before the ImagePullBackOff grace period ends',
    backingOff,
    S + 3 * MIN - SEC,
  ),
  at('grace boundary: exactly when the ImagePullBackOff grace period ends', backingOff, S + 3 * MIN),
  // v1.14.0/pending-init-containers-not-scanned: an init container stuck on a bad image.
  at(
    'a waiting init container while Pending',
    pod({
      phase: 'Pending',
      initContainers: ['fetch-inputs'],
      conditions: notReady(S, ['app'], false),
      initContainerStatuses: [waiting('fetch-inputs', 'InvalidImageName', 'invalid reference format')],
      containerStatuses: [waiting('app', 'PodInitializing')],
    }),
    T0 + MIN,
  ),
  // v1.14.0/pending-timeout-is-user
  at(
    'the pod pending timeout',
    pod({ phase: 'Pending', conditions: [cond('PodScheduled', 'False', S, 'Unschedulable', 'no nodes')] }),
    S + 20 * MIN,
    { 'pod-pending-timeout': 15 * MIN },
  ),
  // v1.14.0/failed-pod-system-signals and same-failure-running-or-failed: the primary exited 1, pod Failed.
  at(
    'a failed pod whose annotated primary exited 1',
    pod({
      phase: 'Failed',
      primary: 'app',
      conditions: completedConditions(E),
      containerStatuses: [terminated('app', 1, 'Error', R, E)],
    }),
    E + MIN,
  ),
  // v1.14.0/failed-pod-system-signals: NodeShutdown is SYSTEM only in later releases.
  at(
    'a pod failed by a graceful node shutdown',
    pod({
      phase: 'Failed',
      reason: 'NodeShutdown',
      message: 'Pod was terminated in response to imminent node shutdown.',
      conditions: completedConditions(E),
      containerStatuses: [terminated('app', 137, 'Error', R, E)],
    }),
    E + MIN,
  ),
  // v1.14.0/running-primary-sigkill-is-user
  at(
    'a running pod whose primary was SIGKILLed while a sidecar runs',
    pod({
      phase: 'Running',
      primary: 'app',
      containers: ['app', 'sidecar'],
      conditions: readyConditions(R),
      containerStatuses: [terminated('app', 137, 'Error', R, E), running('sidecar', R)],
    }),
    E + SEC,
  ),
  // Found by the oracle: an OOM-killed child of a primary that still exited 0 (message format, classify.ts).
  at(
    'a running pod whose primary exited 0 with reason OOMKilled',
    pod({
      phase: 'Running',
      primary: 'app',
      containers: ['app', 'sidecar'],
      conditions: readyConditions(R),
      containerStatuses: [terminated('app', 0, 'OOMKilled', R, E), running('sidecar', R)],
    }),
    E + SEC,
  ),
  // Found by hand (issue 18): the annotated primary has a status with an empty state and is not in the spec. Flyte:
  // PrimaryContainerNotFound; kubetasks answered Running until it read an empty state as no status, as Flyte does.
  {
    ...at(
      'an annotated primary with an empty state that is not in the spec',
      pod({
        phase: 'Running',
        primary: 'app',
        containers: ['main'],
        conditions: readyConditions(R),
        containerStatuses: [{ ...running('app', R), state: {} }, running('main', R)],
      }),
      E,
    ),
    expect: 'equal',
  },
  // Found by hand (issue 18): a native sidecar (an init container with restartPolicy Always, Kubernetes 1.29+) still
  // runs while every main container exited 0, no annotation. Flyte: Success at once; kubetasks: Running until the
  // kubelet stops the sidecar and the pod turns Succeeded (empty-state-is-not-success).
  {
    ...at(
      'a native sidecar still running after every main container exited 0',
      {
        ...pod({
          phase: 'Running',
          initContainers: ['proxy'],
          conditions: readyConditions(R),
          initContainerStatuses: [running('proxy', S)],
          containerStatuses: [terminated('app', 0, 'Completed', R, E)],
        }),
        spec: {
          restartPolicy: 'Never',
          initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }],
          containers: [{ name: 'app', image: 'trainer' }],
        },
      },
      E + SEC,
    ),
    expect: { explainedBy: 'empty-state-is-not-success' },
  },
  // Found by the wider generator (issue 18): a grace period of 0 and a Ready transition after `now` (clock skew).
  // kubetasks fails at once; Flyte's time.Since is negative and it waits (grace-periods-take-now).
  {
    ...at(
      'a CreateContainerConfigError with grace 0 and a Ready transition after now',
      pod({
        phase: 'Pending',
        conditions: notReady(T0 + 5 * MIN, ['app']),
        containerStatuses: [
          waiting('app', 'CreateContainerConfigError', 'secret "db-credentials" not found'),
        ],
      }),
      T0 + MIN,
      { 'create-container-config-error-grace-period': 0 },
    ),
    expect: { explainedBy: 'grace-periods-take-now' },
  },
];
