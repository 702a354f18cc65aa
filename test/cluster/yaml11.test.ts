// The CLI's YAML through kubectl's own reader (sigs.k8s.io/yaml over go-yaml v2, tools/yaml11): it reads what JSON shows.
import { execFileSync, spawnSync } from 'node:child_process';
import { fc } from '@fast-check/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { toYaml } from '../../src/app/yaml-output.js';
import { EXAMPLE_POD_TEMPLATES, exampleTaskFiles, trickyTask } from '../support/examples.js';
import { arbYamlTrickyDocument, YAML11_SPECIAL_FORMS } from '../support/yaml-strings.js';
import { cliOutput as cli } from '../cli/spawn.js';

let reader = '';

beforeAll(() => {
  // Fails the file, never skips it, when the reader cannot be built: this suite exists to run it.
  const out = execFileSync('bash', ['scripts/yaml11.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/local/go/bin` },
  });
  const line = out.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('YAML11=')) throw new Error(`scripts/yaml11.sh printed no YAML11=<path>: ${out}`);
  reader = line.slice('YAML11='.length);
});

/** The documents of a YAML stream as kubectl reads them. */
const kubectlReads = (yaml: string): unknown => {
  const r = spawnSync(reader, [], { input: yaml, encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
};

describe("kubectl's YAML reader", () => {
  it('is the YAML 1.1 reader it claims to be: plain yes is true, 0O17 is 15', () => {
    expect(kubectlReads('a: yes\nb: 0O17\non: 1_000\n---\n# only a comment\n')).toEqual([
      { a: true, b: 15, true: 1000 },
    ]);
  });

  it.each(exampleTaskFiles().map((f) => [f]))('reads render %s -o yaml as -o json shows it', (file) => {
    const args = ['render', file, '-t', EXAMPLE_POD_TEMPLATES, '--with-metadata'];
    const json: unknown = JSON.parse(cli([...args, '-o', 'json']));
    expect(kubectlReads(cli([...args, '-o', 'yaml']))).toEqual([json]);
  });

  it('reads the special forms in args, env values and annotations as strings', () => {
    const args = ['render', '-', '--with-metadata'];
    const json: unknown = JSON.parse(cli([...args, '-o', 'json'], trickyTask()));
    expect(kubectlReads(cli([...args, '-o', 'yaml'], trickyTask()))).toEqual([json]);
  });

  it('reads generated documents of tricky keys and strings as their JSON', () => {
    // One reader process for many documents: a stream, one document per generated value.
    const docs = fc.sample(arbYamlTrickyDocument, { numRuns: 500 });
    const special = Object.fromEntries(YAML11_SPECIAL_FORMS.map((s) => [s, [s]]));
    const all = [special, ...docs].filter((d) => Object.keys(d).length > 0);
    const stream = all.map((d) => toYaml(d)).join('---\n');
    expect(kubectlReads(stream)).toEqual(JSON.parse(JSON.stringify(all)));
  });
});
