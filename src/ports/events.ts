// The Kubernetes events port: recording core Events about objects, with a silent default.

/** The object an event is about (core Event `involvedObject` / events.k8s.io `regarding`). */
export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  /** A part of the object, e.g. `spec.containers{main}`. */
  readonly fieldPath?: string;
}

/** Normal for progress, Warning for trouble; the only two types Kubernetes accepts. */
export type EventType = 'Normal' | 'Warning';

/** One event: `Pulled` / `Successfully pulled image "busybox"`. */
export interface EventRecord {
  readonly subject: EventSubject;
  readonly type: EventType;
  /** UpperCamelCase, short and stable (`BackOff`, `Scheduled`); what tools group by. */
  readonly reason: string;
  readonly message: string;
}

/**
 * Records Kubernetes events. Recording never fails and never blocks the caller: an implementation that writes
 * Event objects does so in the background and drops what it cannot write, as client-go's recorder does.
 */
export interface EventRecorder {
  readonly record: (event: EventRecord) => void;
}

/** Drops every event. */
export const silentEvents: EventRecorder = { record: () => undefined };
