// The `plugins.ray` platform config section: RayJob defaults, start parameters, dashboard and log links (Flyte's keys).
import * as t from 'io-ts';
import { JsonObject, StringMap, struct, withDefault } from '../../domain/codec.js';
import { pluginConfigSection, readPluginConfig } from '../../domain/plugin-config.js';
import { LogsConfig, LogTemplate, type PlatformConfig } from '../../domain/platform-config.js';

const NodeDefaults = (role: 'head' | 'worker') =>
  struct(role === 'head' ? 'RayHeadNodeDefaults' : 'RayWorkerNodeDefaults', {
    startParameters: withDefault(
      StringMap,
      { 'disable-usage-stats': 'true' },
      `rayStartParams of a ${role} group whose task gives none.`,
    ),
    ipAddress: withDefault(
      t.string,
      '$MY_POD_IP',
      `node-ip-address start parameter of the ${role} (added when the task does not set it).`,
    ),
  });

const HeadDefaults = NodeDefaults('head');
const WorkerDefaults = NodeDefaults('worker');

const decoded = <A>(c: t.Decoder<unknown, A>): A => {
  const r = c.decode({});
  if (r._tag === 'Left') throw new Error(`kubetasks: invalid built-in defaults for ${c.name}`);
  return r.right;
};

/** The submission modes Flyte accepts; InteractiveMode waits for a person to submit the job, so it has no place. */
export const SubmissionMode = t.keyof(
  { K8sJobMode: null, HTTPMode: null, SidecarMode: null, '': null },
  'SubmissionMode',
);

export const RayConfig = struct(
  'RayConfig',
  {
    shutdownAfterJobFinishes: withDefault(
      t.boolean,
      true,
      'Delete the RayCluster once the job finishes, unless the task says otherwise.',
    ),
    ttlSecondsAfterFinished: withDefault(
      t.number,
      3600,
      'Seconds the RayCluster lives after the job finishes (with shutdownAfterJobFinishes), unless the task says.',
    ),
    serviceType: withDefault(t.string, 'NodePort', 'Kubernetes service type of the head group.'),
    submissionMode: withDefault(
      SubmissionMode,
      'K8sJobMode',
      'How KubeRay submits the job: K8sJobMode (a submitter pod), HTTPMode or SidecarMode; "" means K8sJobMode.',
    ),
    includeDashboard: withDefault(t.boolean, true, 'Default include-dashboard start parameter of the head.'),
    dashboardHost: withDefault(t.string, '0.0.0.0', 'Default dashboard-host start parameter of the head.'),
    nodeIPAddress: withDefault(
      t.string,
      '',
      'Deprecated: node-ip-address for head and workers when defaults.*.ipAddress is empty.',
    ),
    defaults: withDefault(
      struct('RayDefaults', {
        headNode: withDefault(HeadDefaults, decoded(HeadDefaults), 'Head group defaults.'),
        workerNode: withDefault(WorkerDefaults, decoded(WorkerDefaults), 'Worker group defaults.'),
      }),
      { headNode: decoded(HeadDefaults), workerNode: decoded(WorkerDefaults) },
      'Start parameters and node IP used when the task gives none.',
    ),
    enableUsageStats: withDefault(
      t.boolean,
      false,
      'When false, every group gets disable-usage-stats=true unless its start parameters say otherwise.',
    ),
    serviceAccount: withDefault(
      t.string,
      'default',
      "Service account of head and worker pods when the task names none (the executor's default is not used).",
    ),
    logs: withDefault(LogsConfig, decoded(LogsConfig), 'Log links of a Ray task, rendered for the head pod.'),
    logsSidecar: withDefault(
      t.union([JsonObject, t.null]),
      null,
      'A container added to the head pod, sharing /tmp/ray read-only (e.g. a log shipper); null for none.',
    ),
    dashboardURLTemplate: withDefault(
      t.union([LogTemplate, t.null]),
      null,
      'Link to the Ray dashboard while the job runs; placeholders as log links plus {{ .rayClusterName }}, {{ .rayJobID }}, {{ .dashboardURL }}.',
    ),
  },
  {},
  'RayJob tasks (task type ray).',
);
export type RayConfig = t.TypeOf<typeof RayConfig>;

export const raySection = pluginConfigSection('ray', RayConfig);

/** The section as the platform config holds it, with the deprecated nodeIPAddress folded into the defaults. */
export const rayConfigOf = (config: PlatformConfig): RayConfig => {
  const c = readPluginConfig(raySection, config);
  if (c.nodeIPAddress === '') return c;
  const fill = <D extends { readonly ipAddress: string }>(d: D): D =>
    d.ipAddress === '' ? { ...d, ipAddress: c.nodeIPAddress } : d;
  return { ...c, defaults: { headNode: fill(c.defaults.headNode), workerNode: fill(c.defaults.workerNode) } };
};
