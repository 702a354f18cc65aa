// The runtime matrix: the golden cases on Node, Deno, Bun, QuickJS and headless Chromium, byte for byte as Node.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getQuickJS } from 'quickjs-emscripten';
import { beforeAll, describe, expect, it } from 'vitest';
import { GOLDEN_RESOURCES, exampleTasks, goldenInput } from './cases.js';
import { golden } from './golden.js';
import {
  BUNDLES,
  ROOT,
  binary,
  bundle,
  firstDifference,
  launchChromium,
  outputDir,
  read,
  run,
} from './support.js';

/** The browser globals the page code uses (the TypeScript project has no DOM library). */
interface InBrowser {
  readonly KubetasksGolden: { readonly golden: (input: string) => string };
  readonly navigator: { readonly userAgent: string };
  readonly URL: { readonly createObjectURL: (blob: unknown) => string };
  readonly Blob: new (parts: ReadonlyArray<string>, options: { readonly type: string }) => unknown;
  readonly Worker: new (url: string) => {
    onmessage: (e: { readonly data: string }) => void;
    onerror: (e: { readonly message: string }) => void;
    postMessage: (message: string) => void;
  };
}

const DRIVERS = join(ROOT, 'test', 'runtimes', 'drivers');
const ESM = join(BUNDLES, 'golden.mjs');
const IIFE = join(BUNDLES, 'golden.iife.js');

let out = '';
let inputFile = '';
let inputText = '';
/** What Node computes from the TypeScript sources, unbundled: every runtime must print exactly this. */
let reference = '';

/** Compares a runtime's output with Node's, keeping it under test-output/runtimes/ for a person to diff. */
const expectSameAsNode = (runtime: string, actual: string): void => {
  writeFileSync(join(out, `${runtime}.txt`), actual);
  const diff = firstDifference(reference, actual);
  expect(diff, `${runtime} differs from Node (test-output/runtimes/${runtime}.txt)`).toBeUndefined();
};

/** Runs a driver (test/runtimes/drivers) on the ESM bundle and returns what it wrote. */
const viaDriver = (runtime: string, command: string, args: ReadonlyArray<string>): string => {
  const file = join(out, `${runtime}.raw`);
  run(command, [...args, ESM, inputFile, file, 'golden'], {
    // No update checks, telemetry or installs: the runtimes must work with loopback-only networking.
    DENO_NO_UPDATE_CHECK: '1',
    DENO_DIR: join(out, 'deno-dir'),
    DO_NOT_TRACK: '1',
  });
  return read(file);
};

beforeAll(() => {
  bundle('runtimes');
  out = outputDir('runtimes');
  inputText = JSON.stringify(goldenInput());
  inputFile = join(out, 'input.json');
  writeFileSync(inputFile, inputText);
  reference = golden(inputText);
  writeFileSync(join(out, 'node-source.txt'), reference);
});

describe('the golden cases', () => {
  it('cover every example task with and without the platform config, and the generated resources', () => {
    const tasks = exampleTasks();
    expect(tasks.length).toBeGreaterThanOrEqual(10);
    // Each task in YAML and in JSON, rendered with the defaults and with platform.yaml in both forms.
    expect(reference.match(/^=== render /gm)?.length).toBe(tasks.length * 2 * 3);
    expect(reference.match(/^=== explain /gm)?.length).toBe(GOLDEN_RESOURCES);
    // Most examples build (a failing one is shown with its position, not dropped), and every shipped kind is read.
    expect(reference.match(/^# kubetasks render /gm)?.length ?? 0).toBeGreaterThan(tasks.length * 4);
    for (const plugin of ['pod', 'batch-job', 'spark', 'ray', 'dask', 'pytorch', 'tensorflow', 'mpi']) {
      expect(reference, plugin).toMatch(new RegExp(`^plugin: +${plugin} \\(`, 'm'));
    }
    // Related pods in Lists reach the plugins that read them.
    expect(reference).toMatch(/^ {2}- related objects: (?!none)/m);
  });
});

describe('every runtime prints what Node prints', () => {
  it('Node, the minified bundle', () => {
    expectSameAsNode('node', viaDriver('node', process.execPath, [join(DRIVERS, 'node.mjs')]));
  });

  it('Deno', () => {
    const deno = binary('deno');
    expect(run(deno, ['--version'])).toMatch(/^deno \d+\./);
    expectSameAsNode(
      'deno',
      viaDriver('deno', deno, [
        'run',
        '--no-config',
        '--no-npm',
        '--allow-read',
        '--allow-write',
        join(DRIVERS, 'deno.mjs'),
      ]),
    );
  });

  it('Bun', () => {
    const bun = binary('bun');
    expect(run(bun, ['--version'])).toMatch(/^\d+\.\d+/);
    expectSameAsNode('bun', viaDriver('bun', bun, ['--no-install', join(DRIVERS, 'bun.mjs')]));
  });

  it('QuickJS (quickjs-emscripten): the classic-script bundle, nothing but the language', async () => {
    const QuickJS = await getQuickJS();
    const runtime = QuickJS.newRuntime();
    // The YAML parser recurses; QuickJS's default stack is smaller than the engines' above.
    runtime.setMaxStackSize(0);
    runtime.setMemoryLimit(1024 * 1024 * 1024);
    const vm = runtime.newContext();
    try {
      vm.unwrapResult(vm.evalCode(read(IIFE), 'golden.iife.js')).dispose();
      const harness = vm.getProp(vm.global, 'KubetasksGolden');
      const fn = vm.getProp(harness, 'golden');
      const arg = vm.newString(inputText);
      const result = vm.unwrapResult(vm.callFunction(fn, vm.undefined, arg));
      const text = vm.getString(result);
      for (const h of [result, arg, fn, harness]) h.dispose();
      expectSameAsNode('quickjs', text);
    } finally {
      vm.dispose();
      runtime.dispose();
    }
  });

  it('headless Chromium: a page and a Web Worker', async () => {
    const { context, close } = await launchChromium();
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const script = read(IIFE);
      await page.addScriptTag({ content: script });
      const inPage = await page.evaluate(
        (i) => (globalThis as unknown as InBrowser).KubetasksGolden.golden(i),
        inputText,
      );
      expect(await page.evaluate(() => (globalThis as unknown as InBrowser).navigator.userAgent)).toMatch(
        /HeadlessChrome/,
      );
      expectSameAsNode('chromium', inPage);
      // The worker loads the same classic script from a Blob URL and answers by message, as an embedder's would.
      const inWorker = await page.evaluate(
        ([code, i]) =>
          new Promise<string>((resolve, reject) => {
            const g = globalThis as unknown as InBrowser;
            const source = `${code}\nonmessage = (e) => postMessage(KubetasksGolden.golden(e.data));`;
            const w = new g.Worker(g.URL.createObjectURL(new g.Blob([source], { type: 'text/javascript' })));
            w.onmessage = (e) => {
              resolve(e.data);
            };
            w.onerror = (e) => {
              reject(new Error(e.message));
            };
            w.postMessage(i);
          }),
        [script, inputText] as const,
      );
      expectSameAsNode('chromium-worker', inWorker);
    } finally {
      await close();
    }
  });
});
