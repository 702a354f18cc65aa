// The tasks the simulated operators run in their own tests and in the CRD suite (test/crds), each in its namespace.
import type { TaskExecution } from '../../../src/domain/task.js';
import { APP } from '../../plugins/spark/fixtures.js';

/** The namespace of the dask task. */
export const DASK_NAMESPACE = 'data';
/** The namespace of the ray task. */
export const RAY_NAMESPACE = 'ml';
/** The namespace of the spark task. */
export const SPARK_NAMESPACE = 'etl';

/** A DaskJob task `etl` with two workers; `annotations` pick the simulated scenario. */
export const daskTask = (run: string, annotations: Readonly<Record<string, string>>): TaskExecution => ({
  task: {
    id: { name: 'etl', project: 'p', domain: 'd', version: 'v1' },
    type: 'dask',
    container: { image: 'ghcr.io/example/etl:1', command: ['python', '-m', 'etl'] },
    custom: { workers: { numberOfWorkers: 2, resources: { limits: { cpu: '1', memory: '2Gi' } } } },
  },
  execution: {
    id: { run, action: 'etl', project: 'p', domain: 'd' },
    namespace: DASK_NAMESPACE,
    annotations,
    labels: { team: 'data' },
  },
});

/** A RayJob task `train` with a CPU-less head and two workers; `annotations` pick the simulated scenario. */
export const rayTask = (run: string, annotations: Readonly<Record<string, string>>): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type: 'ray',
    container: { image: 'rayproject/ray:2.40.0', args: ['python', 'train.py'] },
    custom: {
      rayCluster: {
        headGroupSpec: { rayStartParams: { 'num-cpus': '0' } },
        workerGroupSpec: [{ groupName: 'workers', replicas: 2, minReplicas: 2, maxReplicas: 2 }],
      },
    },
  },
  execution: {
    id: { run, action: 'train', project: 'p', domain: 'd' },
    namespace: RAY_NAMESPACE,
    annotations,
    labels: { team: 'ml' },
  },
});

/** A pyspark task `wordcount` with `instances` executors; `annotations` pick the simulated scenario. */
export const sparkTask = (
  run: string,
  annotations: Readonly<Record<string, string>>,
  instances = 2,
): TaskExecution => ({
  task: {
    id: { name: 'wordcount', project: 'p', domain: 'd', version: 'v1' },
    type: 'spark',
    container: { image: 'ghcr.io/example/spark:3.5', args: ['pyflyte-execute', '--task', 'wordcount'] },
    custom: {
      mainApplicationFile: APP,
      sparkConf: { 'spark.executor.instances': String(instances), 'spark.driver.memory': '1g' },
    },
  },
  execution: {
    id: { run, action: 'wc', project: 'p', domain: 'd' },
    namespace: SPARK_NAMESPACE,
    annotations,
    labels: { team: 'data' },
  },
});
