// SparkApplications that must build, named: build.test.ts checks their fields, test/crds/spark.test.ts the CRD.
import type { BuildContext } from '../../../src/domain/plugin.js';
import type { K8sPluginConfig } from '../../../src/domain/platform-config.js';
import { APP, config, ctxOf, sparkTask } from './fixtures.js';

/** Platform scheduling for interruptible and other tasks: the spot toleration and selectors, a default toleration. */
const schedulingK8s = {
  'interruptible-tolerations': [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }],
  'interruptible-node-selector-requirement': { key: 'spot', operator: 'In', values: ['true'] },
  'non-interruptible-node-selector-requirement': { key: 'spot', operator: 'DoesNotExist' },
  'default-tolerations': [{ key: 'batch', operator: 'Exists', effect: 'NoSchedule' }],
} satisfies Partial<K8sPluginConfig>;

/**
 * The built applications the field-by-field tests look at. A case added here is also checked against the
 * spark-operator's CRD, so an application the plugin builds but the API server would refuse cannot pass unnoticed.
 */
export const sparkBuilds = {
  'the default application': ctxOf(sparkTask()),
  'roles sized from conf (bad cores and instances left out)': ctxOf(
    sparkTask({
      mainApplicationFile: APP,
      sparkConf: {
        'spark.driver.cores': '2',
        'spark.driver.memory': '4g',
        'spark.executor.cores': 'abc',
        'spark.executor.instances': '0',
        'spark.executor.memory': '8g',
      },
    }),
  ),
  'hadoopConf, mainClass and the batch scheduler': ctxOf(
    sparkTask({
      mainApplicationFile: 's3://b/app.jar',
      mainClass: 'org.example.Main',
      applicationType: 'SCALA',
      hadoopConf: { 'fs.s3a.impl': 'x' },
      sparkConf: { 'spark.batchScheduler': 'volcano' },
    }),
  ),
  'only executors interruptible': ctxOf(
    sparkTask(undefined, { metadata: { interruptible: true } }),
    config({}, schedulingK8s),
  ),
  'a role pod spec merged over the task pod, platform scheduling re-applied': ctxOf(
    sparkTask({
      mainApplicationFile: APP,
      driverPod: {
        metadata: { labels: { tier: 'driver' } },
        pod_spec: {
          containers: [
            {
              name: 'spark-kubernetes-driver',
              resources: { limits: { memory: '4Gi' } },
              env: [{ name: 'X', value: '1' }],
            },
            { name: 'proxy', image: 'envoy:1' },
          ],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
              },
            },
          },
          tolerations: [{ key: 'mine', operator: 'Exists' }],
        },
      },
    }),
    config({}, schedulingK8s),
  ),
  'the legacy SparkPodSpec fields without pod templates': ctxOf(
    sparkTask(undefined, { metadata: { interruptible: true } }),
    config(
      { 'enable-pod-template': false },
      { ...schedulingK8s, 'default-node-selector': { pool: 'spark' } },
    ),
  ),
} as const satisfies Readonly<Record<string, BuildContext>>;
