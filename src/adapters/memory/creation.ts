// Creating objects in the in-memory cluster: the create strategies (defaults, generated names), validation and admission.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject, Pod } from '../../domain/kubernetes.js';
import { formatInstant } from '../../domain/time.js';
import {
  alreadyExists,
  badRequest,
  invalid,
  serverTimeout,
  statusError,
  type ApiError,
} from '../../domain/api-error.js';
import type { Clock } from '../../ports/clock.js';
import { admitCreate } from './admission.js';
import {
  asKube,
  metaOf,
  NAMESPACE_KIND,
  POD_KIND,
  PRIORITY_KIND,
  pruned,
  withMeta,
  type Mutable,
} from './draft.js';
import { cloneJson, isObject } from './json.js';
import { groupKindOf, groupResourceOf, type KindInfo } from './kinds.js';
import { defaultPod, undecodableQuantity, validatePodSpec } from './pods.js';
import { defaultPriorityClass, validatePriorityClass } from './priority.js';
import { nameSuffix, uuid, type Prng } from './prng.js';
import type { ObjectStore } from './store.js';
import { validateMetadata } from './validation.js';

const MAX_GENERATE_NAME_PREFIX = 58;
const GENERATE_NAME_ATTEMPTS = 8;

/** Creates an object of a served kind from a request body (which it copies), or says why not. */
export type CreateObject = (k: KindInfo, input: KubeObject) => E.Either<ApiError, KubeObject>;

const prepareCreate = (clock: Clock, k: KindInfo, input: KubeObject): E.Either<ApiError, Mutable> => {
  const inMeta = metaOf(input);
  if (inMeta.resourceVersion !== undefined && inMeta.resourceVersion !== '') {
    return E.left(statusError('Unknown', 'resourceVersion should not be set on objects to be created'));
  }
  const copy = cloneJson(input);
  let next = pruned(k, withMeta(copy, copy.metadata ?? {}));
  next['apiVersion'] = k.apiVersion;
  next['kind'] = k.kind;
  const meta = next.metadata;
  if (k.namespaced) {
    if (meta.namespace === undefined || meta.namespace === '') {
      return E.left(badRequest(`the namespace of the object is required for ${k.plural}`));
    }
  } else delete meta.namespace;
  delete meta.uid;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  delete meta.managedFields;
  delete meta.resourceVersion;
  if (k.generation === 'none') delete meta.generation;
  else meta.generation = 1;
  meta.creationTimestamp = formatInstant(clock.now());
  if (k.statusSubresource && !k.statusOnCreate) delete next['status'];
  if (k.key === POD_KIND) {
    const undecodable = undecodableQuantity(asKube(next) as Pod);
    if (undecodable !== undefined) return E.left(badRequest(undecodable));
    next = defaultPod(asKube(next) as Pod) as unknown as Mutable;
  }
  if (k.key === NAMESPACE_KIND) {
    const spec = isObject(next['spec']) ? next['spec'] : {};
    next['spec'] = {
      ...spec,
      finalizers: Array.isArray(spec['finalizers']) ? spec['finalizers'] : ['kubernetes'],
    };
    next['status'] = { phase: 'Active' };
  }
  if (k.key === PRIORITY_KIND) next = defaultPriorityClass(next) as Mutable;
  return E.right(next);
};

/** The create path over a store: uids and generated names come from `prng`, timestamps from `clock`. */
export const makeCreateObject = (store: ObjectStore, clock: Clock, prng: Prng): CreateObject => {
  const generatedName = (k: KindInfo, ns: string | undefined, prefix: string): string | undefined => {
    const base = prefix.slice(0, MAX_GENERATE_NAME_PREFIX);
    for (let i = 0; i < GENERATE_NAME_ATTEMPTS; i++) {
      const candidate = `${base}${nameSuffix(prng)}`;
      if (store.lookup(k, ns, candidate) === undefined) return candidate;
    }
    return undefined;
  };

  return (k, input) => {
    const prepared = prepareCreate(clock, k, input);
    if (E.isLeft(prepared)) return prepared;
    const next = prepared.right;
    const meta = next.metadata;
    const ns = k.namespaced ? meta.namespace : undefined;
    if (
      (meta.name === undefined || meta.name === '') &&
      meta.generateName !== undefined &&
      meta.generateName !== ''
    ) {
      const name = generatedName(k, ns, meta.generateName);
      if (name === undefined) return E.left(serverTimeout(groupResourceOf(k), 'POST', 0));
      meta.name = name;
    }
    if (k.key === NAMESPACE_KIND) {
      meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name ?? '' };
    }
    const name = meta.name ?? '';
    const errors = validateMetadata(k, meta);
    if (k.key === POD_KIND) errors.push(...validatePodSpec(asKube(next) as Pod));
    if (k.key === PRIORITY_KIND) errors.push(...validatePriorityClass(asKube(next)));
    if (errors.length > 0) return E.left(invalid(groupKindOf(k), name, errors));
    const refusal = admitCreate(store, k, next, ns, name);
    if (refusal !== undefined) return E.left(refusal);
    if (store.lookup(k, ns, name) !== undefined) return E.left(alreadyExists(groupResourceOf(k), name));
    meta.uid = uuid(prng);
    return E.right(store.write(k, next, undefined));
  };
};
