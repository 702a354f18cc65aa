// The golden cases' input, made on Node: the example files as text, and resources from the public arbitraries.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import {
  arbBatchJob,
  arbBatchJobPods,
  arbDaskJob,
  arbDaskRunnerPod,
  arbGarbagePod,
  arbKubeflowJob,
  arbPod,
  arbRayClusterPod,
  arbRayJob,
  arbSparkApplication,
  arbSparkDriverPod,
} from '../../src/testing/index.js';
import type { BenchInput, GoldenInput, NamedText } from './golden.js';

/** The seed of the generated resources: fixed, so that every run explains the same ones. */
export const GOLDEN_SEED = 20261207;
/** How many generated resources are explained. */
export const GOLDEN_RESOURCES = 300;

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

const yamlFilesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory()
        ? yamlFilesUnder(join(dir, d.name))
        : d.name.endsWith('.yaml')
          ? [join(dir, d.name)]
          : [],
    )
    .sort();

const named = (path: string): NamedText => ({
  file: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
});

/** The same document as JSON text (JSON is YAML too: the JSON form goes through the same decoders). */
const asJson = (n: NamedText): NamedText => ({
  file: n.file.replace(/\.yaml$/, '.json'),
  text: `${JSON.stringify(parse(n.text), null, 2)}\n`,
});

/** Every example task file: those whose kind is TaskExecution (examples/ also holds configs and PodTemplates). */
export const exampleTasks = (): ReadonlyArray<NamedText> =>
  yamlFilesUnder(EXAMPLES)
    .map(named)
    .filter((n) => /^kind: TaskExecution$/m.test(n.text));

const list = (items: ReadonlyArray<unknown>): unknown => ({ apiVersion: 'v1', kind: 'List', items });

const managed = (pod: unknown): unknown => {
  const p = pod as { metadata?: { labels?: Record<string, string> } };
  return {
    ...p,
    metadata: { ...p.metadata, labels: { ...p.metadata?.labels, 'kubetasks.dev/managed': 'true' } },
  };
};

/** One resource of each shipped kind, some in a List with their related pods, some garbage. */
const arbResource: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: arbPod },
  { weight: 1, arbitrary: arbGarbagePod.map((p) => ({ apiVersion: 'v1', kind: 'Pod', ...(p as object) })) },
  { weight: 2, arbitrary: arbBatchJob },
  {
    weight: 2,
    arbitrary: arbBatchJob.chain((job) =>
      arbBatchJobPods(job).map((pods) => list([job, ...pods.map(managed)])),
    ),
  },
  { weight: 2, arbitrary: arbSparkApplication },
  {
    weight: 1,
    arbitrary: fc
      .tuple(arbSparkApplication, arbSparkDriverPod)
      .map(([app, pod]) => list([app, managed(pod)])),
  },
  { weight: 2, arbitrary: arbKubeflowJob },
  { weight: 2, arbitrary: arbRayJob },
  {
    weight: 1,
    arbitrary: arbRayJob.chain((job) =>
      arbRayClusterPod((job as { metadata?: { name?: string } }).metadata?.name ?? 'ray').map((pod) =>
        list([job, managed(pod)]),
      ),
    ),
  },
  { weight: 2, arbitrary: arbDaskJob },
  {
    weight: 1,
    arbitrary: arbDaskJob.chain((job) =>
      arbDaskRunnerPod((job as { metadata?: { name?: string } }).metadata?.name ?? 'dask').map((pod) =>
        list([job, managed(pod)]),
      ),
    ),
  },
);

/** The golden input: every example task (YAML and JSON), examples/platform.yaml (both forms), and the resources. */
export const goldenInput = (): GoldenInput => {
  const tasks = exampleTasks();
  const platform = named(join(EXAMPLES, 'platform.yaml'));
  const resources = fc.sample(arbResource, { seed: GOLDEN_SEED, numRuns: GOLDEN_RESOURCES }).map((r, i) => ({
    file: `resource-${String(i).padStart(3, '0')}.json`,
    text: JSON.stringify(r, null, 2),
  }));
  return {
    now: '2026-12-07T12:00:00Z',
    tasks: [...tasks, ...tasks.map(asJson)],
    configs: [platform, asJson(platform)],
    podTemplates: yamlFilesUnder(join(EXAMPLES, 'pod-templates')).map(named),
    resources,
  };
};

/** The benchmark's pods: `n` of bench:oracle's (arbObservation, the same seed), as each runtime receives them. */
export const benchInput = async (n: number, seed = 20261125): Promise<BenchInput> => {
  // test/oracle/inputs.ts is bench:oracle's generator; the same pods make the figures comparable with its.
  const { arbObservation } = await import('../oracle/inputs.js');
  return { pods: fc.sample(arbObservation, { seed, numRuns: n }).map((o) => ({ pod: o.pod, now: o.now })) };
};
