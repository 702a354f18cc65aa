// The TaskExecution custom resource: its spec codec, its CRD (schema generated from the codecs), and task <-> object.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { decode, isPlainObject, struct, type DecodeIssue } from './codec.js';
import type { GroupVersionKind, KubeObject } from './kubernetes.js';
import { objectName } from './names.js';
import { toStructuralSchema } from './structural-schema.js';
import {
  API_VERSION,
  ExecutionMetadata,
  KIND,
  TaskExecutionC,
  TaskTemplate,
  type TaskExecution,
} from './task.js';
import { TaskExecutionStatusC, type TaskExecutionStatus } from './task-execution-status.js';

export const GROUP = 'kubetasks.dev';
export const VERSION = 'v1alpha1';
export const PLURAL = 'taskexecutions';

/** The kind, as the cluster port addresses it. */
export const TASK_EXECUTION: GroupVersionKind = { apiVersion: API_VERSION, kind: KIND };

/**
 * The controller's finalizer on a TaskExecution: a deleted TaskExecution stays (with its status, where the task's
 * state lives) until its task is aborted and every object it created is cleaned up.
 */
export const TASK_EXECUTION_FINALIZER = 'kubetasks.dev/task-execution';

/** The action of `execution.id` when a TaskExecution leaves the id out (its run is the object's name). */
export const DEFAULT_ACTION = 'a0';

/** `execution` in a TaskExecution's spec: the task file's, with `id` and `namespace` optional (the object has them). */
export const ExecutionSpec = struct(
  'ExecutionSpec',
  {},
  { ...ExecutionMetadata.required, ...ExecutionMetadata.optional },
  'Where and how it runs. The namespace is the TaskExecution\'s; the id defaults to {run: <name>, action: "a0"}.',
);

/** A TaskExecution's spec: the task file without apiVersion and kind. Immutable once created. */
export const TaskExecutionSpecC = struct(
  'TaskExecutionSpec',
  { task: TaskTemplate },
  { execution: ExecutionSpec },
  'The task and its execution; immutable once created.',
);

// -------------------------------------------------------------------------------------
// the CRD
// -------------------------------------------------------------------------------------

/** A printer column of `kubectl get taskexecutions`. */
const column = (name: string, type: string, jsonPath: string, description: string) => ({
  name,
  type,
  jsonPath,
  description,
});

/** The CustomResourceDefinition that serves TaskExecutions, its schema generated from the codecs. */
export const taskExecutionCrd = (): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    names: {
      kind: KIND,
      listKind: `${KIND}List`,
      plural: PLURAL,
      singular: 'taskexecution',
      shortNames: ['te'],
      categories: ['kubetasks'],
    },
    scope: 'Namespaced',
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          column('Phase', 'string', '.status.phase', 'The phase of the task'),
          column(
            'Reason',
            'string',
            '.status.reason',
            'Why it is in that phase (the error code of a failure)',
          ),
          column('Attempt', 'integer', '.status.attempt', 'Zero-based attempt'),
          column('Age', 'date', '.metadata.creationTimestamp', 'Time since the TaskExecution was created'),
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'One execution of a task, run by the kubetasks controller.',
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                ...toStructuralSchema(TaskExecutionSpecC),
                'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'spec is immutable' }],
              },
              status: toStructuralSchema(TaskExecutionStatusC),
            },
          },
        },
      },
    ],
  },
});

// -------------------------------------------------------------------------------------
// task <-> object
// -------------------------------------------------------------------------------------

const prefixed = (issues: ReadonlyArray<DecodeIssue>): ReadonlyArray<DecodeIssue> =>
  issues.map((i) => ({ ...i, path: ['spec', ...i.path] }));

const issue = (path: ReadonlyArray<string>, expected: string, actual?: unknown): DecodeIssue => ({
  path,
  expected,
  ...(actual === undefined ? {} : { actual }),
});

/**
 * The task a TaskExecution object describes: its spec decoded as a task file, the namespace taken from the object
 * (a spec naming another one is an issue), `execution.id` defaulted from the object's name, and an owner
 * reference to the object, so the garbage collector removes what the task created once the object is gone.
 * Issues' paths start at the object (`spec.task.container.image`).
 */
export const taskOfObject = (o: KubeObject): E.Either<ReadonlyArray<DecodeIssue>, TaskExecution> => {
  const name = o.metadata?.name ?? '';
  const namespace = o.metadata?.namespace ?? '';
  const spec = o['spec'];
  if (!isPlainObject(spec)) return E.left([issue(['spec'], 'an object with task and execution', spec)]);
  const execution = spec['execution'] ?? {};
  if (!isPlainObject(execution))
    return E.left([issue(['spec', 'execution'], 'an object (a mapping of keys to values)', execution)]);
  const declared = execution['namespace'];
  if (declared !== undefined && declared !== namespace) {
    return E.left([
      issue(
        ['spec', 'execution', 'namespace'],
        `the TaskExecution's own namespace "${namespace}" or nothing`,
        declared,
      ),
    ]);
  }
  const uid = o.metadata?.uid;
  return pipe(
    decode(TaskExecutionC)({
      ...Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'execution')),
      execution: {
        ...execution,
        namespace,
        id: execution['id'] ?? { run: name, action: DEFAULT_ACTION },
        ...(uid === undefined
          ? {}
          : { ownerReference: { apiVersion: o.apiVersion, kind: o.kind, name, uid, controller: true } }),
      },
    }),
    E.mapLeft(prefixed),
  );
};

/** The name `submit` gives a task file's TaskExecution: `<run>-<action>`, a valid object name. */
export const objectNameOf = (te: TaskExecution): string =>
  objectName([te.execution.id.run, te.execution.id.action]);

/**
 * The TaskExecution object for a task file, as `kubetasks submit` creates it: the spec is the file without
 * apiVersion and kind (and without the namespace, which is the object's), and the controller's finalizer is set
 * at creation so the controller need not add it with a write of its own.
 */
export const objectOfTask = (te: TaskExecution, name: string = objectNameOf(te)): KubeObject => {
  const encoded = TaskExecutionC.encode(te) as Record<string, unknown>;
  const { namespace: _ns, ...execution } = encoded['execution'] as Record<string, unknown>;
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: te.execution.namespace, finalizers: [TASK_EXECUTION_FINALIZER] },
    spec: { task: encoded['task'], execution },
  };
};

/** The status of a TaskExecution object as the controller wrote it; an unreadable one is empty. */
export const statusOfObject = (o: KubeObject): TaskExecutionStatus => {
  const s = o['status'];
  if (!isPlainObject(s)) return {};
  const r = TaskExecutionStatusC.decode(s);
  return E.isRight(r) ? r.right : {};
};
