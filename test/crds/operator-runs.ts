// Runs a simulated operator on one task and keeps every distinct object it stores, so each can be checked against the CRD.
import type { CustomKind } from '../../src/adapters/memory/index.js';
import type { SimulatedOperator } from '../../src/adapters/operators/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import type { Plugin } from '../../src/domain/plugin.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { startOperatorWorld } from '../adapters/operators/world.js';

/** The scenario annotations the operator tests run (test/adapters/operators), by name. */
export const SCENARIOS: ReadonlyArray<readonly [string, Readonly<Record<string, string>>]> = [
  ['success', {}],
  ['user failure', { 'kubetasks.dev/scenario': 'exit:1' }],
  ['OOM in the primary role', { 'kubetasks.dev/scenario': 'oom' }],
  ['preemption of the primary role', { 'kubetasks.dev/scenario': 'preempted' }],
  ['pending for ever', { 'kubetasks.dev/scenario': 'stuck-pending' }],
];

/**
 * Submits the task as the manager would and samples the object every 200 ms of virtual time (as the operator tests
 * do) until the plugin calls it terminal or `steps` samples were taken; returns each distinct state seen.
 */
export const operatorStates = async (o: {
  readonly namespace: string;
  readonly kind: CustomKind;
  readonly operator: SimulatedOperator;
  readonly plugin: Plugin;
  readonly task: TaskExecution;
  readonly config?: PlatformConfig;
  readonly steps?: number;
}): Promise<ReadonlyArray<KubeObject>> => {
  const world = await startOperatorWorld({
    namespace: o.namespace,
    kinds: [o.kind],
    operators: [o.operator],
  });
  try {
    const created = await world.submit(o.plugin, o.task, o.config);
    const states: KubeObject[] = [];
    let last = '';
    for (let i = 0; i < (o.steps ?? 300); i++) {
      const now = await world.current(created);
      const text = JSON.stringify({ ...now, metadata: undefined });
      if (text !== last) states.push(now);
      last = text;
      if (o.plugin.isTerminal(now)) break;
      await world.clock.advance(200);
    }
    return states;
  } finally {
    await world.close();
  }
};
