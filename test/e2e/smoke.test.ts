// Scale smoke on the real control plane: KUBETASKS_E2E_TASKS pod tasks (default 1,000) through one Manager onto 10
// KWOK nodes via the real scheduler; every task must succeed, and the throughput is printed for docs/benchmarks.md.
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from '../../src/app/manager.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import { podTask, wallClockConfig } from '../cluster/fixtures.js';
import { startFullControlPlane, type FullControlPlane } from './control-plane.js';

const NS = 'smoke';
const TASKS = Number(process.env['KUBETASKS_E2E_TASKS'] ?? 1000);

let full: FullControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let manager: Manager | undefined;

beforeAll(async () => {
  full = await startFullControlPlane({ nodes: 10, trainingOperator: false });
  cluster = makeKubernetesCluster({ kubeconfigPath: full.plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  manager = new Manager({
    cluster,
    clock: systemClock,
    registry: registry.right,
    config: wallClockConfig({ 'resync-period': 30_000 }),
    namespace: NS,
  });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  cluster?.close();
  await full?.stop();
});

describe(`${TASKS} pod tasks on KWOK nodes through the real scheduler`, () => {
  it('all succeed', { timeout: 900_000 }, async () => {
    const started = Date.now();
    const ids = Array.from({ length: TASKS }, (_, i) => `t${i}`);
    for (const id of ids)
      expect(
        manager!.submit(id, podTask({ namespace: NS, run: 'smoke', action: id, scenario: 'succeed' })),
      ).toEqual(E.right(undefined));
    const finals = await Promise.all(ids.map((id) => manager!.awaitFinal(id)));
    const seconds = (Date.now() - started) / 1000;
    const phases = new Map<string, number>();
    for (const f of finals) phases.set(f.phase, (phases.get(f.phase) ?? 0) + 1);
    console.log(
      `smoke: ${TASKS} tasks in ${seconds.toFixed(1)} s (${(TASKS / seconds).toFixed(1)} tasks/s); phases ${JSON.stringify(Object.fromEntries(phases))}`,
    );
    expect(Object.fromEntries(phases)).toEqual({ Success: TASKS });
  });
});
