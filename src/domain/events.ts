// Kubernetes Events as additional reasons of a phase: read either Event API, keep those about one object, sort, attach.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from './codec.js';
import {
  withAdditionalReasons,
  withVersion,
  type KubernetesEventMetadata,
  type PhaseInfo,
  type PluginState,
  type ReasonInfo,
} from './phase-info.js';
import type { Instant } from './time.js';
import { instantAt, numberAt, recordAt, stringAt } from './json-read.js';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The object an event is about (an ObjectReference); empty strings mean "not given". */
export interface EventSubject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** A core/v1 or events.k8s.io/v1 Event, read into one shape. */
export interface KubeEvent {
  /** The Event object's own name (for a stable order among events of the same time). */
  readonly eventName: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly sourceComponent: string;
  readonly count: number;
  /** The latest time it was observed (series, lastTimestamp, eventTime, firstTimestamp, creation). */
  readonly occurredAt: Instant | undefined;
  readonly regarding: EventSubject;
}

/** Which events to attach: those about `regarding`, observed after the caller's cursor `after` when given. */
export interface EventFilter {
  readonly regarding: EventSubject;
  readonly after?: Instant;
  /** With `after`: events observed at exactly `after` whose Event name sorts after this one also pass. */
  readonly afterName?: string;
}

// -------------------------------------------------------------------------------------
// reading
// -------------------------------------------------------------------------------------

const subjectOf = (u: unknown): EventSubject => ({
  kind: stringAt(u, 'kind'),
  namespace: stringAt(u, 'namespace'),
  name: stringAt(u, 'name'),
  uid: stringAt(u, 'uid'),
});

const firstString = (...xs: ReadonlyArray<string>): string => xs.find((x) => x !== '') ?? '';

/** Reads an Event of either API group; none when the value is not an Event-shaped object. */
export const readEvent = (u: unknown): O.Option<KubeEvent> => {
  if (!isPlainObject(u)) return O.none;
  const kind = stringAt(u, 'kind');
  if (kind !== '' && kind !== 'Event') return O.none;
  const isNew = isPlainObject(u['regarding']) || stringAt(u, 'apiVersion').startsWith('events.k8s.io/');
  const regarding = subjectOf(isNew ? u['regarding'] : u['involvedObject']);
  if (regarding.name === '') return O.none;
  const series = recordAt(u, 'series');
  const metadata = recordAt(u, 'metadata');
  const occurredAt =
    instantAt(series, 'lastObservedTime') ??
    instantAt(u, 'lastTimestamp') ??
    instantAt(u, 'deprecatedLastTimestamp') ??
    instantAt(u, 'eventTime') ??
    instantAt(u, 'firstTimestamp') ??
    instantAt(u, 'deprecatedFirstTimestamp') ??
    instantAt(metadata, 'creationTimestamp');
  return O.some({
    eventName: stringAt(metadata, 'name'),
    type: stringAt(u, 'type'),
    reason: stringAt(u, 'reason'),
    message: firstString(stringAt(u, 'note'), stringAt(u, 'message')),
    sourceComponent: firstString(
      stringAt(u, 'reportingController'),
      stringAt(u, 'reportingComponent'),
      stringAt(recordAt(u, 'source'), 'component'),
      stringAt(recordAt(u, 'deprecatedSource'), 'component'),
    ),
    count: numberAt(series, 'count') ?? numberAt(u, 'count') ?? numberAt(u, 'deprecatedCount') ?? 1,
    occurredAt,
    regarding,
  });
};

/** The reference to a Kubernetes object, for filtering the events about it. */
export const regardingOf = (resource: unknown): O.Option<EventSubject> => {
  if (!isPlainObject(resource)) return O.none;
  const metadata = recordAt(resource, 'metadata');
  const name = stringAt(metadata, 'name');
  if (name === '') return O.none;
  return O.some({
    kind: stringAt(resource, 'kind'),
    namespace: stringAt(metadata, 'namespace'),
    name,
    uid: stringAt(metadata, 'uid'),
  });
};

// -------------------------------------------------------------------------------------
// filtering and ordering
// -------------------------------------------------------------------------------------

/** Same name; same namespace, kind (ignoring case) and uid whenever both sides say. */
export const isAbout =
  (ref: EventSubject) =>
  (e: KubeEvent): boolean => {
    const r = e.regarding;
    const agree = (a: string, b: string): boolean => a === '' || b === '' || a === b;
    return (
      r.name === ref.name &&
      agree(r.namespace, ref.namespace) &&
      agree(r.kind.toLowerCase(), ref.kind.toLowerCase()) &&
      agree(r.uid, ref.uid)
    );
  };

const compareEvents = (a: KubeEvent, b: KubeEvent): number => {
  if (a.occurredAt !== b.occurredAt) {
    if (a.occurredAt === undefined) return 1;
    if (b.occurredAt === undefined) return -1;
    return a.occurredAt - b.occurredAt;
  }
  const keys = (e: KubeEvent): ReadonlyArray<string> => [e.eventName, e.reason, e.message];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] ?? '';
    const y = kb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/** The events about the filtered object, oldest first; with a cursor, only those observed after it. */
export const eventsRegarding = (
  events: ReadonlyArray<unknown>,
  filter: EventFilter,
): ReadonlyArray<KubeEvent> =>
  events
    .flatMap((u) =>
      O.match(
        () => [],
        (e: KubeEvent) => [e],
      )(readEvent(u)),
    )
    .filter(isAbout(filter.regarding))
    .filter(
      (e) =>
        filter.after === undefined ||
        (e.occurredAt !== undefined &&
          (e.occurredAt > filter.after ||
            (e.occurredAt === filter.after &&
              filter.afterName !== undefined &&
              e.eventName > filter.afterName))),
    )
    .sort(compareEvents);

/** The latest observation time among the events, for the caller's next cursor. */
export const latestEventTime = (events: ReadonlyArray<KubeEvent>): Instant | undefined =>
  events.reduce<Instant | undefined>(
    (acc, e) =>
      e.occurredAt === undefined ? acc : acc === undefined ? e.occurredAt : Math.max(acc, e.occurredAt),
    undefined,
  );

// -------------------------------------------------------------------------------------
// attaching
// -------------------------------------------------------------------------------------

export const eventMetadata = (e: KubeEvent): KubernetesEventMetadata => ({
  type: e.type,
  reason: e.reason,
  sourceComponent: e.sourceComponent,
  count: e.count,
  ...(e.regarding.kind === '' ? {} : { involvedKind: e.regarding.kind }),
  involvedName: e.regarding.name,
  ...(e.regarding.namespace === '' ? {} : { involvedNamespace: e.regarding.namespace }),
});

export const reasonInfoOf = (e: KubeEvent): ReasonInfo => ({
  reason: e.message === '' ? e.reason : e.message,
  ...(e.occurredAt === undefined ? {} : { occurredAt: e.occurredAt }),
  kubernetesEvent: eventMetadata(e),
});

/**
 * Appends the events about `filter.regarding` to the phase's additional reasons, oldest first. When at least one
 * is attached and the phase is the one reported last, the version moves past the stored one so the new reasons are
 * reported (Flyte's event watcher rule). Unparseable values and events about other objects are ignored.
 */
export const attachEvents = (
  pi: PhaseInfo,
  events: ReadonlyArray<unknown>,
  previous: PluginState | undefined,
  filter: EventFilter,
): PhaseInfo => {
  const relevant = eventsRegarding(events, filter);
  if (relevant.length === 0) return pi;
  const attached = withAdditionalReasons(relevant.map(reasonInfoOf))(pi);
  return previous !== undefined && previous.phase === pi.phase && pi.version <= previous.version
    ? withVersion(previous.version + 1)(attached)
    : attached;
};
