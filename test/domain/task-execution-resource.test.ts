// The TaskExecution resource: a structural CRD schema from the codecs, and the task an object describes.
import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { structural, structuralViolations } from '../../src/domain/structural-schema.js';
import {
  objectOfTask,
  taskExecutionCrd,
  taskOfObject,
  TASK_EXECUTION_FINALIZER,
} from '../../src/domain/task-execution-resource.js';
import { decodeTaskExecution, TaskExecutionC } from '../../src/domain/task.js';
import { arbTaskExecution } from '../../src/testing/arbitraries.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';

const schemaOf = (crd: KubeObject): Record<string, unknown> =>
  (crd['spec'] as { versions: Array<{ schema: { openAPIV3Schema: Record<string, unknown> } }> }).versions[0]!
    .schema.openAPIV3Schema;

const withUid = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, uid: 'u-1' } });

describe('the TaskExecution CRD', () => {
  it('has a structural schema: a type everywhere, no $ref, no additionalProperties: false', () => {
    expect(structuralViolations(schemaOf(taskExecutionCrd()))).toEqual([]);
  });

  it('makes the spec immutable with a CEL transition rule and serves status as a subresource', () => {
    const version = (taskExecutionCrd()['spec'] as { versions: Array<Record<string, unknown>> }).versions[0]!;
    expect(version['subresources']).toEqual({ status: {} });
    const spec = (schemaOf(taskExecutionCrd())['properties'] as Record<string, Record<string, unknown>>)[
      'spec'
    ]!;
    expect(spec['x-kubernetes-validations']).toEqual([
      { rule: 'self == oldSelf', message: 'spec is immutable' },
    ]);
    expect((version['additionalPrinterColumns'] as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'Phase',
      'Reason',
      'Attempt',
      'Age',
    ]);
  });

  it.each([
    [
      'an open object keeps unknown fields',
      { type: 'object' },
      { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    ],
    [
      'a string-or-number is left open',
      { anyOf: [{ type: 'string' }, { type: 'number' }] },
      { 'x-kubernetes-preserve-unknown-fields': true },
    ],
    ['a constant becomes an enum', { const: 'v1' }, { type: 'string', enum: ['v1'] }],
    [
      'strictness is pruning',
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
      { type: 'object', properties: { a: { type: 'string' } } },
    ],
    ["defaults are the decoder's", { type: 'string', default: 'x' }, { type: 'string' }],
    ['a schema without type is open', {}, { 'x-kubernetes-preserve-unknown-fields': true }],
  ])('%s', (_, input, expected) => {
    expect(structural(input)).toEqual(expected);
  });
});

describe('taskOfObject', () => {
  test.prop([arbTaskExecution])(
    'a task file submitted as an object reads back as the same task, owned by it',
    (te) => {
      const o = withUid(objectOfTask(te));
      expect(o.metadata?.finalizers).toEqual([TASK_EXECUTION_FINALIZER]);
      const back = taskOfObject(o);
      expect(E.isRight(back)).toBe(true);
      if (E.isLeft(back)) return;
      const { ownerReference, ...execution } = back.right.execution;
      // The task file as `run` reads it (decoding normalises quantities, say), without an owner reference.
      const read = decodeTaskExecution(TaskExecutionC.encode(te));
      if (E.isLeft(read)) throw new Error('the arbitrary task does not decode');
      const { ownerReference: _o, ...expected } = read.right.execution;
      expect(TaskExecutionC.encode({ ...back.right, execution })).toEqual(
        TaskExecutionC.encode({ ...read.right, execution: expected }),
      );
      expect(ownerReference).toEqual({
        apiVersion: 'kubetasks.dev/v1alpha1',
        kind: 'TaskExecution',
        name: o.metadata?.name,
        uid: 'u-1',
        controller: true,
      });
    },
  );

  const bare = (spec: unknown): KubeObject => ({
    apiVersion: 'kubetasks.dev/v1alpha1',
    kind: 'TaskExecution',
    metadata: { name: 'hello', namespace: 'team-a', uid: 'u' },
    spec,
  });
  const task = { id: { name: 't' }, type: 'container', container: { image: 'busybox' } };

  it('takes the namespace from the object and defaults the id from its name', () => {
    const r = taskOfObject(bare({ task }));
    expect(E.isRight(r) && r.right.execution).toMatchObject({
      namespace: 'team-a',
      id: { run: 'hello', action: 'a0' },
    });
  });

  it.each([
    [
      'a spec naming another namespace',
      { task, execution: { namespace: 'other' } },
      ['spec', 'execution', 'namespace'],
    ],
    ['a missing image', { task: { ...task, container: {} } }, ['spec', 'task', 'container', 'image']],
    ['an unknown key', { task: { ...task, contaner: {} } }, ['spec', 'task', 'contaner']],
    ['no spec at all', undefined, ['spec']],
  ])('%s is an issue whose path starts at the object', (_, spec, path) => {
    const r = taskOfObject(bare(spec));
    expect(E.isLeft(r) && r.left.map((i) => i.path)).toContainEqual(path);
  });
});

describe('objectOfTask', () => {
  it('leaves the namespace to the object and names it <run>-<action>', () => {
    const o = objectOfTask({
      task: { id: { name: 't' }, type: 'container' },
      execution: { id: { run: 'r1', action: 'Main' }, namespace: 'ns' },
    });
    expect(o.metadata).toMatchObject({ name: expect.stringMatching(/^r1-main/), namespace: 'ns' });
    expect((o['spec'] as { execution: Record<string, unknown> }).execution['namespace']).toBeUndefined();
  });
});
