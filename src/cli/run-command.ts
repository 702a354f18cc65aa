// `kubetasks run`: runs one task to a terminal phase on the embedded cluster or a real one, showing progress.
import { Command, Option } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { Registry as PromRegistry } from 'prom-client';
import { loadPlatformConfig, loadTaskExecution } from '../app/inputs.js';
import { Manager, type SubmitError, type TaskUpdate } from '../app/manager.js';
import { makeVirtualClock, systemClock } from '../adapters/clock/index.js';
import {
  parseScenario,
  SCENARIO_ANNOTATION,
  scenarioTags,
  startKubelet,
  type Kubelet,
} from '../adapters/kubelet/index.js';
import { loadKubernetesCluster } from '../adapters/kubernetes/index.js';
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
import { CliExit, ExitCode, loadOrExit, parseOutputFormat } from './io.js';
import { formatUpdate, Progress } from './progress.js';

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

const memorySession = async (namespace: string, realTime: boolean): Promise<Session> => {
  // Simulated time by default: a pod's minutes of image pulls and grace periods pass in milliseconds.
  const virtual = realTime ? undefined : makeVirtualClock({ auto: true, start: Date.now() });
  const clock = virtual ?? systemClock;
  const cluster = makeMemoryCluster({
    clock,
    namespaces: namespace === 'default' ? [] : [namespace],
    kinds: customKinds,
  });
  const kubelet = startKubelet({ cluster, clock });
  await kubelet.ready();
  const operators = await operatorsFor(cluster, clock, undefined);
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
  const loaded = loadKubernetesCluster(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig });
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
  namespace: string | undefined,
  scenario: string | undefined,
  run: string | undefined,
  scenarioRole?: string,
): TaskExecution => ({
  ...te,
  execution: {
    ...te.execution,
    ...(run === undefined ? {} : { id: { ...te.execution.id, run } }),
    ...(namespace === undefined ? {} : { namespace }),
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
    .option('-o, --output <format>', 'final PhaseInfo as text or json', 'text')
    .option('--metrics', 'print the metrics (Prometheus text format) on standard error at the end')
    .option('--log-level <level>', 'JSON logs on standard error: debug, info, warn or error')
    .action(async (file, opts) => {
      const output = parseOutputFormat(opts.output, ['text', 'json']);
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
      const te = withOverrides(
        loadOrExit(file, loadTaskExecution),
        opts.namespace,
        opts.scenario,
        opts.run,
        opts.scenarioRole,
      );
      const registry = builtInRegistry();
      if (E.isLeft(registry)) throw new CliExit(70, [showRegistryError(registry.left)]);

      const session =
        opts.cluster === 'kube'
          ? await kubeSession(opts.namespace ?? te.execution.namespace, opts.kubeconfig)
          : await memorySession(te.execution.namespace, opts.realTime === true);
      const metrics = makePromMetrics(new PromRegistry());
      const logger =
        logLevel === undefined
          ? silentLogger
          : makePinoLogger({ level: logLevel as 'debug' | 'info' | 'warn' | 'error' });
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
      const plain = !process.stderr.isTTY;
      manager.subscribe((u: TaskUpdate) => {
        if (plain) process.stderr.write(`${formatUpdate(u, startedAt)}\n`);
        else progress.update(u, startedAt);
      });
      const taskId = `${te.execution.id.run}-${te.execution.id.action}`;
      const onSignal = (): void => void manager.abort(taskId, 'interrupted (SIGINT)');
      process.once('SIGINT', onSignal);
      try {
        await manager.start();
        progress.start();
        const submitted = manager.submit(taskId, te);
        if (E.isLeft(submitted))
          throw new CliExit(ExitCode.badInput, [`cannot run the task: ${showSubmitError(submitted.left)}`]);
        const final = await manager.awaitFinal(taskId);
        await manager.idle();
        progress.stop();
        if (output === 'json') process.stdout.write(`${JSON.stringify(PI.toJson(final), null, 2)}\n`);
        else process.stdout.write(`${PI.show(final)}\n`);
        if (opts.metrics === true) process.stderr.write(await metrics.registry.metrics());
        process.exitCode = final.phase === 'Success' ? ExitCode.ok : ExitCode.failed;
      } finally {
        process.off('SIGINT', onSignal);
        progress.stop();
        await manager.stop();
        await session.close();
      }
    });
