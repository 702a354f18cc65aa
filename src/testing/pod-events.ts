// Kubernetes Events about a pod, in both the core/v1 and the events.k8s.io/v1 shape.
import fc from 'fast-check';
import type { Instant } from '../domain/time.js';
import { SECOND, arbHex, ts } from './pod-parts.js';

// -------------------------------------------------------------------------------------
// events
// -------------------------------------------------------------------------------------

const EVENT_SHAPES = [
  {
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned {ns}/{pod} to node-a',
    source: 'default-scheduler',
  },
  {
    type: 'Warning',
    reason: 'FailedScheduling',
    message: '0/3 nodes are available: 3 Insufficient cpu.',
    source: 'default-scheduler',
  },
  { type: 'Normal', reason: 'Pulling', message: 'Pulling image "python:3.12"', source: 'kubelet' },
  {
    type: 'Normal',
    reason: 'Pulled',
    message: 'Successfully pulled image "python:3.12" in 2.1s',
    source: 'kubelet',
  },
  { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', source: 'kubelet' },
  { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image "python:3.12"', source: 'kubelet' },
  { type: 'Normal', reason: 'Created', message: 'Created container primary', source: 'kubelet' },
  { type: 'Normal', reason: 'Started', message: 'Started container primary', source: 'kubelet' },
  { type: 'Normal', reason: 'Killing', message: 'Stopping container primary', source: 'kubelet' },
  { type: 'Warning', reason: 'Evicted', message: 'The node was low on resource: memory.', source: 'kubelet' },
  {
    type: 'Normal',
    reason: 'Preempted',
    message: 'Preempted by pod 1234 on node node-a',
    source: 'default-scheduler',
  },
] as const;

/** The object an event is about. */
export interface EventSubject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * A Kubernetes Event about `subject` (both the core/v1 and the events.k8s.io/v1 shape), observed between
 * `from` and `from + 1h`.
 */
export const arbKubernetesEvent = (
  subject: EventSubject,
  from: Instant,
): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      shape: fc.constantFrom(...EVENT_SHAPES),
      api: fc.constantFrom('core' as const, 'events' as const),
      offset: fc.integer({ min: 0, max: 3600 }),
      count: fc.integer({ min: 1, max: 20 }),
      suffix: arbHex(16),
    })
    .map(({ shape, api, offset, count, suffix }) => {
      const time = ts(from + offset * SECOND);
      const message = shape.message.replace('{ns}', subject.namespace).replace('{pod}', subject.name);
      const metadata = {
        name: `${subject.name}.${suffix}`,
        namespace: subject.namespace,
        creationTimestamp: time,
      };
      const ref = {
        kind: subject.kind,
        namespace: subject.namespace,
        name: subject.name,
        uid: subject.uid,
        apiVersion: 'v1',
      };
      return api === 'core'
        ? {
            apiVersion: 'v1',
            kind: 'Event',
            metadata,
            involvedObject: ref,
            type: shape.type,
            reason: shape.reason,
            message,
            source: { component: shape.source },
            count,
            firstTimestamp: time,
            lastTimestamp: time,
          }
        : {
            apiVersion: 'events.k8s.io/v1',
            kind: 'Event',
            metadata,
            regarding: ref,
            type: shape.type,
            reason: shape.reason,
            note: message,
            reportingController: shape.source,
            reportingInstance: `${shape.source}-node-a`,
            action: shape.reason,
            eventTime: `${time.replace('Z', '')}.000000Z`,
            ...(count > 1 ? { series: { count, lastObservedTime: `${time.replace('Z', '')}.000000Z` } } : {}),
          };
    });
