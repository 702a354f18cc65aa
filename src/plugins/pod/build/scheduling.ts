// Scheduling constraints: tolerations, node selectors and node affinity, AND-ed so no merge can escape them.
import type {
  Affinity,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Toleration,
} from '../../../domain/kubernetes.js';
import { canonicalKey, dedupe } from './json.js';

/** Tolerations in order, each distinct toleration once. */
export const unionTolerations = (
  ...lists: ReadonlyArray<ReadonlyArray<Toleration> | undefined>
): ReadonlyArray<Toleration> => dedupe(lists.flatMap((l) => l ?? []));

const requirementKey = (r: NodeSelectorRequirement): string => canonicalKey(r);

const termKeys = (t: NodeSelectorTerm): ReadonlySet<string> =>
  new Set([
    ...(t.matchExpressions ?? []).map((r) => `e${requirementKey(r)}`),
    ...(t.matchFields ?? []).map((r) => `f${requirementKey(r)}`),
  ]);

/** Whether term `t` already requires everything `c` requires (so t AND c equals t). */
const implies = (t: NodeSelectorTerm, c: NodeSelectorTerm): boolean => {
  const have = termKeys(t);
  return [...termKeys(c)].every((k) => have.has(k));
};

const andTerms = (t: NodeSelectorTerm, c: NodeSelectorTerm): NodeSelectorTerm => {
  const have = termKeys(t);
  const expressions = [
    ...(t.matchExpressions ?? []),
    ...(c.matchExpressions ?? []).filter((r) => !have.has(`e${requirementKey(r)}`)),
  ];
  const fields = [
    ...(t.matchFields ?? []),
    ...(c.matchFields ?? []).filter((r) => !have.has(`f${requirementKey(r)}`)),
  ];
  return {
    ...(expressions.length === 0 ? {} : { matchExpressions: expressions }),
    ...(fields.length === 0 ? {} : { matchFields: fields }),
  };
};

/**
 * The pod's required node affinity AND a constraint given as alternative terms (c1 OR c2 ...). Each pod term t
 * becomes t AND ci for every i (distributing the AND over the OR); a term that already implies some ci is kept as
 * it is, which makes this idempotent. A pod without required terms takes the constraint's terms. So whatever
 * terms a task or template adds, every way the pod can schedule satisfies the constraint.
 */
export const andRequiredNodeTerms = (
  affinity: Affinity | undefined,
  constraint: ReadonlyArray<NodeSelectorTerm>,
): Affinity | undefined => {
  if (constraint.length === 0) return affinity;
  const nodeAffinity = affinity?.nodeAffinity ?? {};
  const existing = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const terms =
    existing.length === 0
      ? [...constraint]
      : existing.flatMap((t) =>
          constraint.some((c) => implies(t, c)) ? [t] : constraint.map((c) => andTerms(t, c)),
        );
  return {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [...dedupe(terms)] },
    },
  };
};

/** AND-s single requirements into every required term (Flyte's AddRequiredNodeSelectorRequirements, made total). */
export const addRequiredRequirements = (
  affinity: Affinity | undefined,
  requirements: ReadonlyArray<NodeSelectorRequirement>,
): Affinity | undefined =>
  requirements.length === 0
    ? affinity
    : andRequiredNodeTerms(affinity, [{ matchExpressions: [...requirements] }]);

/**
 * plugins.k8s.default-affinity applied to the pod's affinity: its required node terms are a constraint, AND-ed into
 * the pod's; its preferred node terms, pod affinity and pod anti-affinity are defaults, used when the pod sets none.
 */
export const applyDefaultAffinity = (
  pod: Affinity | undefined,
  defaults: Affinity | undefined,
): Affinity | undefined => {
  if (defaults === undefined) return pod;
  const preferred = defaults.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  const withDefaults: Affinity = {
    ...pod,
    ...(pod?.podAffinity === undefined && defaults.podAffinity !== undefined
      ? { podAffinity: defaults.podAffinity }
      : {}),
    ...(pod?.podAntiAffinity === undefined && defaults.podAntiAffinity !== undefined
      ? { podAntiAffinity: defaults.podAntiAffinity }
      : {}),
    ...(pod?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution === undefined &&
    preferred !== undefined
      ? { nodeAffinity: { ...pod?.nodeAffinity, preferredDuringSchedulingIgnoredDuringExecution: preferred } }
      : {}),
  };
  const required =
    defaults.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const result = andRequiredNodeTerms(withDefaults, required);
  return result === undefined || Object.keys(result).length === 0 ? undefined : result;
};
