// The simulated-operator runtime: creates an operator's pods once, writes changed statuses, cleans up after deletes.
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeVirtualClock, type VirtualClock } from '../../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../../src/adapters/kubelet/index.js';
import { makeMemoryCluster, type MemoryCluster } from '../../../src/adapters/memory/index.js';
import {
  scenarioAnnotations,
  SCENARIO_ROLE_ANNOTATION,
  startOperators,
  type Operators,
  type SimulatedOperator,
} from '../../../src/adapters/operators/index.js';
import type { KubeObject, Pod } from '../../../src/domain/kubernetes.js';

const KIND = { apiVersion: 'test.kubetasks.dev/v1', kind: 'Pair' } as const;
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const NS = 'ops';

/** Two pods per Pair, `a` then `b` once `a` runs; status counts the pods' phases. */
const pairOperator: SimulatedOperator = {
  kind: KIND,
  desiredPods: (r, pods) => {
    const name = r.metadata?.name ?? '';
    const pod = (role: string): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-${role}`, labels: { role }, annotations: scenarioAnnotations(r, role, 'b') },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
    });
    const aRunning = pods.some((p) => p.metadata?.name === `${name}-a` && p.status?.phase === 'Running');
    return aRunning || pods.length > 1 ? [pod('a'), pod('b')] : [pod('a')];
  },
  status: (_r, pods) => ({
    phases: Object.fromEntries(pods.map((p) => [p.metadata?.name ?? '', p.status?.phase ?? 'Unknown'])),
  }),
};

let clock: VirtualClock;
let memory: MemoryCluster;
let kubelet: Kubelet;
let operators: Operators;

beforeEach(async () => {
  clock = makeVirtualClock({ auto: true });
  memory = makeMemoryCluster({ clock, namespaces: [NS], kinds: [{ ...KIND, plural: 'pairs' }] });
  kubelet = startKubelet({ cluster: memory, clock });
  operators = startOperators({ cluster: memory, clock, operators: [pairOperator] });
  await Promise.all([kubelet.ready(), operators.ready()]);
});

afterEach(async () => {
  await operators.stop();
  await kubelet.stop();
  memory.close();
  clock.dispose();
});

const get = async (name: string): Promise<KubeObject> => {
  const r = await memory.get({ ...KIND, namespace: NS, name })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const podNames = async (): Promise<string[]> => {
  const r = await memory.list(POD, { namespace: NS })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.items.map((p) => p.metadata?.name ?? '').sort();
};

const waitFor = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await clock.advance(100);
  }
  throw new Error(`timed out waiting for ${what}`);
};

const create = async (name: string, annotations: Record<string, string> = {}): Promise<void> => {
  const r = await memory.create({ ...KIND, metadata: { name, namespace: NS, annotations } })();
  if (E.isLeft(r)) throw new Error(r.left.message);
};

const phases = async (name: string): Promise<Record<string, string>> =>
  ((await get(name)) as { status?: { phases?: Record<string, string> } }).status?.phases ?? {};

describe('startOperators', () => {
  it('creates pods in stages with a controller owner reference, and writes the status as they progress', async () => {
    await create('p1');
    await waitFor('both pods succeed', async () => {
      const ph = await phases('p1');
      return ph['p1-a'] === 'Succeeded' && ph['p1-b'] === 'Succeeded';
    });
    const r = await memory.get({ ...POD, namespace: NS, name: 'p1-b' })();
    if (E.isLeft(r)) throw new Error(r.left.message);
    const owner = r.right.metadata?.ownerReferences?.[0];
    expect(owner?.kind).toBe('Pair');
    expect(owner?.controller).toBe(true);
    expect(owner?.uid).toBe((await get('p1')).metadata?.uid);
  });

  it("passes the resource's scenario to the pods of the target role only", async () => {
    await create('p2', { 'kubetasks.dev/scenario': 'exit:2', [SCENARIO_ROLE_ANNOTATION]: 'a' });
    await waitFor('a fails, b succeeds', async () => {
      const ph = await phases('p2');
      return ph['p2-a'] === 'Failed' && ph['p2-b'] === 'Succeeded';
    });
  });

  it('deletes the pods once the resource is deleted (there is no garbage collector)', async () => {
    await create('p3', { 'kubetasks.dev/run-duration': '1h' });
    await waitFor('two pods', async () => (await podNames()).length === 2);
    const d = await memory.delete({ ...KIND, namespace: NS, name: 'p3' })();
    expect(E.isRight(d)).toBe(true);
    await waitFor('no pods', async () => (await podNames()).length === 0);
  });
});

describe('scenarioAnnotations', () => {
  const r = (a: Record<string, string>): KubeObject => ({ ...KIND, metadata: { annotations: a } });
  it('targets the default role unless the resource names one', () => {
    expect(scenarioAnnotations(r({ 'kubetasks.dev/scenario': 'oom' }), 'worker', 'worker')).toEqual({
      'kubetasks.dev/scenario': 'oom',
    });
    expect(scenarioAnnotations(r({ 'kubetasks.dev/scenario': 'oom' }), 'driver', 'worker')).toEqual({});
    expect(
      scenarioAnnotations(
        r({ 'kubetasks.dev/scenario': 'oom', [SCENARIO_ROLE_ANNOTATION]: 'driver' }),
        'driver',
        'worker',
      ),
    ).toEqual({ 'kubetasks.dev/scenario': 'oom' });
  });
  it('hits every role when the job should stay pending, and copies durations to all pods', () => {
    const a = r({ 'kubetasks.dev/scenario': 'stuck-pending', 'kubetasks.dev/run-duration': '5s' });
    expect(scenarioAnnotations(a, 'driver', 'worker')).toEqual({
      'kubetasks.dev/scenario': 'stuck-pending',
      'kubetasks.dev/run-duration': '5s',
    });
  });
});
