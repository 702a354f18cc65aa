// Pod priority as kube-apiserver's Priority admission plugin and PriorityClass validation decide it.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import type { FieldError } from '../../domain/api-error.js';

export const PRIORITY_CLASS = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' } as const;

const PREEMPT_LOWER = 'PreemptLowerPriority';
/** The highest value a PriorityClass outside the reserved `system-` names may have. */
export const HIGHEST_USER_PRIORITY = 1_000_000_000;

const systemClass = (name: string, value: number, description: string): KubeObject => ({
  ...PRIORITY_CLASS,
  metadata: { name },
  value,
  description,
  preemptionPolicy: PREEMPT_LOWER,
});

/** The classes the API server creates at start-up (its scheduling bootstrap hook). */
export const SYSTEM_PRIORITY_CLASSES: ReadonlyArray<KubeObject> = [
  systemClass(
    'system-cluster-critical',
    2_000_000_000,
    'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  ),
  systemClass(
    'system-node-critical',
    2_000_001_000,
    'Used for system critical pods that must not be moved from their current node.',
  ),
];

const valueOf = (pc: KubeObject): number => (typeof pc['value'] === 'number' ? pc['value'] : 0);
const policyOf = (pc: KubeObject): string =>
  typeof pc['preemptionPolicy'] === 'string' ? pc['preemptionPolicy'] : PREEMPT_LOWER;
const isDefault = (pc: KubeObject): boolean => pc['globalDefault'] === true;

/**
 * The pod with its priority resolved, or why admission forbids it: a named class must exist; without a name the
 * global default class applies (the lowest-valued one, should there be several), else priority 0; a priority or
 * preemption policy already in the spec must equal what the class gives.
 */
export const admitPodPriority = (pod: Pod, classes: Iterable<KubeObject>): E.Either<string, Pod> => {
  const spec: PodSpec = pod.spec ?? { containers: [] };
  const wanted = spec.priorityClassName ?? '';
  let chosen: KubeObject | undefined;
  if (wanted !== '') {
    for (const pc of classes) if (pc.metadata?.name === wanted) chosen = pc;
    if (chosen === undefined) return E.left(`no PriorityClass with name ${wanted} was found`);
  } else {
    for (const pc of classes) {
      if (isDefault(pc) && (chosen === undefined || valueOf(pc) < valueOf(chosen))) chosen = pc;
    }
  }
  const priority = chosen === undefined ? 0 : valueOf(chosen);
  const policy = chosen === undefined ? PREEMPT_LOWER : policyOf(chosen);
  if (spec.priority !== undefined && spec.priority !== priority) {
    return E.left(
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  }
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== policy) {
    return E.left(
      `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
    );
  }
  const name = chosen?.metadata?.name;
  return E.right({
    ...pod,
    spec: {
      ...spec,
      ...(wanted === '' && name !== undefined ? { priorityClassName: name } : {}),
      priority,
      preemptionPolicy: policy,
    },
  });
};

/** A new PriorityClass with its defaults (preemptionPolicy). */
export const defaultPriorityClass = (pc: Record<string, unknown>): Record<string, unknown> => ({
  ...pc,
  preemptionPolicy: typeof pc['preemptionPolicy'] === 'string' ? pc['preemptionPolicy'] : PREEMPT_LOWER,
});

/** PriorityClass validation: `system-` names are reserved for the bootstrap classes; user values are bounded. */
export const validatePriorityClass = (pc: KubeObject): FieldError[] => {
  const name = pc.metadata?.name ?? '';
  const value = valueOf(pc);
  if (name.startsWith('system-')) {
    const known = SYSTEM_PRIORITY_CLASSES.find((s) => s.metadata?.name === name);
    if (known === undefined || valueOf(known) !== value || isDefault(pc)) {
      return [
        {
          type: 'FieldValueForbidden',
          field: 'metadata.name',
          detail: "priority class names with 'system-' prefix are reserved for system use only",
        },
      ];
    }
    return [];
  }
  if (value > HIGHEST_USER_PRIORITY) {
    return [
      {
        type: 'FieldValueForbidden',
        field: 'value',
        detail: `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`,
      },
    ];
  }
  return [];
};

/** Admission of a new PriorityClass: at most one may be the global default. */
export const admitPriorityClass = (pc: KubeObject, classes: Iterable<KubeObject>): string | undefined => {
  if (!isDefault(pc)) return undefined;
  for (const other of classes) {
    if (isDefault(other)) {
      return `PriorityClass ${other.metadata?.name ?? ''} is already marked as default. Only one default can exist`;
    }
  }
  return undefined;
};
