// The API reference check covers the whole public surface: TypeDoc's entry points are exactly package.json's code exports.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

const pkg = readJson('package.json') as {
  readonly exports: Readonly<Record<string, { readonly default?: string } | string>>;
};
const typedoc = readJson('typedoc.json') as {
  readonly entryPoints: ReadonlyArray<string>;
  readonly validation: { readonly notDocumented?: boolean };
  readonly treatValidationWarningsAsErrors?: boolean;
  readonly requiredToBeDocumented: ReadonlyArray<string>;
};

/** `./dist/x/index.js` is built from `src/x/index.ts`: the file TypeDoc must read. */
const sourceOf = (built: string): string => built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');

describe('typedoc.json: the API reference check', () => {
  // `npm run docs:check` finds an undocumented export only in the modules it is given: an entry point added to
  // package.json but not here would be published without the check.
  it('reads every code entry point of package.json, and no other', () => {
    const code = Object.values(pkg.exports).flatMap((target) =>
      typeof target === 'object' && target.default !== undefined ? [sourceOf(target.default)] : [],
    );
    expect(code.length).toBeGreaterThan(5);
    expect([...typedoc.entryPoints].sort()).toEqual(code.sort());
  });

  it('fails on an undocumented export rather than warning about it', () => {
    expect(typedoc.validation.notDocumented).toBe(true);
    expect(typedoc.treatValidationWarningsAsErrors).toBe(true);
    for (const kind of [
      'Variable',
      'Function',
      'Class',
      'Interface',
      'TypeAlias',
      'Method',
      'Namespace',
      'Module',
    ]) {
      expect(typedoc.requiredToBeDocumented).toContain(kind);
    }
  });
});
