// The simulated training operator (kubeflow.org/v1 PyTorchJob, TFJob, MPIJob): role pods, then the job's conditions.
import { isPlainObject } from '../../domain/codec.js';
import type { KubeObject, Pod } from '../../domain/kubernetes.js';
import { formatInstant, type Instant } from '../../domain/time.js';
import {
  JOB_NAME_LABEL,
  JOB_ROLE_LABEL,
  KUBEFLOW_API_VERSION,
  OPERATOR_NAME_LABEL,
  REPLICA_INDEX_LABEL,
  REPLICA_TYPE_LABEL,
  type KubeflowKind,
} from '../../plugins/kubeflow/common/index.js';
import { mpiKind } from '../../plugins/kubeflow/mpi.js';
import { pytorchKind } from '../../plugins/kubeflow/pytorch.js';
import { tensorflowKind } from '../../plugins/kubeflow/tensorflow.js';
import { scenarioAnnotations, type SimulatedOperator } from './operator.js';
import { stringMap, withoutScenario } from './template.js';

type Json = Record<string, unknown>;

/** The role the task's scenario hits unless the job names another (`kubetasks.dev/scenario-role`). */
export const KUBEFLOW_DEFAULT_SCENARIO_ROLE = 'worker';

interface RoleSpec {
  readonly role: string;
  readonly replicas: number;
  readonly restartPolicy: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Json;
}

/** The job's replica specs in the kind's role order (roles the kind does not know come last). */
const roleSpecs = (kind: KubeflowKind, resource: KubeObject): ReadonlyArray<RoleSpec> => {
  const spec = (resource as { spec?: unknown }).spec;
  const specs =
    isPlainObject(spec) && isPlainObject(spec[kind.replicaSpecsKey]) ? spec[kind.replicaSpecsKey] : {};
  const order = (r: string): number => {
    const i = kind.roles.indexOf(r);
    return i < 0 ? kind.roles.length : i;
  };
  return Object.entries(specs as Json)
    .filter((e): e is [string, Json] => isPlainObject(e[1]))
    .sort(([a], [b]) => order(a) - order(b))
    .map(([role, r]) => {
      const tpl = isPlainObject(r['template']) ? r['template'] : {};
      const meta = isPlainObject(tpl['metadata']) ? tpl['metadata'] : {};
      const n = r['replicas'];
      return {
        role,
        replicas: typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 1,
        restartPolicy: typeof r['restartPolicy'] === 'string' ? r['restartPolicy'] : 'Never',
        labels: stringMap(meta['labels']),
        annotations: stringMap(meta['annotations']),
        spec: isPlainObject(tpl['spec']) ? tpl['spec'] : {},
      };
    });
};

const podPhase = (p: Pod): string => p.status?.phase ?? '';

/** A pod that will not succeed: Failed, disrupted (preemption, eviction), or going away before it finished. */
const hasFailed = (p: Pod): boolean =>
  podPhase(p) === 'Failed' ||
  (podPhase(p) !== 'Succeeded' &&
    ((p.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True') ||
      (p.metadata?.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null)));

const roleOf = (p: Pod): string => p.metadata?.labels?.[REPLICA_TYPE_LABEL] ?? '';

// -------------------------------------------------------------------------------------
// status
// -------------------------------------------------------------------------------------

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly lastUpdateTime: string;
  readonly lastTransitionTime: string;
}

const readConditions = (status: unknown): ReadonlyArray<Condition> => {
  const cs =
    isPlainObject(status) && Array.isArray(status['conditions']) ? (status['conditions'] as unknown[]) : [];
  return cs.filter(isPlainObject).map((c) => ({
    type: typeof c['type'] === 'string' ? c['type'] : '',
    status: typeof c['status'] === 'string' ? c['status'] : '',
    reason: typeof c['reason'] === 'string' ? c['reason'] : '',
    message: typeof c['message'] === 'string' ? c['message'] : '',
    lastUpdateTime: typeof c['lastUpdateTime'] === 'string' ? c['lastUpdateTime'] : '',
    lastTransitionTime: typeof c['lastTransitionTime'] === 'string' ? c['lastTransitionTime'] : '',
  }));
};

/**
 * The operator's setCondition: nothing when the type already has this status and reason; otherwise the type's entry
 * moves to the end; Running and Restarting replace each other; finishing sets Running (and Suspended) to False.
 */
const setCondition = (conds: ReadonlyArray<Condition>, c: Condition): ReadonlyArray<Condition> => {
  const current = conds.find((x) => x.type === c.type);
  if (current !== undefined && current.status === c.status && current.reason === c.reason) return conds;
  const finishing = c.type === 'Succeeded' || c.type === 'Failed';
  const out: Condition[] = [];
  for (const x of conds) {
    if (x.type === c.type) continue;
    if (
      (c.type === 'Running' && x.type === 'Restarting') ||
      (c.type === 'Restarting' && x.type === 'Running')
    )
      continue;
    out.push(
      finishing && (x.type === 'Running' || x.type === 'Suspended') && x.status === 'True'
        ? { ...x, status: 'False' }
        : x,
    );
  }
  out.push(
    current !== undefined && current.status === c.status
      ? { ...c, lastTransitionTime: current.lastTransitionTime }
      : c,
  );
  return out;
};

const isTrue = (conds: ReadonlyArray<Condition>, type: string): boolean =>
  conds.some((c) => c.type === type && c.status === 'True');

/** The roles whose pods decide success: the master-like role when the job has one (MPI launcher, TF chief), else workers. */
const successRoles = (kind: KubeflowKind, roles: ReadonlyArray<RoleSpec>): ReadonlyArray<RoleSpec> => {
  const masters = roles.filter((r) => kind.masterRoles.includes(r.role) && r.replicas > 0);
  return masters.length > 0 ? masters : roles.filter((r) => r.role === 'Worker');
};

const kubeflowStatus = (
  kind: KubeflowKind,
  resource: KubeObject,
  pods: ReadonlyArray<Pod>,
  now: Instant,
): unknown => {
  const previous = (resource as { status?: unknown }).status;
  let conds = readConditions(previous);
  if (isTrue(conds, 'Succeeded') || isTrue(conds, 'Failed')) return undefined;
  const name = `${resource.metadata?.namespace ?? ''}/${resource.metadata?.name ?? ''}`;
  const at = formatInstant(now);
  const cond = (type: string, message: string): Condition => ({
    type,
    status: 'True',
    // The MPIJob controller (training-operator 1.9) prefixes its failure reason twice: MPIJobMPIJobFailed.
    reason: kind.kind === 'MPIJob' && type === 'Failed' ? 'MPIJobMPIJobFailed' : `${kind.kind}${type}`,
    message,
    lastUpdateTime: at,
    lastTransitionTime: at,
  });
  const roles = roleSpecs(kind, resource);
  conds = setCondition(conds, cond('Created', `${kind.kind} ${name} is created.`));
  const replicaStatuses: Record<string, Json> = {};
  const failedRoles: { role: string; n: number }[] = [];
  // The MPIJob controller stops counting the workers once the launcher has finished.
  const launcherDone =
    kind.kind === 'MPIJob' &&
    pods.some((p) => roleOf(p) === 'launcher' && ['Succeeded', 'Failed'].includes(podPhase(p)));
  for (const r of roles) {
    const mine = pods.filter(
      (p) => roleOf(p) === r.role.toLowerCase() && !(launcherDone && r.role === 'Worker'),
    );
    const active = mine.filter((p) => podPhase(p) === 'Running' && !hasFailed(p)).length;
    const succeeded = mine.filter((p) => podPhase(p) === 'Succeeded').length;
    const failed = mine.filter(hasFailed).length;
    replicaStatuses[r.role] = {
      ...(active === 0 ? {} : { active }),
      ...(succeeded === 0 ? {} : { succeeded }),
      ...(failed === 0 ? {} : { failed }),
    };
    // With OnFailure or Always the kubelet restarts the containers in place; Never (and ExitCode) fail the job.
    if (failed > 0 && (r.restartPolicy === 'Never' || r.restartPolicy === 'ExitCode'))
      failedRoles.push({ role: r.role, n: failed });
  }
  // PyTorch and TF: rank 0 cannot finish before the ranks it waits for, so the simulation declares success only once
  // every pod ended (the operator declares it as soon as the master or chief succeeded; docs/testing.md). MPI: the
  // launcher's success is the job's, while the workers (sshd) still run, as the operator does.
  const decisive = successRoles(kind, roles);
  const allEnded =
    kind.kind === 'MPIJob' ||
    (pods.length > 0 && pods.every((p) => podPhase(p) === 'Succeeded' || hasFailed(p)));
  const succeeded =
    allEnded &&
    decisive.length > 0 &&
    decisive.every(
      (r) =>
        pods.filter((p) => roleOf(p) === r.role.toLowerCase() && podPhase(p) === 'Succeeded').length >=
        r.replicas,
    );
  // Running, as the operator says it: a pod of the master-like role runs (PyTorch Master, TF Chief or Master), else a
  // worker runs; an MPIJob runs once its launcher and every worker run.
  const runningIn = (role: string): number =>
    pods.filter((p) => roleOf(p) === role.toLowerCase() && podPhase(p) === 'Running' && !hasFailed(p)).length;
  const isRunning =
    kind.kind === 'MPIJob'
      ? runningIn('Launcher') > 0 && runningIn('Worker') === pods.filter((p) => roleOf(p) === 'worker').length
      : decisive.some((r) => runningIn(r.role) > 0);
  const prevStart =
    isPlainObject(previous) && typeof previous['startTime'] === 'string' ? previous['startTime'] : undefined;
  let completionTime: string | undefined;
  const first = failedRoles[0];
  if (first !== undefined) {
    conds = setCondition(
      conds,
      cond('Failed', `${kind.kind} ${name} is failed because ${first.n} ${first.role} replica(s) failed.`),
    );
    completionTime = at;
  } else if (succeeded) {
    conds = setCondition(conds, cond('Succeeded', `${kind.kind} ${name} is successfully completed.`));
    completionTime = at;
  } else if (isRunning) {
    conds = setCondition(conds, cond('Running', `${kind.kind} ${name} is running.`));
  }
  return {
    conditions: conds,
    replicaStatuses,
    startTime: prevStart ?? at,
    ...(completionTime === undefined ? {} : { completionTime }),
  };
};

// -------------------------------------------------------------------------------------
// pods
// -------------------------------------------------------------------------------------

/**
 * The templates carry the execution's annotations (as in Flyte), the scenario among them; the scenario is the job's,
 * and goes only to the pods of its role.
 */
const rolePod = (kind: KubeflowKind, resource: KubeObject, r: RoleSpec, index: number): Pod => {
  const job = resource.metadata?.name ?? '';
  const role = r.role.toLowerCase();
  // The template's spec was built by the plugin (and validated by the API server); the operator copies it as is.
  const spec = {
    containers: [],
    ...r.spec,
    // The operator sets each pod's restart policy from its replica spec (ExitCode is Never for the kubelet).
    restartPolicy: r.restartPolicy === 'ExitCode' ? 'Never' : r.restartPolicy,
  } as NonNullable<Pod['spec']>;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: kind.podName(job, r.role, index),
      labels: {
        ...r.labels,
        [OPERATOR_NAME_LABEL]: `${kind.kind.toLowerCase()}-controller`,
        [JOB_NAME_LABEL]: job,
        [REPLICA_TYPE_LABEL]: role,
        [REPLICA_INDEX_LABEL]: String(index),
        ...(kind.masterRoles.includes(r.role) ? { [JOB_ROLE_LABEL]: 'master' } : {}),
      },
      annotations: {
        ...withoutScenario(r.annotations),
        ...scenarioAnnotations(resource, role, KUBEFLOW_DEFAULT_SCENARIO_ROLE),
      },
    },
    spec,
  };
};

const kubeflowDesiredPods = (kind: KubeflowKind, resource: KubeObject): ReadonlyArray<Pod> => {
  const conds = readConditions((resource as { status?: unknown }).status);
  if (isTrue(conds, 'Succeeded') || isTrue(conds, 'Failed')) return [];
  const roles = roleSpecs(kind, resource);
  // Every role's pods at once: the MPIJob controller too creates its launcher with the workers (in a cluster the
  // launcher's mpirun waits for them).
  const out: Pod[] = [];
  for (const r of roles) {
    const n = kind.kind === 'MPIJob' && r.role === 'Launcher' ? 1 : r.replicas;
    for (let i = 0; i < n; i++) out.push(rolePod(kind, resource, r, i));
  }
  return out;
};

/** The simulated training operator for one kind. */
export const kubeflowOperator = (kind: KubeflowKind): SimulatedOperator => ({
  kind: { apiVersion: KUBEFLOW_API_VERSION, kind: kind.kind },
  desiredPods: (resource) => kubeflowDesiredPods(kind, resource),
  status: (resource, pods, now) => kubeflowStatus(kind, resource, pods, now),
});

/** The training operator for PyTorchJob. */
export const pytorchOperator: SimulatedOperator = kubeflowOperator(pytorchKind);
/** The training operator for TFJob. */
export const tensorflowOperator: SimulatedOperator = kubeflowOperator(tensorflowKind);
/** The training operator for MPIJob. */
export const mpiOperator: SimulatedOperator = kubeflowOperator(mpiKind);

/** The three kinds the training operator serves. */
export const kubeflowOperators: ReadonlyArray<SimulatedOperator> = [
  pytorchOperator,
  tensorflowOperator,
  mpiOperator,
];
