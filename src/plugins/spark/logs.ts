// Spark task info: log links (driver pod, application-wide), Spark UI and History Server links, log context.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import type { LogContext, PodLogContext, TaskLog, TaskInfo } from '../../domain/phase-info.js';
import type { LogsConfig } from '../../domain/platform-config.js';
import type { PhaseContext } from '../../domain/plugin.js';
import { readPluginConfig } from '../../domain/plugin-config.js';
import { buildLogContext, linkTemplates, logTemplateVars, renderLogTemplate } from '../pod/phase/logs.js';
import { readPod, type PodView } from '../pod/phase/pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION } from '../pod/phase/primary.js';
import { DRIVER_CONTAINER, EXECUTOR_CONTAINER } from './conf.js';
import { sparkConfigSection } from './config.js';
import type { SparkApplicationView } from './status.js';

export const SPARK_DRIVER_UI = 'Spark Driver UI';
export const SPARK_HISTORY_UI = 'Spark History UI';

/** A pod as phase mapping reads it, with Spark's driver container as its primary (the operator names it so). */
export const asDriverPod = (pod: KubeObject): KubeObject => {
  const spec = pod['spec'];
  const containers: unknown = isPlainObject(spec) ? spec['containers'] : undefined;
  const named = (c: unknown): boolean => isPlainObject(c) && c['name'] === DRIVER_CONTAINER;
  if (!Array.isArray(containers) || !containers.some(named)) return pod;
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: { ...pod.metadata?.annotations, [PRIMARY_CONTAINER_ANNOTATION]: DRIVER_CONTAINER },
    },
  };
};

/** A stand-in for a pod not seen (yet): its name, namespace and Spark's container, for link templates. */
const standIn = (name: string, namespace: string, container: string): PodView =>
  O.getOrElseW(() => undefined)(
    readPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, annotations: { [PRIMARY_CONTAINER_ANNOTATION]: container } },
      spec: { containers: [{ name: container }] },
    }),
  ) as PodView;

const render = (ctx: PhaseContext, logs: LogsConfig, pod: PodView): ReadonlyArray<TaskLog> => {
  const vars = logTemplateVars(pod, ctx.now, ctx.task);
  return linkTemplates({ now: ctx.now, config: { ...ctx.config, logs } }).map((l) => ({
    name: renderLogTemplate(l.name, vars),
    uri: renderLogTemplate(l.uri, vars),
    linkType: l.linkType,
    ready: true,
  }));
};

const withScheme = (address: string): string =>
  address.startsWith('http://') || address.startsWith('https://') ? address : `https://${address}`;

const stripSlashes = (url: string): string => url.replace(/\/+$/, '');

const executorContext = (namespace: string, podName: string): PodLogContext => ({
  namespace,
  podName,
  primaryContainerName: EXECUTOR_CONTAINER,
  containers: [{ name: EXECUTOR_CONTAINER }],
  initContainers: [],
});

/**
 * The task info of a SparkApplication, every round:
 * - logs.mixed and logs.user links for the driver pod, once its name is known;
 * - logs.system and logs.all-user links with the application name as the pod name;
 * - RUNNING with a UI ingress address: a `Spark Driver UI` dashboard link (customInfo.sparkDriverUI);
 * - COMPLETED or FAILED with a Spark application id and a history server: a `Spark History UI` dashboard link
 *   (customInfo.sparkHistoryUI);
 * - the log context: the driver, then every started executor, in pod-name order.
 */
export const sparkTaskInfo = (
  ctx: PhaseContext,
  app: SparkApplicationView,
  driver: KubeObject | undefined,
): TaskInfo => {
  const config = readPluginConfig(sparkConfigSection, ctx.config);
  const logs: TaskLog[] = [];
  const customInfo: Record<string, string> = {};
  const driverView = driver === undefined ? undefined : O.toUndefined(readPod(asDriverPod(driver)));
  const driverName = app.driverPodName !== '' ? app.driverPodName : (driverView?.name ?? '');
  if (driverName !== '') {
    const pod = driverView ?? standIn(driverName, app.namespace, DRIVER_CONTAINER);
    logs.push(...render(ctx, config.logs.mixed, pod), ...render(ctx, config.logs.user, pod));
  }
  if (app.name !== '') {
    const whole = standIn(app.name, app.namespace, DRIVER_CONTAINER);
    logs.push(...render(ctx, config.logs.system, whole), ...render(ctx, config.logs['all-user'], whole));
  }
  if (app.state === 'RUNNING' && app.webUIIngressAddress !== '') {
    const uri = withScheme(app.webUIIngressAddress);
    customInfo['sparkDriverUI'] = uri;
    logs.push({ name: SPARK_DRIVER_UI, uri, linkType: 'DASHBOARD', ready: true });
  }
  const history = config['spark-history-server-url'];
  if (
    (app.state === 'COMPLETED' || app.state === 'FAILED') &&
    app.sparkApplicationId !== '' &&
    history !== ''
  ) {
    const uri = `${stripSlashes(history)}/history/${app.sparkApplicationId}`;
    customInfo['sparkHistoryUI'] = uri;
    logs.push({ name: SPARK_HISTORY_UI, uri, linkType: 'DASHBOARD', ready: true });
  }
  const driverContext: ReadonlyArray<PodLogContext> =
    driverView !== undefined
      ? buildLogContext(driverView).pods
      : [
          {
            namespace: app.namespace,
            podName: driverName,
            primaryContainerName: DRIVER_CONTAINER,
            containers: [{ name: DRIVER_CONTAINER }],
            initContainers: [],
          },
        ];
  const logContext: LogContext | undefined =
    driverName === ''
      ? undefined
      : {
          primaryPodName: driverName,
          pods: [
            ...driverContext,
            ...app.executors
              .filter(([, s]) => s !== 'PENDING' && s !== 'UNKNOWN')
              .map(([name]) => executorContext(app.namespace, name)),
          ],
        };
  return {
    logs,
    additionalReasons: [],
    externalResources: [],
    occurredAt: ctx.now,
    ...(logContext === undefined ? {} : { logContext }),
    ...(Object.keys(customInfo).length === 0 ? {} : { customInfo }),
  };
};
