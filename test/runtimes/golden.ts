// The runtime matrix's golden cases: task files rendered and resources explained through the main entry alone.
//
// Every runtime runs this one function on the same input text and must print the same bytes as Node. It uses only
// `kubetasks` (src/index.ts) and the language itself: no I/O, no clock, no console, nothing a QuickJS context lacks.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  builtInRegistry,
  Explain,
  Inputs,
  PlatformConfig,
  PodBuild,
  Registry,
  Render,
  Source,
  Time,
} from '../../src/index.js';

/** A named input text (a file's contents). */
export interface NamedText {
  readonly file: string;
  readonly text: string;
}

/** What every runtime is handed, as JSON text: the example files and the generated resources. */
export interface GoldenInput {
  /** The observation time for explain, RFC 3339. */
  readonly now: string;
  /** Every example task file, in YAML and in its JSON form. */
  readonly tasks: ReadonlyArray<NamedText>;
  /** Platform configs to render with (examples/platform.yaml, YAML and JSON); each task is rendered without too. */
  readonly configs: ReadonlyArray<NamedText>;
  /** PodTemplate files for the template store (used with the configs, as `render -t`). */
  readonly podTemplates: ReadonlyArray<NamedText>;
  /** Resources to explain (a resource, or a List with related pods), as kubectl prints them. */
  readonly resources: ReadonlyArray<NamedText>;
}

const errorsText = (errors: ReadonlyArray<Source.InputError>): string =>
  errors.map((e) => `${Source.renderInputError(e)}\n`).join('');

/**
 * Renders every task without a config and with each config, then explains every resource with the default config
 * and with the first config. Returns one text: every case, its header and its output (or its errors).
 */
export const golden = (inputText: string): string => {
  const input = JSON.parse(inputText) as GoldenInput;
  const registry = builtInRegistry();
  if (E.isLeft(registry)) return `registry: ${Registry.showRegistryError(registry.left)}\n`;
  const out: string[] = [];
  const configs: Array<{ readonly name: string; readonly config: PlatformConfig.PlatformConfig }> = [
    { name: '(defaults)', config: PlatformConfig.defaultPlatformConfig },
  ];
  for (const c of input.configs) {
    out.push(`=== config ${c.file}\n`);
    const decoded = Inputs.loadPlatformConfig(c.file, c.text);
    if (E.isLeft(decoded)) out.push(errorsText(decoded.left));
    else {
      configs.push({ name: c.file, config: decoded.right });
      out.push(`${JSON.stringify(decoded.right)}\n`);
    }
  }
  const templates = input.podTemplates.flatMap((f) => {
    const r = Source.loadDocument(PodBuild.decodeKubePodTemplates)(f.file, f.text);
    if (E.isLeft(r)) {
      out.push(`=== pod templates ${f.file}\n${errorsText(r.left)}`);
      return [];
    }
    return r.right;
  });
  const store = PodBuild.templateStore(templates);
  for (const task of input.tasks) {
    for (const { name, config } of configs) {
      const withTemplates = name === '(defaults)' ? {} : { podTemplates: store };
      out.push(`=== render ${task.file} with ${name}\n`);
      const r = Render.renderTaskText(registry.right, config, task.file, task.text, withTemplates);
      if (E.isLeft(r)) {
        out.push(errorsText(r.left));
        continue;
      }
      out.push(errorsText(r.right.warnings));
      out.push(Render.renderedText(r.right, 'yaml'));
      out.push(Render.renderedText(r.right, 'json', true));
    }
  }
  const now = pipe(
    Time.parseInstant(input.now),
    O.getOrElse(() => 0),
  );
  const explainConfigs = configs.slice(0, 2);
  input.resources.forEach((resource, i) => {
    const { name, config } = explainConfigs[i % explainConfigs.length] ?? configs[0]!;
    out.push(`=== explain ${resource.file} with ${name}\n`);
    const docs = Source.parseSourceStream(resource.file, resource.text);
    if (E.isLeft(docs)) {
      out.push(errorsText(docs.left));
      return;
    }
    const r = Explain.explainResources(
      registry.right,
      { now, config },
      docs.right.map((d) => d.value),
    );
    if (E.isLeft(r)) {
      out.push(
        `error: ${r.left.message}${r.left.at === undefined ? '' : ` at ${JSON.stringify(r.left.at)}`}\n`,
      );
      return;
    }
    out.push(Explain.explainText(r.right));
    out.push(`${JSON.stringify(Explain.explainJson(r.right))}\n`);
  });
  return out.join('');
};

/** What the speed benchmark hands every runtime: pods as JSON text, each with its observation time. */
export interface BenchInput {
  readonly pods: ReadonlyArray<{ readonly pod: unknown; readonly now: number }>;
}

/** The figures of one runtime: calls per second (best round) and a checksum every runtime must agree on. */
export interface BenchResult {
  readonly calls: number;
  readonly bestSeconds: number;
  readonly callsPerSecond: number;
  readonly checksum: number;
}

/**
 * getTaskPhase of the pod plugin over the same pods (`passes` times over per round, so that a round is long enough
 * without an input too large to hand a browser), `rounds` rounds after a warm-up, with Flyte's default grace
 * periods (as bench:oracle). `clock` is the runtime's millisecond clock (performance.now or Date.now), passed in
 * because a QuickJS context has no performance object.
 */
export const bench = (
  inputText: string,
  rounds: number,
  passes: number,
  clock: () => number,
): BenchResult => {
  const input = JSON.parse(inputText) as BenchInput;
  const d = PlatformConfig.defaultPlatformConfig;
  const config: PlatformConfig.PlatformConfig = {
    ...d,
    plugins: {
      ...d.plugins,
      k8s: {
        ...d.plugins.k8s,
        'create-container-error-grace-period': 180_000,
        'create-container-config-error-grace-period': 0,
        'image-pull-backoff-grace-period': 180_000,
        'pod-pending-timeout': 0,
      },
    },
  };
  const registry = builtInRegistry();
  if (E.isLeft(registry)) throw new Error(Registry.showRegistryError(registry.left));
  const plugin = registry.right.plugins.find((p) => p.id === 'pod');
  if (plugin === undefined) throw new Error('no pod plugin');
  let checksum = 0;
  const round = (): number => {
    const start = clock();
    for (let p = 0; p < passes; p++) {
      for (const { pod, now } of input.pods) checksum += plugin.getTaskPhase({ now, config }, pod).version;
    }
    return (clock() - start) / 1000;
  };
  round(); // warm-up: a JIT's first round compiles
  checksum = 0;
  let best = Infinity;
  for (let r = 0; r < rounds; r++) best = Math.min(best, round());
  const calls = input.pods.length * passes;
  return {
    calls,
    bestSeconds: best,
    callsPerSecond: Math.round(calls / best),
    checksum: checksum / rounds / passes,
  };
};
