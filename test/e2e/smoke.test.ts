// Scale smoke on the real control plane: KUBETASKS_E2E_TASKS pod tasks (default 1,000) through one Manager onto 10
// KWOK nodes via the real scheduler; every task must succeed. Prints the figures bench:scale reports (tasks/s,
// requests per task, the manager's CPU and memory, latency to the final PhaseInfo) with the same measuring code.
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manager } from '../../src/app/manager.js';
import { systemClock } from '../../src/adapters/clock/system.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import {
  formatScaleReport,
  makeScaleProbe,
  measureScaleRun,
  type ScaleProbe,
} from '../../bench/support/scale-measure.js';
import { podTask, wallClockConfig } from '../cluster/fixtures.js';
import { startFullControlPlane, type FullControlPlane } from './control-plane.js';

const NS = 'smoke';
const TASKS = Number(process.env['KUBETASKS_E2E_TASKS'] ?? 1000);

let full: FullControlPlane | undefined;
let cluster: KubernetesCluster | undefined;
let probe: ScaleProbe | undefined;
let manager: Manager | undefined;

beforeAll(async () => {
  full = await startFullControlPlane({ nodes: 10, trainingOperator: false });
  cluster = makeKubernetesCluster({ kubeconfigPath: full.plane.kubeconfigPath });
  const ns = await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })();
  if (E.isLeft(ns)) throw new Error(ns.left.message);
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error('registry');
  probe = makeScaleProbe(cluster);
  manager = new Manager({
    cluster: probe.port,
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
    const ids = Array.from({ length: TASKS }, (_, i) => `t${i}`);
    const report = await measureScaleRun({
      plane: full!.plane,
      probe: probe!,
      manager: manager!,
      ids,
      submit: (id) =>
        expect(
          manager!.submit(id, podTask({ namespace: NS, run: 'smoke', action: id, scenario: 'succeed' })),
        ).toEqual(E.right(undefined)),
      transportStats: cluster!.stats,
    });
    console.log(formatScaleReport('smoke', report));
    expect(report.phases).toEqual({ Success: TASKS });
    // Each task is one create and one patch (our finalizer's removal) from the manager, and no GET: a per-task
    // read or a retry storm would show here before it showed in the throughput. A request that times out on a
    // starved machine is sent again, hence the 5 % allowance.
    for (const call of ['POST pods', 'PATCH pods']) {
      expect(report.managerCallsPerTask[call]).toBeGreaterThanOrEqual(1);
      expect(report.managerCallsPerTask[call]).toBeLessThanOrEqual(1.05);
    }
    expect(report.managerCallsPerTask['GET pods']).toBeUndefined();
    // Every terminal status the manager saw was followed by that task's final PhaseInfo.
    expect(report.latencyMs.fromWatchEvent.samples).toBe(TASKS);
  });
});
