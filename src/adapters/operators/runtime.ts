// Runs simulated operators against a cluster port: creates their pods, writes their statuses, cleans up after them.
import * as E from 'fp-ts/lib/Either.js';
import { gvkKey, type KubeObject, type OwnerReference, type Pod } from '../../domain/kubernetes.js';
import { Informer, objectKey } from '../../app/informer.js';
import { isAlreadyExists, isConflict, isNotFound, showApiError } from '../../domain/api-error.js';
import type { Clock } from '../../ports/clock.js';
import type { ClusterPort, ObjectRef } from '../../ports/cluster.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import type { SimulatedOperator } from './operator.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const RETRY_MS = 200;

/**
 * What `startOperators` drives: which operators, on which cluster, with which clock (a virtual clock makes
 * their delays instant in tests).
 */
export interface OperatorsOptions {
  /** The cluster whose custom resources the operators watch and whose pods and statuses they write. */
  readonly cluster: ClusterPort;
  /** Times the operators' simulated delays and their retries after a failed write. */
  readonly clock: Clock;
  /** The operators to run, usually `builtInOperators`; each watches its own kinds. */
  readonly operators: ReadonlyArray<SimulatedOperator>;
  /** Reconcile only resources in this namespace (all namespaces when absent). */
  readonly namespace?: string;
  /** Where failed reconciles are reported. Default: silent. */
  readonly logger?: Logger;
}

/**
 * Running simulated operators: stand-ins for the Spark, Kubeflow, Ray, Dask and batch Job controllers that a
 * real cluster would run, so CRD plugins can be followed to a final phase without them.
 */
export interface Operators {
  /** Resolves once every informer has its first list. */
  readonly ready: () => Promise<void>;
  /** Stops reconciling: nothing new starts after the call, and it resolves once every watch has ended. */
  readonly stop: () => Promise<void>;
}

const ownerOf = (o: KubeObject): OwnerReference | undefined =>
  o.metadata?.uid === undefined
    ? undefined
    : {
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name ?? '',
        uid: o.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      };

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Starts one informer per operator kind plus one for pods, and reconciles a resource whenever it or one of its
 * pods changes. Reconciles are serialised per resource and coalesced; a failed write is retried after a short
 * delay. Without kube-controller-manager there is no garbage collector, so the runtime deletes a resource's pods
 * itself once the resource is being deleted or is gone.
 */
export const startOperators = (options: OperatorsOptions): Operators => {
  const { cluster, clock } = options;
  const logger = (options.logger ?? silentLogger).child({ component: 'simulated-operators' });
  const selection = options.namespace === undefined ? {} : { selection: { namespace: options.namespace } };
  const pods = new Informer({ cluster, clock, kind: POD, ...selection, logger });
  const byKind = new Map<string, { readonly op: SimulatedOperator; readonly informer: Informer }>();
  for (const op of options.operators) {
    byKind.set(gvkKey(op.kind), {
      op,
      informer: new Informer({ cluster, clock, kind: op.kind, ...selection, logger }),
    });
  }
  /** Pods by the uid of their controller. */
  const owned = new Map<string, Map<string, Pod>>();
  /** Last seen resource per uid, so pods of a vanished resource can still be cleaned up. */
  const resources = new Map<string, { readonly kindKey: string; readonly key: string }>();
  const running = new Set<string>();
  const again = new Set<string>();
  /** Pending requeueAfter timers, by resource uid. */
  const wakeups = new Map<string, () => void>();
  let stopped = false;

  const podsOf = (uid: string): ReadonlyArray<Pod> => [...(owned.get(uid)?.values() ?? [])];

  const controllerUid = (p: KubeObject): string | undefined =>
    p.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;

  pods.onEvent((e) => {
    const uid = controllerUid(e.object);
    if (uid === undefined) return;
    const key = objectKey(e.object);
    const m = owned.get(uid) ?? new Map<string, Pod>();
    if (e.type === 'upsert') m.set(key, e.object as Pod);
    else m.delete(key);
    if (m.size === 0) owned.delete(uid);
    else owned.set(uid, m);
    const r = resources.get(uid);
    if (r !== undefined) schedule(r.kindKey, r.key, uid);
    else if (e.type === 'upsert') schedule(undefined, undefined, uid);
  });

  for (const [kindKey, { informer }] of byKind) {
    informer.onEvent((e) => {
      const uid = e.object.metadata?.uid;
      if (uid === undefined) return;
      const key = objectKey(e.object);
      resources.set(uid, { kindKey, key });
      schedule(kindKey, key, uid);
    });
  }

  const schedule = (kindKey: string | undefined, key: string | undefined, uid: string): void => {
    if (stopped) return;
    if (running.has(uid)) {
      again.add(uid);
      return;
    }
    running.add(uid);
    void reconcile(kindKey, key, uid)
      .catch((e: unknown) => {
        logger.warn('operator reconcile failed', { uid, error: String(e) });
        return true;
      })
      .then((retry) => {
        running.delete(uid);
        if (stopped) return;
        if (again.delete(uid)) schedule(kindKey, key, uid);
        else if (retry)
          clock.setTimer(RETRY_MS, () => {
            schedule(kindKey, key, uid);
          });
      });
  };

  const deletePods = async (uid: string): Promise<boolean> => {
    let retry = false;
    for (const p of podsOf(uid)) {
      if (p.metadata?.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null) continue;
      const ref: ObjectRef = { ...POD, namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' };
      const r = await cluster.delete(ref, { propagationPolicy: 'Background' })();
      if (E.isLeft(r) && !isNotFound(r.left)) retry = true;
    }
    return retry;
  };

  /** Returns whether to retry later. */
  const reconcile = async (
    kindKey: string | undefined,
    key: string | undefined,
    uid: string,
  ): Promise<boolean> => {
    const entry = kindKey === undefined ? undefined : byKind.get(kindKey);
    const current = key === undefined ? undefined : entry?.informer.list().find((o) => objectKey(o) === key);
    const resource = current?.metadata?.uid === uid ? current : undefined;
    if (resource === undefined || entry === undefined) {
      // Orphans: pods whose controller is one of ours but gone (or never seen in this process).
      if (kindKey === undefined && !isOwnedKind(uid)) return false;
      return deletePods(uid);
    }
    if (resource.metadata?.deletionTimestamp !== undefined && resource.metadata.deletionTimestamp !== null) {
      return deletePods(uid);
    }
    const now = clock.now();
    const namespace = resource.metadata?.namespace ?? '';
    const mine = podsOf(uid);
    const have = new Set(mine.map((p) => p.metadata?.name));
    const owner = ownerOf(resource);
    let retry = false;
    for (const p of entry.op.desiredPods(resource, mine, now)) {
      const name = p.metadata?.name;
      if (name === undefined || have.has(name) || owner === undefined) continue;
      const r = await cluster.create({
        ...p,
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...p.metadata, namespace, ownerReferences: [owner] },
      })();
      if (E.isLeft(r) && !isAlreadyExists(r.left)) {
        logger.warn('operator could not create a pod', { pod: name, error: showApiError(r.left) });
        retry = true;
      }
    }
    const after = entry.op.requeueAfter?.(resource, podsOf(uid), now);
    if (after !== undefined) {
      wakeups.get(uid)?.();
      wakeups.set(
        uid,
        clock.setTimer(Math.max(0, after), () => {
          wakeups.delete(uid);
          schedule(kindKey, key, uid);
        }),
      );
    }
    const status = entry.op.status(resource, podsOf(uid), now);
    if (status !== undefined && !sameJson(status, (resource as { status?: unknown }).status)) {
      const r = await cluster.updateStatus({ ...resource, status })();
      if (E.isLeft(r) && !isNotFound(r.left)) {
        if (!isConflict(r.left))
          logger.warn('operator could not write a status', { error: showApiError(r.left) });
        retry = true;
      }
    }
    return retry;
  };

  // A pod whose controller uid we have never seen as a resource: ours only if its owner kind is an operator kind.
  const isOwnedKind = (uid: string): boolean =>
    podsOf(uid).some((p) =>
      (p.metadata?.ownerReferences ?? []).some(
        (r) => r.uid === uid && byKind.has(gvkKey({ apiVersion: r.apiVersion, kind: r.kind })),
      ),
    );

  const informers = [pods, ...[...byKind.values()].map((v) => v.informer)];
  const started = Promise.all(informers.map((i) => i.start())).then(() => undefined);
  return {
    ready: () => started,
    stop: async () => {
      stopped = true;
      for (const cancel of wakeups.values()) cancel();
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
};
