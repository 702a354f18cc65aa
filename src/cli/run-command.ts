// `kubetasks run`: runs one task to a terminal phase on the embedded cluster or a real one, showing progress.
import { Command, Option } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { Registry as PromRegistry } from 'prom-client';
import { loadPlatformConfig } from '../app/inputs.js';
import { Manager, type SubmitError, type TaskUpdate } from '../app/manager.js';
import { countingClock, makeVirtualClock, systemClock } from '../adapters/clock/index.js';
import {
  parseScenario,
  SCENARIO_ANNOTATION,
  scenarioTags,
  startKubelet,
  type Kubelet,
} from '../adapters/kubelet/index.js';
import { makeMemoryCluster, type CustomKind } from '../adapters/memory/index.js';
import { builtInOperators, SCENARIO_ROLE_ANNOTATION, startOperators } from '../adapters/operators/index.js';
import { makePinoLogger } from '../adapters/observability/pino-logger.js';
import { makePromMetrics } from '../adapters/observability/prom-metrics.js';
import { defaultPlatformConfig } from '../domain/platform-config.js';
import * as PI from '../domain/phase-info.js';
import { showRegistryError } from '../domain/registry.js';
import type { TaskExecution } from '../domain/task.js';
import type { Plugin } from '../domain/plugin.js';
import { builtInPlugins, builtInRegistry } from '../plugins/index.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterPort } from '../ports/cluster.js';
import { silentLogger } from '../ports/logger.js';
import { CliExit, ExitCode, loadOrExit, parseOutputFormat, printDocument } from './io.js';
import { loadKubernetesCluster } from './kube.js';
import { holdOpen } from './lifetime.js';
import { formatFinal, Progress } from './progress.js';
import { checkNamespaceFlag, loadTask, taskIdOf } from './task-input.js';

/** The custom kinds of the shipped plugins, as the embedded cluster serves them. */
const customKinds: ReadonlyArray<CustomKind> = (builtInPlugins as ReadonlyArray<Plugin>).flatMap((p) =>
  p.customResource === undefined
    ? []
    : [
        {
          ...p.watches,
          plural: p.customResource.plural,
          statusSubresource: p.customResource.statusSubresource,
        },
      ],
);

/** Starts the simulated operators whose kinds the cluster serves (a real cluster may lack some CRDs). */
const operatorsFor = async (cluster: ClusterPort, clock: Clock, namespace: string | undefined) => {
  const served = await Promise.all(
    builtInOperators.map(async (op) => {
      const r = await cluster.serves(op.kind)();
      return E.isRight(r) && r.right;
    }),
  );
  const operators = startOperators({
    cluster,
    clock,
    operators: builtInOperators.filter((_, i) => served[i] === true),
    ...(namespace === undefined ? {} : { namespace }),
  });
  await operators.ready();
  return operators;
};

interface Session {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly kubelet: Kubelet;
  readonly namespace: string;
  readonly close: () => Promise<void>;
}

/**
 * How fast simulated time passes while the simulated kubelet and operators have nothing scheduled: a simulated
 * minute per second. Only the manager's own timers are left then (resyncs, a pending timeout), so a stuck task
 * waits without using the CPU, a 5-minute pending timeout still passes in 5 s, and the times shown at Ctrl-C stay
 * a known multiple of the time waited.
 */
export const IDLE_TIME_SCALE = 60;

const memorySession = async (namespace: string, realTime: boolean): Promise<Session> => {
  // Simulated time by default: a pod's minutes of image pulls and grace periods pass in milliseconds. Virtual time
  // jumps from timer to timer only while the simulated cluster has work scheduled (the kubelet's and operators'
  // timers, counted through `world`); when it has none, it runs at IDLE_TIME_SCALE times the wall clock.
  let worldPending = (): number => 0;
  const virtual = realTime
    ? undefined
    : makeVirtualClock({
        auto: true,
        start: Date.now(),
        pace: () => (worldPending() > 0 ? Number.POSITIVE_INFINITY : IDLE_TIME_SCALE),
      });
  const clock = virtual ?? systemClock;
  const world = countingClock(clock);
  worldPending = world.pending;
  const cluster = makeMemoryCluster({
    clock,
    namespaces: namespace === 'default' ? [] : [namespace],
    kinds: customKinds,
  });
  const kubelet = startKubelet({ cluster, clock: world.clock });
  await kubelet.ready();
  const operators = await operatorsFor(cluster, world.clock, undefined);
  return {
    cluster,
    clock,
    kubelet,
    namespace,
    close: async () => {
      await operators.stop();
      await kubelet.stop();
      cluster.close();
      virtual?.dispose();
    },
  };
};

const kubeSession = async (
  namespace: string | undefined,
  kubeconfig: string | undefined,
): Promise<Session> => {
  const loaded = await loadKubernetesCluster(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig });
  if (E.isLeft(loaded)) throw new CliExit(ExitCode.badInput, [`--cluster kube: ${loaded.left.message}`]);
  const cluster = loaded.right;
  const ns = namespace ?? cluster.defaultNamespace;
  // There is no node in a test control plane: the simulated kubelet plays one, scoped to the namespace.
  const kubelet = startKubelet({ cluster, clock: systemClock, namespace: ns });
  await kubelet.ready();
  // No operators run in a test control plane either: the simulated ones play them for the CRDs it serves.
  const operators = await operatorsFor(cluster, systemClock, ns);
  return {
    cluster,
    clock: systemClock,
    kubelet,
    namespace: ns,
    close: async () => {
      await operators.stop();
      await kubelet.stop();
      cluster.close();
    },
  };
};

const showSubmitError = (e: SubmitError): string => {
  switch (e._tag) {
    case 'NoPlugin':
      return `no plugin serves task type "${e.taskType}" (see \`kubetasks plugins\`)`;
    case 'KindNotServed':
      return `the cluster does not serve ${e.kind}, which the ${e.pluginId} plugin creates: install its CRD`;
    case 'DuplicateTask':
      return `a task with id ${e.taskId} is already running`;
    case 'Stopped':
      return 'the plugin manager is stopping';
  }
};

const withOverrides = (
  te: TaskExecution,
  scenario: string | undefined,
  run: string | undefined,
  scenarioRole?: string,
): TaskExecution => ({
  ...te,
  execution: {
    ...te.execution,
    ...(run === undefined ? {} : { id: { ...te.execution.id, run } }),
    ...(scenario === undefined
      ? {}
      : {
          annotations: {
            ...te.execution.annotations,
            [SCENARIO_ANNOTATION]: scenario,
            ...(scenarioRole === undefined ? {} : { [SCENARIO_ROLE_ANNOTATION]: scenarioRole }),
          },
        }),
  },
});

/** The signals `run` answers by aborting the task (and cleaning up) before it exits, with their exit codes. */
const SIGNALS = [
  ['SIGINT', ExitCode.interrupted],
  ['SIGTERM', ExitCode.terminated],
] as const;

export const runCommand = () =>
  new Command('run')
    .description('Run a task to a terminal phase, showing its progress on standard error')
    .argument('<task-file>', 'task execution file (YAML or JSON); - for standard input')
    .option('-c, --config <file>', 'platform config file')
    .addOption(
      new Option('--cluster <kind>', 'where to run')
        .choices(['memory', 'kube'] as const)
        .default('memory' as const),
    )
    .option(
      '--scenario <name>',
      `simulated kubelet scenario: ${scenarioTags.map((t) => (t === 'exit' ? 'exit:CODE' : t)).join(', ')}`,
    )
    .option(
      '--scenario-role <role>',
      'for custom resources: the role whose pods the scenario hits (driver, worker, master, head, ...)',
    )
    .option('--kubeconfig <file>', 'kubeconfig for --cluster kube (default: $KUBECONFIG, ~/.kube/config)')
    .option('-n, --namespace <ns>', "namespace (default: the task's)")
    .option(
      '--run <name>',
      "execution run name (default: the task file's); objects are named after it, so the same run finds the same pod",
    )
    .option('--real-time', 'on the embedded cluster, let time pass at wall-clock speed instead of simulated')
    .option('-o, --output <format>', 'final PhaseInfo as text, json or yaml', 'text')
    .option('--metrics', 'print the metrics (Prometheus text format) on standard error at the end')
    .option('--log-level <level>', 'JSON logs on standard error: debug, info, warn or error')
    .action(async (file, opts) => {
      const output = parseOutputFormat(opts.output, ['text', 'json', 'yaml']);
      const namespace = checkNamespaceFlag(opts.namespace);
      if (opts.scenario !== undefined && parseScenario(opts.scenario)._tag === 'None') {
        throw new CliExit(ExitCode.badInput, [
          `--scenario: expected one of ${scenarioTags.map((t) => (t === 'exit' ? 'exit:CODE' : t)).join(', ')}, got "${opts.scenario}"`,
        ]);
      }
      const logLevel = opts.logLevel;
      if (logLevel !== undefined && !['debug', 'info', 'warn', 'error'].includes(logLevel)) {
        throw new CliExit(ExitCode.badInput, [
          `--log-level: expected debug, info, warn or error, got "${logLevel}"`,
        ]);
      }
      const config =
        opts.config === undefined ? defaultPlatformConfig : loadOrExit(opts.config, loadPlatformConfig);
      const registry = builtInRegistry();
      if (E.isLeft(registry)) throw new CliExit(ExitCode.internal, [showRegistryError(registry.left)]);
      const { source } = loadTask(file, config, registry.right, namespace);
      const te = withOverrides(source.task, opts.scenario, opts.run, opts.scenarioRole);

      const session =
        opts.cluster === 'kube'
          ? await kubeSession(te.execution.namespace, opts.kubeconfig)
          : await memorySession(te.execution.namespace, opts.realTime === true);
      const metrics = makePromMetrics(new PromRegistry());
      // Logs go through process.stderr, whose closed pipe ends the process (lifetime.ts), and in order with the
      // progress lines.
      const logger =
        logLevel === undefined
          ? silentLogger
          : makePinoLogger({
              level: logLevel as 'debug' | 'info' | 'warn' | 'error',
              destination: process.stderr,
            });
      const manager = new Manager({
        cluster: session.cluster,
        clock: session.clock,
        registry: registry.right,
        config,
        metrics,
        logger,
        ...(opts.cluster === 'kube' ? { namespace: session.namespace } : {}),
      });
      const startedAt = session.clock.now();
      const progress = new Progress({ stream: process.stderr, startedAt: Date.now() });
      manager.subscribe((u: TaskUpdate) => {
        progress.update(u, startedAt);
      });
      const taskId = taskIdOf(te);
      // The first signal aborts the task, which deletes what it created, and `run` ends when the abort is final; a
      // second one ends the process at once.
      let signalled: number | undefined;
      const handlers = SIGNALS.map(([signal, code]) => {
        const handler = (): void => {
          if (signalled !== undefined) process.exit(code);
          signalled = code;
          // Before the task is submitted there is nothing to abort or clean up.
          if (!manager.abort(taskId, `interrupted (${signal})`)) process.exit(code);
        };
        process.on(signal, handler);
        return () => process.off(signal, handler);
      });
      try {
        await holdOpen(
          (async () => {
            await manager.start();
            progress.start();
            const submitted = manager.submit(taskId, te);
            if (E.isLeft(submitted))
              throw new CliExit(ExitCode.badInput, [
                `cannot run the task: ${showSubmitError(submitted.left)}`,
              ]);
            const final = await manager.awaitFinal(taskId);
            await manager.idle();
            progress.stop();
            if (output === 'text') process.stdout.write(`${formatFinal(final)}\n`);
            else printDocument(PI.toJson(final), output as 'json' | 'yaml');
            if (opts.metrics === true) process.stderr.write(await metrics.registry.metrics());
            process.exitCode = signalled ?? (final.phase === 'Success' ? ExitCode.ok : ExitCode.failed);
          })(),
        );
      } finally {
        for (const off of handlers) off();
        progress.stop();
        await holdOpen(
          (async () => {
            await manager.stop();
            await session.close();
          })(),
        );
      }
    });
