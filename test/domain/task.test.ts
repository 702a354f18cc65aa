// Task execution documents: decoding, derived values, and exact messages for malformed task files.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { loadTaskExecution } from '../../src/app/inputs.js';
import { renderInputError } from '../../src/app/source.js';
import { isDns1123Label } from '../../src/domain/names.js';
import * as _ from '../../src/domain/task.js';
import { arbTaskExecution } from '../../src/testing/arbitraries.js';

const minimal = {
  task: { id: { name: 't' }, type: 'container', container: { image: 'busybox' } },
  execution: { id: { run: 'r1', action: 'a' }, namespace: 'ns' },
};

describe('task execution decoding', () => {
  it('decodes a minimal document', () => {
    expect(_.decodeTaskExecution(minimal)).toEqual(E.right(minimal));
  });

  it.each(readdirSync('examples/tasks').filter((f) => f.endsWith('.yaml')))(
    'decodes examples/tasks/%s',
    (f) => {
      const file = `examples/tasks/${f}`;
      const r = loadTaskExecution(file, readFileSync(file, 'utf8'));
      expect(E.isRight(r) ? [] : r.left.map(renderInputError)).toEqual([]);
    },
  );

  test.prop([arbTaskExecution])('generated executions decode; decoding is idempotent through JSON', (te) => {
    const once = _.decodeTaskExecution(JSON.parse(JSON.stringify(_.TaskExecutionC.encode(te))));
    expect(E.isRight(once)).toBe(true);
    if (E.isRight(once)) {
      const twice = _.decodeTaskExecution(JSON.parse(JSON.stringify(_.TaskExecutionC.encode(once.right))));
      expect(twice).toEqual(once);
    }
  });

  test.prop([fc.anything()])('decoding anything never throws', (u) => {
    expect(() => _.decodeTaskExecution(u)).not.toThrow();
  });

  it('canonicalises quantities', () => {
    const r = _.decodeTaskExecution({
      ...minimal,
      task: {
        ...minimal.task,
        container: { image: 'x', resources: { requests: { cpu: 0.5, memory: '1024Mi' } } },
      },
    });
    expect(E.isRight(r) && r.right.task.container?.resources?.requests).toEqual({
      cpu: '500m',
      memory: '1Gi',
    });
  });

  it.each([
    [
      'a missing image',
      'task:\n  id: {name: t}\n  type: container\n  container: {}\nexecution:\n  id: {run: r, action: a}\n  namespace: ns\n',
      ['task.yaml:4:14: task.container.image: missing, expected a non-empty string'],
    ],
    [
      'a misspelled section',
      'task:\n  id: {name: t}\n  type: container\n  contianer: {image: x}\nexecution:\n  id: {run: r, action: a}\n  namespace: ns\n',
      ['task.yaml:4:3: task.contianer: unknown key (did you mean "container"?)'],
    ],
    [
      'a bad quantity in resources',
      'task:\n  id: {name: t}\n  type: container\n  container:\n    image: x\n    resources: {limits: {memory: 1GB}}\nexecution:\n  id: {run: r, action: a}\n  namespace: ns\n',
      [
        'task.yaml:6:34: task.container.resources.limits.memory: expected a quantity such as "500m" or "2", got "1GB"',
      ],
    ],
    [
      'a missing execution',
      'task:\n  id: {name: t}\n  type: container\n',
      ['task.yaml:1:1: execution: missing, expected an object (a mapping of keys to values)'],
    ],
    [
      'negative retries',
      'task:\n  id: {name: t}\n  type: container\n  metadata: {retries: -2}\nexecution:\n  id: {run: r, action: a}\n  namespace: ns\n',
      ['task.yaml:4:23: task.metadata.retries: expected a whole number of 0 or more, got -2'],
    ],
    [
      'a wrong apiVersion',
      'apiVersion: v1\ntask:\n  id: {name: t}\n  type: container\nexecution:\n  id: {run: r, action: a}\n  namespace: ns\n',
      ['task.yaml:1:13: apiVersion: expected one of "kubetasks.dev/v1alpha1", got "v1"'],
    ],
    [
      'a pod template container without a name',
      'task:\n  id: {name: t}\n  type: sidecar\n  podTemplate:\n    spec:\n      containers:\n        - image: x\nexecution:\n  id: {run: r, action: a}\n  namespace: ns\n',
      ['task.yaml:7:11: task.podTemplate.spec.containers[0].name: missing, expected a container name'],
    ],
  ])('%s', (_name, text, expected) => {
    const r = loadTaskExecution('task.yaml', text);
    expect(E.isLeft(r) ? r.left.map(renderInputError) : []).toEqual(expected);
  });
});

describe('derived values', () => {
  it('follows Flyte for attempts, interruptibility and the service account', () => {
    const te = _.decodeTaskExecution({
      task: {
        ...minimal.task,
        metadata: { retries: 2, interruptible: true },
        securityContext: { runAs: { k8sServiceAccount: 'runner' } },
      },
      execution: { ...minimal.execution, attempt: 1, serviceAccount: 'exec-sa' },
    });
    if (E.isLeft(te)) throw new Error('decode');
    expect(_.maxAttemptsOf(te.right)).toBe(3);
    expect(_.attemptOf(te.right)).toBe(1);
    expect(_.isInterruptible(te.right)).toBe(true);
    expect(_.serviceAccountOf(te.right)).toBe('runner');
    expect(_.generatedName(te.right)).toBe('r1-a-1');
  });

  test.prop([arbTaskExecution])('the generated name is always a DNS-1123 label', (te) => {
    expect(isDns1123Label(_.generatedName(te))).toBe(true);
  });
});

describe('execution.namespace', () => {
  const withNamespace = (namespace: unknown) => ({
    task: { id: { name: 't' }, type: 'container', container: { image: 'x' } },
    execution: { id: { run: 'r', action: 'a' }, namespace },
  });

  it.each(['default', 'ml-team', 'a', '0x1', 'a'.repeat(63)])('accepts the DNS-1123 label %j', (ns) => {
    expect(E.isRight(_.decodeTaskExecution(withNamespace(ns)))).toBe(true);
  });

  it.each(['Not_A_Namespace', 'MyTeam', 'a.b', '-a', 'a-', '', 'a'.repeat(64), 7])('rejects %j', (ns) => {
    const r = _.decodeTaskExecution(withNamespace(ns));
    expect(E.isLeft(r) && r.left.map((i) => i.path.join('.'))).toEqual(['execution.namespace']);
  });
});
