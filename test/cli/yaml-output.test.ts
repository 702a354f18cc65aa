// `render -o yaml` read by a YAML 1.1 reader gives what `-o json` shows (test/cluster/yaml11.test.ts: kubectl's reader).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { trickyTask } from '../support/examples.js';
import { cliOutput as cli } from './spawn.js';

/** The yaml package's YAML 1.1 reader, document by document. */
const read11 = (text: string): ReadonlyArray<unknown> =>
  parseAllDocuments(text, { version: '1.1' }).flatMap((d) => {
    expect(d.errors).toEqual([]);
    return d.contents === null ? [] : [d.toJS() as unknown];
  });

describe('the YAML the CLI writes, read as YAML 1.1', () => {
  it('render keeps yes, on, 0o17, 12:30, 1_000, .inf, ~ and dates strings, in args, env values and annotations', () => {
    const args = ['render', '-', '--with-metadata'];
    const json = JSON.parse(cli([...args, '-o', 'json'], trickyTask())) as {
      spec: { containers: ReadonlyArray<{ args: ReadonlyArray<string> }> };
    };
    expect(json.spec.containers[0]?.args).toContain('yes');
    const yaml = cli([...args, '-o', 'yaml'], trickyTask());
    expect(yaml).toContain('- "yes"\n');
    expect(read11(yaml)).toEqual([json]);
  });

  it('config defaults reads back as the JSON', () => {
    expect(read11(cli(['config', 'defaults']))).toEqual([
      JSON.parse(cli(['config', 'defaults', '-o', 'json'])),
    ]);
  });
});
