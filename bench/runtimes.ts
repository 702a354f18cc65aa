// Benchmark: getTaskPhase calls per second on Node, Deno, Bun, QuickJS and Chromium, over the same pods.
// Run: npm run bench:runtimes [-- --pods 10000 --passes 10 --rounds 5 --seed 20261125 --quickjs-passes 1]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getQuickJS } from 'quickjs-emscripten';
import type { BenchResult } from '../test/runtimes/golden.js';
import { benchInput } from '../test/runtimes/cases.js';
import { BUNDLES, ROOT, binary, bundle, launchChromium, read, run } from '../test/runtimes/support.js';

const { values } = parseArgs({
  options: {
    // 10,000 pods are 20 MB of JSON, about what a browser page takes in one message; passes make a round longer.
    pods: { type: 'string', default: '10000' },
    passes: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '20261125' },
    // QuickJS interprets: one pass keeps its rounds near the others' wall time.
    'quickjs-passes': { type: 'string', default: '1' },
  },
});
const PODS = Number(values.pods);
const ROUNDS = Number(values.rounds);
const SEED = Number(values.seed);
const PASSES = Number(values.passes);
const QUICKJS_PASSES = Number(values['quickjs-passes']);

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

bundle('runtimes');
const ESM = join(BUNDLES, 'golden.mjs');
const IIFE = join(BUNDLES, 'golden.iife.js');
const DRIVERS = join(ROOT, 'test', 'runtimes', 'drivers');
const dir = mkdtempSync(join(tmpdir(), 'kubetasks-bench-runtimes-'));
const input = JSON.stringify(await benchInput(PODS, SEED));
const inputFile = join(dir, 'pods.json');
writeFileSync(inputFile, input);

const viaDriver = (name: string, command: string, args: ReadonlyArray<string>): BenchResult => {
  const out = join(dir, `${name}.json`);
  run(command, [...args, ESM, inputFile, out, `bench:${ROUNDS}:${PASSES}`], {
    DENO_NO_UPDATE_CHECK: '1',
    DENO_DIR: join(dir, 'deno-dir'),
    DO_NOT_TRACK: '1',
  });
  return JSON.parse(read(out)) as BenchResult;
};

const quickjs = async (): Promise<BenchResult> => {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMaxStackSize(0);
  runtime.setMemoryLimit(1024 * 1024 * 1024);
  const vm = runtime.newContext();
  try {
    vm.unwrapResult(vm.evalCode(read(IIFE), 'golden.iife.js')).dispose();
    const code = `JSON.stringify(KubetasksGolden.benchHere(${JSON.stringify(input)}, ${ROUNDS}, ${QUICKJS_PASSES}))`;
    const result = vm.unwrapResult(vm.evalCode(code, 'bench.js'));
    const text = vm.getString(result);
    result.dispose();
    return JSON.parse(text) as BenchResult;
  } finally {
    vm.dispose();
    runtime.dispose();
  }
};

const chromium = async (): Promise<BenchResult> => {
  const { context, close } = await launchChromium();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addScriptTag({ content: read(IIFE) });
    return await page.evaluate(
      ([i, r, p]) =>
        (
          globalThis as unknown as {
            KubetasksGolden: { benchHere: (input: string, rounds: number, passes: number) => BenchResult };
          }
        ).KubetasksGolden.benchHere(i, r, p),
      [input, ROUNDS, PASSES] as const,
    );
  } finally {
    await close();
  }
};

console.log(
  `${PODS} pods (arbObservation, seed ${SEED}) ${PASSES} times over (QuickJS ${QUICKJS_PASSES}), best of ${ROUNDS} rounds`,
);
console.log(`load average before: ${load()}`);
const results: Array<readonly [string, BenchResult]> = [];
const measure = async (name: string, f: () => BenchResult | Promise<BenchResult>): Promise<void> => {
  const r = await f();
  results.push([name, r]);
  console.log(
    `${name.padEnd(22)} ${String(r.callsPerSecond).padStart(9)} calls/s  (${r.calls} calls in ${r.bestSeconds.toFixed(3)} s, checksum ${r.checksum})`,
  );
};
await measure(`Node ${process.version}`, () =>
  viaDriver('node', process.execPath, [join(DRIVERS, 'node.mjs')]),
);
await measure(`Deno ${run(binary('deno'), ['--version']).split(/\s/)[1] ?? ''}`, () =>
  viaDriver('deno', binary('deno'), [
    'run',
    '--no-config',
    '--no-npm',
    '--allow-read',
    '--allow-write',
    join(DRIVERS, 'deno.mjs'),
  ]),
);
await measure(`Bun ${run(binary('bun'), ['--version']).trim()}`, () =>
  viaDriver('bun', binary('bun'), ['--no-install', join(DRIVERS, 'bun.mjs')]),
);
await measure('Chromium (page)', chromium);
await measure('QuickJS (wasm)', quickjs);
console.log(`load average after: ${load()}`);
// Every runtime over the same pods must agree on the answers: the checksum sums the versions they report.
const full = results.map(([, r]) => r.checksum);
if (new Set(full).size !== 1) {
  console.error(`checksums differ between runtimes: ${full.join(', ')}`);
  process.exitCode = 1;
}
rmSync(dir, { recursive: true, force: true });
