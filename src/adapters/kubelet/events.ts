// An EventRecorder that writes core v1 Events through the cluster port, in the background, as client-go's does.
import * as E from 'fp-ts/lib/Either.js';
import { fnv1a64 } from '../../domain/names.js';
import { formatInstant } from '../../domain/time.js';
import type { Clock } from '../../ports/clock.js';
import type { ClusterPort } from '../../ports/cluster.js';
import type { EventRecorder } from '../../ports/events.js';
import { silentLogger, type Logger } from '../../ports/logger.js';

/** Where a cluster event recorder writes its Events, and what it reads the time from. */
export interface ClusterEventRecorderOptions {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  /** `source.component` / `reportingComponent`, e.g. `kubelet`. */
  readonly component: string;
  /** `source.host`, e.g. the node name. */
  readonly host?: string;
  readonly logger?: Logger;
}

/** Records each event as a v1 Event in the subject's namespace (`default` for cluster-scoped subjects). */
export const makeClusterEventRecorder = (
  options: ClusterEventRecorderOptions,
): EventRecorder & {
  /** Resolves once every event recorded so far has been written or dropped: await it before stopping the cluster. */
  readonly flush: () => Promise<void>;
} => {
  let pending: Promise<void> = Promise.resolve();
  let n = 0;
  const logger = options.logger ?? silentLogger;
  return {
    record: (event) => {
      const at = options.clock.now();
      const namespace = event.subject.namespace ?? 'default';
      // The API server names events <object>.<unique hex>; a hash of time and a counter keeps it deterministic.
      const suffix = fnv1a64(`${event.subject.name}/${at}/${n++}`).toString(16).padStart(16, '0');
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${event.subject.name}.${suffix}`, namespace },
        involvedObject: { ...event.subject, namespace },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: {
          component: options.component,
          ...(options.host === undefined ? {} : { host: options.host }),
        },
        reportingComponent: options.component,
        reportingInstance: options.host ?? options.component,
        firstTimestamp: formatInstant(at),
        lastTimestamp: formatInstant(at),
        count: 1,
      };
      pending = pending.then(async () => {
        const r = await options.cluster.create(body)();
        if (E.isLeft(r)) logger.debug('event dropped', { reason: event.reason, error: r.left.message });
      });
    },
    flush: () => pending,
  };
};
