// The world of the operator tests: a virtual clock, the in-memory cluster, the kubelet and the operators under test.
import * as E from 'fp-ts/lib/Either.js';
import { makeVirtualClock, type VirtualClock } from '../../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../../src/adapters/kubelet/index.js';
import {
  makeMemoryCluster,
  type CustomKind,
  type MemoryCluster,
} from '../../../src/adapters/memory/index.js';
import {
  startOperators,
  type Operators,
  type SimulatedOperator,
} from '../../../src/adapters/operators/index.js';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext, Plugin } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';

export interface OperatorWorld {
  readonly clock: VirtualClock;
  readonly memory: MemoryCluster;
  readonly kubelet: Kubelet;
  readonly operators: Operators;
  /** Builds the resource as the plugin and the manager would, creates it, and returns it as stored. */
  readonly submit: (plugin: Plugin, te: TaskExecution, config?: PlatformConfig) => Promise<KubeObject>;
  /** The resource as stored now. */
  readonly current: (o: KubeObject) => Promise<KubeObject>;
  readonly close: () => Promise<void>;
}

/** Starts a world in `namespace` serving `kinds`, with the kubelet and `operators` running on an auto clock. */
export const startOperatorWorld = async (o: {
  readonly namespace: string;
  readonly kinds?: ReadonlyArray<CustomKind>;
  readonly operators: ReadonlyArray<SimulatedOperator>;
}): Promise<OperatorWorld> => {
  const clock = makeVirtualClock({ auto: true });
  const memory = makeMemoryCluster({ clock, namespaces: [o.namespace], kinds: o.kinds ?? [] });
  const kubelet = startKubelet({ cluster: memory, clock });
  const operators = startOperators({ cluster: memory, clock, operators: o.operators });
  await Promise.all([kubelet.ready(), operators.ready()]);
  const must = <A>(r: E.Either<{ readonly message: string }, A>): A => {
    if (E.isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };
  return {
    clock,
    memory,
    kubelet,
    operators,
    submit: async (plugin, te, config = defaultPlatformConfig) => {
      const ctx: BuildContext = { task: te, config };
      const built = must(plugin.buildResource(ctx));
      return must(await memory.create(addObjectMetadata(ctx, plugin.properties, built))());
    },
    current: async (obj) =>
      must(
        await memory.get({
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          namespace: o.namespace,
          name: obj.metadata?.name ?? '',
        })(),
      ),
    close: async () => {
      await operators.stop();
      await kubelet.stop();
      memory.close();
      clock.dispose();
    },
  };
};
