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
import { matchesQuery } from '../../../src/app/related-resources.js';
import type { KubeObject, Pod } from '../../../src/domain/kubernetes.js';
import { addObjectMetadata, MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import type { PhaseInfo } from '../../../src/domain/phase-info.js';
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
  /** The pods of the namespace that `keep` keeps, by name. */
  readonly pods: (keep: (p: Pod) => boolean) => Promise<Pod[]>;
  /**
   * Advances the clock 200 ms at a time until `ok` holds of the stored resource, recording each distinct state
   * (`stateOf`) on the way; throws, naming the states seen, after `steps` steps.
   */
  readonly runUntil: (
    o: KubeObject,
    stateOf: (o: KubeObject) => string,
    ok: (o: KubeObject) => boolean,
    steps?: number,
  ) => Promise<{ readonly final: KubeObject; readonly seen: string[] }>;
  /** The plugin's phase of `o` now, with the pods the manager's watch cache would answer its related queries with. */
  readonly phaseOf: (plugin: Plugin, o: KubeObject, config?: PlatformConfig) => Promise<PhaseInfo>;
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
  const current = async (obj: KubeObject): Promise<KubeObject> =>
    must(
      await memory.get({
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: o.namespace,
        name: obj.metadata?.name ?? '',
      })(),
    );
  const pods = async (keep: (p: Pod) => boolean): Promise<Pod[]> =>
    (
      must(await memory.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: o.namespace })())
        .items as unknown as Pod[]
    )
      .filter(keep)
      .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
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
    current,
    pods,
    runUntil: async (obj, stateOf, ok, steps = 300) => {
      const seen: string[] = [];
      for (let i = 0; i < steps; i++) {
        const now = await current(obj);
        if (seen[seen.length - 1] !== stateOf(now)) seen.push(stateOf(now));
        if (ok(now)) return { final: now, seen };
        await clock.advance(200);
      }
      throw new Error(`timed out; saw ${seen.join(' → ')}`);
    },
    phaseOf: async (plugin, obj, config = defaultPlatformConfig) => {
      const queries = plugin.relatedResources?.(obj) ?? [];
      // The manager watches only the pods it labelled, so only those can answer.
      const related = await pods(
        (p) =>
          p.metadata?.labels?.[MANAGED_LABEL] === 'true' &&
          queries.some((q) => matchesQuery(q, p as unknown as KubeObject)),
      );
      return plugin.getTaskPhase(
        { now: clock.now(), config, related: related as unknown as KubeObject[] },
        obj,
      );
    },
    close: async () => {
      await operators.stop();
      await kubelet.stop();
      memory.close();
      clock.dispose();
    },
  };
};

/** Whether `p` is owned by `o` (an owner reference with its uid). */
export const ownedBy =
  (o: KubeObject) =>
  (p: Pod): boolean =>
    (p.metadata?.ownerReferences ?? []).some((r) => r.uid === o.metadata?.uid);
