// ResourceQuota admission for pods: counts and compute requests/limits against each quota's hard limits.
import type { Container, KubeObject, Pod } from '../../domain/kubernetes.js';
import * as Q from '../../domain/quantity.js';
import { isObject } from './json.js';
import { quantityOf } from './pods.js';

type Usage = Map<string, Q.Quantity>;

const quantity = quantityOf;

// The pod's effective request or limit of a resource: max(sum over containers, max over init containers).
const podAmount = (pod: Pod, which: 'requests' | 'limits', resource: string): Q.Quantity | undefined => {
  const of = (c: Container): Q.Quantity | undefined => quantity(c.resources?.[which]?.[resource]);
  const main = (pod.spec?.containers ?? []).map(of);
  const init = (pod.spec?.initContainers ?? []).map(of);
  if ([...main, ...init].every((q) => q === undefined)) return undefined;
  const sum = Q.sum(main.filter((q): q is Q.Quantity => q !== undefined));
  return init.reduce<Q.Quantity>((m, q) => (q === undefined ? m : Q.max(m, q)), sum);
};

// Quota resource name -> how one pod uses it (undefined: the pod does not say, for compute resources).
const usageOf = (pod: Pod, resource: string): Q.Quantity | undefined => {
  switch (resource) {
    case 'pods':
    case 'count/pods':
      return Q.fromInteger(1);
    case 'cpu':
    case 'requests.cpu':
      return podAmount(pod, 'requests', 'cpu');
    case 'memory':
    case 'requests.memory':
      return podAmount(pod, 'requests', 'memory');
    case 'limits.cpu':
      return podAmount(pod, 'limits', 'cpu');
    case 'limits.memory':
      return podAmount(pod, 'limits', 'memory');
    default:
      return undefined;
  }
};

const COMPUTE = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

// Pods that count against quota: not terminal and not being deleted.
const counts = (pod: Pod): boolean =>
  pod.metadata?.deletionTimestamp === undefined &&
  pod.status?.phase !== 'Succeeded' &&
  pod.status?.phase !== 'Failed';

const pretty = (u: Usage): string =>
  [...u.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${Q.format(v)}`)
    .join(',');

/**
 * Why the quotas refuse the new pod, in the quota admission plugin's words, or undefined when they admit it.
 * Usage is computed from the pods stored now (the quota controller's view, without its delay).
 */
export const podQuotaRefusal = (
  quotas: ReadonlyArray<KubeObject>,
  existing: Iterable<KubeObject>,
  pod: Pod,
): string | undefined => {
  const sorted = [...quotas].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const live = [...existing].filter((p) => counts(p as Pod)) as Pod[];
  for (const q of sorted) {
    const spec = isObject(q['spec']) ? q['spec'] : {};
    const hard = isObject(spec['hard']) ? spec['hard'] : {};
    const name = q.metadata?.name ?? '';
    const missing: string[] = [];
    const requested: Usage = new Map();
    const used: Usage = new Map();
    const limited: Usage = new Map();
    for (const [resource, raw] of Object.entries(hard)) {
      const limit = quantity(raw);
      if (limit === undefined) continue;
      const want = usageOf(pod, resource);
      if (want === undefined) {
        if (COMPUTE.has(resource)) missing.push(resource);
        continue;
      }
      const inUse = Q.sum(
        live.map((p) => usageOf(p, resource)).filter((x): x is Q.Quantity => x !== undefined),
      );
      if (Q.gt(Q.add(inUse, want), limit)) {
        requested.set(resource, want);
        used.set(resource, inUse);
        limited.set(resource, limit);
      }
    }
    if (missing.length > 0) return `failed quota: ${name}: must specify ${missing.sort().join(',')}`;
    if (requested.size > 0) {
      return `exceeded quota: ${name}, requested: ${pretty(requested)}, used: ${pretty(used)}, limited: ${pretty(limited)}`;
    }
  }
  return undefined;
};
