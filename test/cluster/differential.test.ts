// Differential test: random command sequences on the in-memory cluster and a real kube-apiserver must look the same.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeKubernetesCluster, type KubernetesCluster } from '../../src/adapters/kubernetes/index.js';
import { makeMemoryCluster } from '../../src/adapters/memory/index.js';
import { showApiError } from '../../src/domain/api-error.js';
import { contractCustomResourceDefinitions, contractKinds } from '../../src/testing/index.js';
import { anyOp, showOp, type Op } from '../support/cluster-commands.js';
import {
  closeWatches,
  execute,
  openSide,
  versionOrder,
  type Observation,
  type Side,
} from '../support/differential.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { commitSeed } from '../support/seed.js';

const envNumber = (name: string): number | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : Number(v);
};

/** KUBETASKS_DIFF_SEED replays a run; KUBETASKS_DIFF_RUNS sets how many sequences (default 500). */
const seed =
  envNumber('KUBETASKS_DIFF_SEED') ??
  commitSeed('differential') ??
  (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const runs = envNumber('KUBETASKS_DIFF_RUNS') ?? 500;

let plane: ControlPlane | undefined;
let real: KubernetesCluster | undefined;

beforeAll(async () => {
  plane = await startControlPlane();
  real = makeKubernetesCluster({ kubeconfigPath: plane.kubeconfigPath });
  for (const crd of contractCustomResourceDefinitions()) {
    const created = await real.create(crd)();
    if (E.isLeft(created)) throw new Error(`installing ${crd.metadata?.name}: ${showApiError(created.left)}`);
  }
  const deadline = Date.now() + 30_000;
  for (const kind of contractKinds) {
    for (;;) {
      const served = await real.serves(kind)();
      if (E.isRight(served) && served.right) break;
      if (Date.now() > deadline) throw new Error(`${kind.kind} not served within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});

afterAll(async () => {
  real?.close();
  await plane?.stop();
});

const stats = { sequences: 0, operations: 0 };
let namespaces = 0;

const show = (u: unknown): string => JSON.stringify(u);

/** Runs the sequence on both adapters; throws at the first observation on which they differ. */
const runBoth = async (ops: ReadonlyArray<Op>): Promise<void> => {
  if (real === undefined) throw new Error('the control plane did not start');
  namespaces++;
  const ns = `diff-${namespaces}`;
  const clock = makeVirtualClock();
  // A bare kube-apiserver: no garbage collector or namespace controller (kube-controller-manager) runs.
  const memory = makeMemoryCluster({
    clock,
    kinds: contractKinds,
    garbageCollector: false,
    namespaceController: false,
  });
  let m: Side | undefined;
  let r: Side | undefined;
  try {
    m = await openSide(memory, ns);
    r = await openSide(real, ns);
    stats.sequences++;
    const apiserver: Observation[] = [];
    for (const [i, op] of ops.entries()) {
      const a = await execute(m, op);
      const b = await execute(r, op);
      stats.operations++;
      apiserver.push(b);
      if (!isDeepStrictEqual(a, b)) {
        throw new Error(
          [
            `step ${i} (${showOp(op)}) differs`,
            `  memory:    ${show(a)} ${m.lastMessage}`,
            `  apiserver: ${show(b)} ${r.lastMessage}`,
            `ops: ${show(ops.slice(0, i + 1))}`,
            `apiserver steps: ${show(apiserver)}`,
          ].join('\n'),
        );
      }
    }
    const mw = await closeWatches(m);
    const rw = await closeWatches(
      r,
      mw.map((events) => events.length),
    );
    const order = { memory: versionOrder(m), apiserver: versionOrder(r) };
    m = undefined;
    r = undefined;
    if (!isDeepStrictEqual(mw, rw)) {
      throw new Error(
        [
          'watch events differ',
          `  memory:    ${show(mw)}`,
          `  apiserver: ${show(rw)}`,
          `ops: ${show(ops)}`,
          `apiserver steps: ${show(apiserver)}`,
        ].join('\n'),
      );
    }
    if (!isDeepStrictEqual(order.memory, order.apiserver)) {
      throw new Error(
        [
          'resourceVersions sort differently',
          `  memory:    ${show(order.memory)}`,
          `  apiserver: ${show(order.apiserver)}`,
          `ops: ${show(ops)}`,
        ].join('\n'),
      );
    }
  } finally {
    if (m !== undefined) await closeWatches(m);
    if (r !== undefined) await closeWatches(r);
    memory.close();
  }
};

describe('in-memory cluster against kube-apiserver', () => {
  it(`agrees on ${runs} random command sequences (seed ${seed})`, async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(anyOp, { minLength: 8, maxLength: 20 }), (ops) => runBoth(ops)),
      { numRuns: runs, seed, endOnFailure: process.env['KUBETASKS_DIFF_NO_SHRINK'] === '1' },
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `differential: seed ${seed}: ${stats.sequences} sequences, ${stats.operations} operations in ${seconds} s`,
    );
    expect(stats.sequences).toBeGreaterThanOrEqual(runs);
  });
});
