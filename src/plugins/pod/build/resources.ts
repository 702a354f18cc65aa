// Resource rules: one rule for every container (defaults, a missing side mirrors the other, platform ceilings).
import * as E from 'fp-ts/lib/Either.js';
import type { PathSegment } from '../../../domain/codec.js';
import type { ResourceRequirements } from '../../../domain/kubernetes.js';
import type { BuildContext } from '../../../domain/plugin.js';
import * as Q from '../../../domain/quantity.js';

type ResourceList = Readonly<Record<string, string>>;

/** The generic GPU key tasks may use; it becomes the accelerator's resource name. */
export const GENERIC_GPU = 'gpu';

/** Resources the scheduler may overcommit; every other resource needs request = limit. */
export const OVERCOMMITTABLE: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** The resources every container gets a request (and so a limit) for. */
export const DEFAULTED: ReadonlyArray<string> = ['cpu', 'memory'];

export interface ResourcePolicy {
  /** Default requests: the execution's platform requests, else plugins.k8s default-cpus / default-memory. */
  readonly defaults: ResourceList;
  /** Ceilings: the execution's platform limits (zero means none). */
  readonly ceilings: ResourceList;
  /** What the generic `gpu` key becomes. */
  readonly gpuResourceName: string;
}

/**
 * The defaults and ceilings for one task's containers: the execution's platform resources when set, else
 * `plugins.k8s`'s default cpu and memory.
 */
export const resourcePolicy = (ctx: BuildContext, gpuResourceName: string): ResourcePolicy => {
  const k8s = ctx.config.plugins.k8s;
  const platform = ctx.task.execution.platformResources;
  return {
    defaults: { cpu: k8s['default-cpus'], memory: k8s['default-memory'], ...(platform?.requests ?? {}) },
    ceilings: platform?.limits ?? {},
    gpuResourceName,
  };
};

export interface ResourceProblem {
  /** Relative to the resources object: ["requests", "cpu"]. */
  readonly path: ReadonlyArray<PathSegment>;
  readonly message: string;
}

// A zero quantity means "not set", as in Flyte: a zero limit would otherwise starve the container.
const read = (
  list: ResourceList | undefined,
  name: string,
  side: 'requests' | 'limits',
): E.Either<ResourceProblem, Q.Quantity | undefined> => {
  const s = list?.[name];
  if (s === undefined) return E.right(undefined);
  const q = Q.parse(s);
  if (E.isLeft(q)) return E.left({ path: [side, name], message: q.left });
  if (Q.sign(q.right) < 0)
    return E.left({ path: [side, name], message: `must not be negative, got ${JSON.stringify(s)}` });
  return E.right(Q.isZero(q.right) ? undefined : q.right);
};

const orderNames = (names: Iterable<string>): ReadonlyArray<string> => {
  const set = new Set(names);
  const rest = [...set].filter((n) => !DEFAULTED.includes(n)).sort();
  return [...DEFAULTED.filter((n) => set.has(n)), ...rest];
};

const namesOf = (r: ResourceRequirements | undefined): ReadonlyArray<string> =>
  orderNames([...Object.keys(r?.requests ?? {}), ...Object.keys(r?.limits ?? {})]);

/**
 * What is wrong with resources as one source wrote them: a negative or unparsable quantity, a request above its
 * limit, or a resource the scheduler cannot overcommit (GPUs and other extended resources) with request ≠ limit.
 * Kubernetes rejects all of these; Flyte silently lowered such a request.
 */
export const resourceProblem = (r: ResourceRequirements | undefined): ResourceProblem | undefined => {
  for (const name of namesOf(r)) {
    const req = read(r?.requests, name, 'requests');
    if (E.isLeft(req)) return req.left;
    const lim = read(r?.limits, name, 'limits');
    if (E.isLeft(lim)) return lim.left;
    const [q, l] = [req.right, lim.right];
    if (q === undefined || l === undefined) continue;
    if (Q.gt(q, l)) {
      return {
        path: ['requests', name],
        message: `the request ${Q.format(q)} is above the limit ${Q.format(l)}; a request may not exceed its limit`,
      };
    }
    if (!OVERCOMMITTABLE.has(name) && !Q.Eq.equals(q, l)) {
      return {
        path: ['requests', name],
        message: `the request ${Q.format(q)} differs from the limit ${Q.format(l)}; ${name} cannot be overcommitted, so request and limit must be equal`,
      };
    }
  }
  return undefined;
};

const renameGpu = (list: ResourceList | undefined, target: string): ResourceList | undefined => {
  if (list === undefined || !(GENERIC_GPU in list) || target === GENERIC_GPU) return list;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(list)) if (k !== GENERIC_GPU) out[k] = v;
  const gpu = list[GENERIC_GPU];
  if (gpu !== undefined) out[target] = gpu;
  return out;
};

/** Replaces the generic `gpu` key of requests and limits by the accelerator's resource name. */
export const convertGpuKey = (
  r: ResourceRequirements | undefined,
  target: string,
): ResourceRequirements | undefined => {
  if (r === undefined) return undefined;
  const requests = renameGpu(r.requests, target);
  const limits = renameGpu(r.limits, target);
  const { requests: _r, limits: _l, ...rest } = r;
  return {
    ...rest,
    ...(limits === undefined ? {} : { limits: { ...limits } }),
    ...(requests === undefined ? {} : { requests: { ...requests } }),
  };
};

/**
 * The one resource rule, for every container and init container alike:
 * 1. `gpu` becomes the accelerator resource name;
 * 2. cpu and memory: request := request, else limit, else the platform default; limit := limit, else request;
 * 3. any other resource the container names: request := request, else limit; limit := limit, else request;
 * 4. each value is lowered to the platform ceiling for that resource, if there is one.
 * Zero counts as unset. The result has request ≤ limit for every resource. Idempotent.
 */
export const applyResourceRule = (
  r: ResourceRequirements | undefined,
  policy: ResourcePolicy,
): E.Either<ResourceProblem, ResourceRequirements> => {
  const converted = convertGpuKey(r, policy.gpuResourceName);
  const problem = resourceProblem(converted);
  if (problem !== undefined) return E.left(problem);
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const name of orderNames([...DEFAULTED, ...namesOf(converted)])) {
    const req = read(converted?.requests, name, 'requests');
    const lim = read(converted?.limits, name, 'limits');
    const ceiling = read(policy.ceilings, name, 'limits');
    const fallback = DEFAULTED.includes(name) ? read(policy.defaults, name, 'requests') : E.right(undefined);
    if (E.isLeft(req) || E.isLeft(lim)) continue; // cannot happen: resourceProblem read them already
    const ceil = E.isRight(ceiling) ? ceiling.right : undefined;
    let request = req.right ?? lim.right ?? (E.isRight(fallback) ? fallback.right : undefined);
    let limit = lim.right ?? request;
    if (request === undefined || limit === undefined) continue;
    if (ceil !== undefined) {
      request = Q.min(request, ceil);
      limit = Q.min(limit, ceil);
    }
    requests[name] = pick(converted?.requests?.[name], request);
    limits[name] = pick(converted?.limits?.[name], limit);
  }
  const { requests: _r, limits: _l, ...rest } = converted ?? {};
  return E.right({
    ...rest,
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
    ...(Object.keys(requests).length === 0 ? {} : { requests }),
  });
};

// Keep the spelling the user wrote when the value is unchanged, else the canonical form.
const pick = (written: string | undefined, q: Q.Quantity): string => {
  if (written !== undefined) {
    const w = Q.parse(written);
    if (E.isRight(w) && Q.Eq.equals(w.right, q)) return written;
  }
  return Q.format(q);
};
