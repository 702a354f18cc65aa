// The playground page in headless Chromium: opened from disk, filled with the examples, checked for what it shows.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, bundle, launchChromium, outputDir } from './support.js';

let page: Page;
let close: () => Promise<void> = () => Promise.resolve();
let shots = '';
const pageErrors: string[] = [];

const text = async (selector: string): Promise<string> => (await page.textContent(selector)) ?? '';
const items = (selector: string): Promise<string[]> => page.locator(selector).allTextContents();
const shot = (name: string): Promise<Buffer> =>
  page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  bundle('playground');
  shots = outputDir('playground');
  const browser = await launchChromium();
  close = browser.close;
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.setViewportSize({ width: 1400, height: 1000 });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // From disk, as a person double-clicking index.html would open it: the page must need no server.
  await page.goto(pathToFileURL(join(ROOT, 'dist-playground', 'index.html')).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
});

afterAll(async () => {
  await close();
});

describe('the playground page', () => {
  it('offers every example and renders the first one without a config', async () => {
    const tasks = await items('#task-example option');
    expect(tasks).toContain('examples/tasks/hello.yaml');
    expect(tasks).toContain('examples/spark/pyspark.yaml');
    expect(await items('#config-example option')).toContain('examples/platform.yaml');
    expect(await text('#render-plugin')).toMatch(/^plugin: \S+ \(/);
    expect(await text('#render-output')).toMatch(/^# kubetasks render examples\//);
    expect(pageErrors).toEqual([]);
  });

  it('shows the manifest each plugin builds, with the platform config', async () => {
    await page.selectOption('#config-example', { label: 'examples/platform.yaml' });
    expect(await items('#config-errors li')).toEqual([]);
    const seen = new Map<string, string>();
    for (const [file, plugin, kind] of [
      ['examples/tasks/hello.yaml', 'pod', 'kind: Pod'],
      ['examples/spark/pyspark.yaml', 'spark', 'kind: SparkApplication'],
      ['examples/ray/train.yaml', 'ray', 'kind: RayJob'],
      ['examples/kubeflow/pytorch.yaml', 'pytorch', 'kind: PyTorchJob'],
      ['examples/dask/etl.yaml', 'dask', 'kind: DaskJob'],
      ['examples/job/retries.yaml', 'batch-job', 'kind: Job'],
    ] as const) {
      await page.selectOption('#task-example', { label: file });
      expect(await items('#render-errors li'), file).toEqual([]);
      expect(await text('#render-plugin'), file).toMatch(new RegExp(`^plugin: ${plugin} \\(`));
      const manifest = await text('#render-output');
      expect(manifest, file).toContain(kind);
      seen.set(file, manifest);
    }
    await page.selectOption('#task-example', { label: 'examples/spark/pyspark.yaml' });
    await page.check('#with-metadata');
    expect(await text('#render-output')).toMatch(/kubetasks\.dev\/managed: "?true"?/);
    await page.uncheck('#with-metadata');
    await shot('render-spark');
    expect(seen.size).toBe(6);
  });

  it('shows a task file error at its line and column, and a click selects the place', async () => {
    await page.selectOption('#task-example', { label: 'examples/tasks/hello.yaml' });
    const original = await page.inputValue('#task');
    // An unknown key on line 3 (column 1): the decoder's strictness, positioned as the CLI positions it.
    const lines = original.split('\n');
    const at = lines.findIndex((l) => l.startsWith('kind:'));
    lines.splice(at + 1, 0, 'surprise: 1');
    await page.fill('#task', lines.join('\n'));
    const errors = await items('#render-errors li');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(new RegExp(`^examples/tasks/hello\\.yaml:${at + 2}:1: .*surprise`));
    expect(await text('#render-output')).toBe('');
    await page.click('#render-errors li');
    const selected = await page.evaluate(() => {
      const t = (
        globalThis as unknown as { document: { getElementById: (id: string) => unknown } }
      ).document.getElementById('task') as { value: string; selectionStart: number };
      return t.value.slice(t.selectionStart, t.selectionStart + 8);
    });
    expect(selected).toBe('surprise');
    await shot('render-error');
    // A YAML syntax error is positioned too.
    await page.fill('#task', 'task:\n  type: [unclosed\n');
    expect((await items('#render-errors li'))[0]).toMatch(
      /^examples\/tasks\/hello\.yaml:\d+:\d+: not valid YAML or JSON/,
    );
    await page.fill('#task', original);
    expect(await items('#render-errors li')).toEqual([]);
  });

  it('shows a config error at its line and column, and holds the outputs until it is fixed', async () => {
    const good = await page.inputValue('#config');
    await page.fill('#config', `${good}\nnot-a-section: true\n`);
    const errors = await items('#config-errors li');
    expect(errors.some((e) => /^examples\/platform\.yaml:\d+:1: .*not-a-section/.test(e))).toBe(true);
    expect(await items('#render-errors li')).toEqual([
      'platform config: fix the platform config first (its errors are listed under it)',
    ]);
    await page.fill('#config', good);
    expect(await items('#config-errors li')).toEqual([]);
  });

  it('explains a pod stuck on an image pull: phase, reason, rows and evidence at a glance', async () => {
    await page.selectOption('#resource-example', { label: 'playground/examples/pod-image-pull.json' });
    expect(await page.inputValue('#now')).toBe('2026-03-02T10:05:00Z');
    expect(await text('#phase')).toBe('RetryableFailure');
    expect(await text('#explain-plugin')).toBe('plugin: pod (v1/Pod)');
    expect(await text('#error')).toMatch(
      /^USER ContainersNotReady\|ImagePullBackOff\n.*Grace period \[3m0s\] exceeded/,
    );
    expect(await items('#rows li')).toEqual(['pending.waiting.image-pull-backoff.expired']);
    const why = await items('#why li');
    expect(why[0]).toBe('plugin pod (v1/Pod) reads v1/Pod r7a1c2-train-0');
    expect(why.some((w) => w.includes('ImagePullBackOff'))).toBe(true);
    expect(await text('#explain-text')).toMatch(/^plugin: {5}pod \(v1\/Pod\)\nphase: {6}RetryableFailure\n/);
    await shot('explain-image-pull');
    // A minute in, the grace period still runs: the same pod is only waiting.
    await page.fill('#now', '2026-03-02T10:01:00Z');
    expect(await text('#phase')).not.toBe('RetryableFailure');
    expect((await items('#rows li')).at(-1)).toMatch(/image-pull-backoff/);
    await page.fill('#now', 'yesterday');
    expect(await items('#explain-errors li')).toEqual([
      'observed at: expected an RFC 3339 time such as 2026-03-02T10:00:00Z, got "yesterday"',
    ]);
    expect(await page.isHidden('#explain-result')).toBe(true);
  });

  it('explains a List of a Job and its pods, and an OOM-killed pod', async () => {
    await page.selectOption('#resource-example', { label: 'playground/examples/job-list.json' });
    expect(await text('#explain-plugin')).toBe('plugin: batch-job (batch/v1/Job)');
    expect(await text('#phase')).toMatch(/Failure$/);
    expect((await items('#why li')).some((w) => w.startsWith('related objects: v1/Pod '))).toBe(true);
    await shot('explain-job-list');
    await page.selectOption('#resource-example', { label: 'playground/examples/pod-oom.json' });
    expect(await items('#rows li')).toEqual(['failed.container.oom-killed']);
    expect(await text('#error')).toMatch(/^USER OOMKilled/);
  });

  it('positions what it cannot explain in the pasted text', async () => {
    await page.fill('#resource', '{\n  "apiVersion": "example.com/v1",\n  "kind": "Gadget"\n}\n');
    const errors = await items('#explain-errors li');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^playground\/examples\/pod-oom\.json:1:1: no plugin watches example\.com\/v1\/Gadget/,
    );
    await page.fill('#resource', '{ "kind": ');
    expect((await items('#explain-errors li'))[0]).toMatch(/:\d+:\d+: not valid YAML or JSON/);
    await shot('explain-error');
    expect(pageErrors).toEqual([]);
  });
});
