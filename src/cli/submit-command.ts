// `kubetasks submit`: creates a TaskExecution from a task file and, with --watch, follows its status to the end.
import { Command } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { loadPlatformConfig } from '../app/inputs.js';
import type { KubeObject } from '../domain/kubernetes.js';
import { defaultPlatformConfig } from '../domain/platform-config.js';
import * as PI from '../domain/phase-info.js';
import { showRegistryError } from '../domain/registry.js';
import {
  objectNameOf,
  objectOfTask,
  statusOfObject,
  TASK_EXECUTION,
} from '../domain/task-execution-resource.js';
import { phaseInfoOfStatus, visibleKey, type TaskExecutionStatus } from '../domain/task-execution-status.js';
import type { ClusterPort, ObjectRef } from '../ports/cluster.js';
import { builtInRegistry } from '../plugins/index.js';
import { CliExit, ExitCode, loadOrExit, parseOutputFormat, printDocument } from './io.js';
import { loadKubernetesCluster } from './kube.js';
import { holdOpen } from './lifetime.js';
import { formatFinal, Progress } from './progress.js';
import { checkNamespaceFlag, loadTask } from './task-input.js';

/** How long `--watch` waits before watching again after its stream broke (the API server restarted, say). */
const REWATCH_MS = 1000;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Follows one TaskExecution's status through watches (resumed from the last version seen, re-read after 410
 * Gone), printing a progress line per visible change; resolves with the final status.
 */
const follow = async (
  cluster: ClusterPort,
  ref: ObjectRef,
  from: KubeObject,
  onStatus: (s: TaskExecutionStatus) => void,
): Promise<TaskExecutionStatus> => {
  let rv = from.metadata?.resourceVersion ?? '';
  let shown = '';
  const see = (o: KubeObject): TaskExecutionStatus | undefined => {
    rv = o.metadata?.resourceVersion ?? rv;
    const s = statusOfObject(o);
    if (s.phase !== undefined && visibleKey(s) !== shown) {
      shown = visibleKey(s);
      onStatus(s);
    }
    return s.completionTime === undefined ? undefined : s;
  };
  const first = see(from);
  if (first !== undefined) return first;
  for (;;) {
    const stream = await cluster.watch(TASK_EXECUTION, {
      namespace: ref.namespace ?? '',
      fieldSelector: `metadata.name=${ref.name}`,
      resourceVersion: rv,
    })();
    if (E.isRight(stream)) {
      for await (const e of stream.right) {
        if (e.type === 'BOOKMARK') rv = e.resourceVersion;
        else if (e.type === 'ERROR') {
          if (e.error.code === 410) rv = '';
          break;
        } else if (e.type === 'DELETED') {
          stream.right.stop();
          throw new CliExit(ExitCode.failed, [`taskexecution ${ref.name} was deleted before it ended`]);
        } else {
          const done = see(e.object);
          if (done !== undefined) {
            stream.right.stop();
            return done;
          }
        }
      }
    }
    await sleep(REWATCH_MS);
    if (rv === '') {
      const got = await cluster.get(ref)();
      if (E.isLeft(got))
        throw new CliExit(ExitCode.failed, [`taskexecution ${ref.name}: ${got.left.message}`]);
      const done = see(got.right);
      if (done !== undefined) return done;
    }
  }
};

export const submitCommand = () =>
  new Command('submit')
    .description(
      'Create a TaskExecution from a task file for the controller to run; --watch follows it to the end',
    )
    .argument('<task-file>', 'task execution file (YAML or JSON); - for standard input')
    .option('-c, --config <file>', 'platform config file (to check the task type as the controller will)')
    .option('-n, --namespace <ns>', "namespace (default: the task's)")
    .option('--name <name>', "the TaskExecution's name (default: <run>-<action> of the task file)")
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config)')
    .option('-w, --watch', 'follow the status with the same progress lines as run; exit 1 if the task fails')
    .option('-o, --output <format>', 'with --watch: the final phase as text, json or yaml', 'text')
    .action(async (file, opts) => {
      const output = parseOutputFormat(opts.output, ['text', 'json', 'yaml']);
      const namespace = checkNamespaceFlag(opts.namespace);
      const config =
        opts.config === undefined ? defaultPlatformConfig : loadOrExit(opts.config, loadPlatformConfig);
      const registry = builtInRegistry();
      if (E.isLeft(registry)) throw new CliExit(ExitCode.internal, [showRegistryError(registry.left)]);
      const { source } = loadTask(file, config, registry.right, namespace);
      const te = source.task;
      const loaded = await loadKubernetesCluster(
        opts.kubeconfig === undefined ? {} : { kubeconfigPath: opts.kubeconfig },
      );
      if (E.isLeft(loaded)) throw new CliExit(ExitCode.badInput, [`cannot connect: ${loaded.left.message}`]);
      const cluster = loaded.right;
      try {
        const name = opts.name ?? objectNameOf(te);
        const created = await cluster.create(objectOfTask(te, name))();
        if (E.isLeft(created))
          throw new CliExit(
            created.left.reason === 'AlreadyExists' || created.left.reason === 'Invalid'
              ? ExitCode.badInput
              : ExitCode.failed,
            [`cannot create taskexecution ${name}: ${created.left.message}`],
          );
        process.stdout.write(`taskexecution.kubetasks.dev/${name} created\n`);
        if (opts.watch !== true) return;
        const startedAt = Date.now();
        const progress = new Progress({ stream: process.stderr, startedAt });
        progress.start();
        const ref = { ...TASK_EXECUTION, namespace: te.execution.namespace, name };
        const final = await holdOpen(
          follow(cluster, ref, created.right, (s) => {
            progress.update(
              {
                phaseInfo: phaseInfoOfStatus(s),
                attempt: s.attempt ?? 0,
                final: s.completionTime !== undefined,
                taskId: name,
                pluginId: '',
                at: Date.now(),
              },
              startedAt,
            );
          }),
        ).finally(() => {
          progress.stop();
        });
        const pi = phaseInfoOfStatus(final);
        if (output === 'text') process.stdout.write(`${formatFinal(pi)}\n`);
        else printDocument(PI.toJson(pi), output as 'json' | 'yaml');
        process.exitCode = final.phase === 'Success' ? ExitCode.ok : ExitCode.failed;
      } finally {
        cluster.close();
      }
    });
