// `kubetasks plugins`, `render` and `run` for the CRD plugins, through the built CLI under plain node.
import { describe, expect, it } from 'vitest';
import { builtInPlugins } from '../../src/plugins/index.js';
import { runCli } from './spawn.js';

describe('kubetasks plugins', () => {
  it('lists every shipped plugin with its task types, kinds and config section', () => {
    const r = runCli(['plugins', '-o', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{
      id: string;
      taskTypes: string[];
      watches: string;
      configSection?: string;
    }>;
    // In registration order; a new plugin needs no edit here (docs/writing-a-crd-plugin.md counts the files).
    expect(rows.map((p) => p.id)).toEqual(builtInPlugins.map((p) => p.id));
    expect(rows.map((p) => p.id)).toEqual(
      expect.arrayContaining(['pod', 'batch-job', 'spark', 'ray', 'dask']),
    );
    const spark = rows.find((p) => p.id === 'spark');
    expect(spark).toMatchObject({
      taskTypes: ['spark'],
      watches: 'SparkApplication.sparkoperator.k8s.io/v1beta2',
      configSection: 'plugins.spark',
    });
  });

  it('prints a readable list', () => {
    const r = runCli(['plugins']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pytorch\n  task types: pytorch\n  watches:    PyTorchJob.kubeflow.org/v1');
  });
});

describe('render and run pick the plugin by task type', () => {
  it.each([
    ['examples/spark/pyspark.yaml', 'SparkApplication'],
    ['examples/kubeflow/pytorch.yaml', 'PyTorchJob'],
    ['examples/ray/train.yaml', 'RayJob'],
    ['examples/dask/etl.yaml', 'DaskJob'],
    ['examples/job/retries.yaml', 'Job'],
  ])('render %s is a %s', (file, kind) => {
    const r = runCli(['render', file, '-o', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { kind: string }).kind).toBe(kind);
  });

  it.each([
    ['examples/kubeflow/pytorch.yaml', 'succeed', 0, 'Success'],
    ['examples/kubeflow/pytorch.yaml', 'oom', 1, 'OOMKilled'],
    ['examples/spark/pyspark.yaml', 'succeed', 0, 'Success'],
    ['examples/job/retries.yaml', 'exit:1', 1, 'BackoffLimitExceeded'],
  ] as const)(
    'run %s --scenario %s exits %i (%s) on the embedded cluster',
    (file, scenario, code, expected) => {
      const r = runCli(['run', file, '--scenario', scenario, '-o', 'json']);
      expect(r.code).toBe(code);
      expect(r.stdout).toContain(expected);
    },
  );
});
