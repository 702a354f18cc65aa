// The election record as a coordination.k8s.io/v1 Lease holds it: who holds it, since when, for how long.
import * as O from 'fp-ts/lib/Option.js';
import type { KubeObject } from '../kubernetes.js';
import { parseInstant, type Duration, type Instant } from '../time.js';

/** What the Lease says, as the election reads it. */
export interface LeaseRecord {
  /** Who holds the lease; "" when nobody does (released, or never held). */
  readonly holder: string;
  /** How long the holder promised to wait before others may take the lease over; none when unset. */
  readonly leaseDuration: O.Option<Duration>;
  readonly acquireTime: O.Option<Instant>;
  /** The holder's clock at its last renewal: shown to people, never used to decide (clocks differ). */
  readonly renewTime: O.Option<Instant>;
  readonly transitions: number;
}

/** A record and the resourceVersion it was read (or written) at: what an update's precondition names. */
export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/** The Lease kind. */
export const LEASE_KIND = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' } as const;

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

const wholeNumber = (u: unknown): O.Option<number> =>
  typeof u === 'number' && Number.isInteger(u) && u >= 0 ? O.some(u) : O.none;

/**
 * Reads a Lease object. Total: a field that is missing or malformed reads as absent (no holder, no duration,
 * no transitions), so a Lease written by anybody can be taken over once it has stood unchanged long enough.
 */
export const readLease = (lease: KubeObject): StoredLease => {
  const spec = isRecord(lease['spec']) ? lease['spec'] : {};
  const holder = spec['holderIdentity'];
  return {
    record: {
      holder: typeof holder === 'string' ? holder : '',
      leaseDuration: O.map((s: number) => s * 1000)(
        O.filter((s: number) => s > 0)(wholeNumber(spec['leaseDurationSeconds'])),
      ),
      acquireTime: parseInstant(spec['acquireTime']),
      renewTime: parseInstant(spec['renewTime']),
      transitions: O.getOrElse(() => 0)(wholeNumber(spec['leaseTransitions'])),
    },
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
};

/** A MicroTime as the API server writes it: RFC 3339 in UTC with six fractional digits. */
export const formatMicroTime = (i: Instant): string => new Date(i).toISOString().replace(/Z$/, '000Z');

/** The Lease's spec for a record. */
export const leaseSpec = (r: LeaseRecord): Record<string, unknown> => ({
  holderIdentity: r.holder,
  ...(O.isSome(r.leaseDuration) ? { leaseDurationSeconds: Math.ceil(r.leaseDuration.value / 1000) } : {}),
  ...(O.isSome(r.acquireTime) ? { acquireTime: formatMicroTime(r.acquireTime.value) } : {}),
  ...(O.isSome(r.renewTime) ? { renewTime: formatMicroTime(r.renewTime.value) } : {}),
  leaseTransitions: r.transitions,
});

/**
 * The Lease object to create or update: `base` (the object last read, so labels and annotations others put on it
 * survive) with the record's spec, or a fresh object. With a resourceVersion the update is conditional.
 */
export const leaseObject = (
  at: { readonly namespace: string; readonly name: string },
  record: LeaseRecord,
  resourceVersion: O.Option<string>,
  base: O.Option<KubeObject> = O.none,
): KubeObject => {
  const meta = O.isSome(base) ? (base.value.metadata ?? {}) : {};
  return {
    ...(O.isSome(base) ? base.value : {}),
    ...LEASE_KIND,
    metadata: {
      ...meta,
      name: at.name,
      namespace: at.namespace,
      ...(O.isSome(resourceVersion) ? { resourceVersion: resourceVersion.value } : {}),
    },
    spec: leaseSpec(record),
  };
};
