// npm test passes on a fresh clone: nothing the unit suite runs reads the folder beside the clone or the CRD suite's directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The suites with their own configs, which may read what lies beside the clone (CI passes it to them). */
const OWN_CONFIGS = ['test/cluster/', 'test/oracle/', 'test/crds/'];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : /\.(ts|mjs|js)$/.test(p) ? [p] : [];
  });

// Spelled in pieces so that this file, which holds the pattern, does not itself name the folder beside the clone.
const BESIDE = ['\\.\\.', 'shared'].join('\\/');
const READS_BESIDE = new RegExp(
  `${BESIDE}\\b|['"]shared['"],\\s*['"]crds['"]|KUBETASKS_CRD_DIR|from '(\\.\\.\\/)+crds\\/`,
);

describe('the unit suite on a fresh clone', () => {
  const files = [...filesUnder('test'), ...filesUnder('src'), 'vitest.config.ts']
    .map((f) => relative('.', f))
    // This file spells the patterns it looks for.
    .filter(
      (f) => !OWN_CONFIGS.some((d) => f.startsWith(d)) && f !== 'test/architecture/fresh-clone.test.ts',
    );

  it('finds the files npm test runs', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('reads nothing beside the repository and nothing from the CRD suite', () => {
    const offending = files.filter((f) => READS_BESIDE.test(readFileSync(f, 'utf8')));
    expect(offending).toEqual([]);
  });
});
