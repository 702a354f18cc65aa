// architecture.md's table of package entry points lists exactly the code entry points of package.json's exports.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  readonly exports: Readonly<Record<string, unknown>>;
};
const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
const section = doc.slice(doc.indexOf('## Package entry points'));
const documented = [...section.matchAll(/^\| `(kubetasks[^`]*)` \|/gm)].map((m) => m[1]);

describe('docs/architecture.md: package entry points', () => {
  it('lists every code entry point package.json exports, and no other', () => {
    // JSON schemas and package.json itself are files, not modules.
    const code = Object.keys(pkg.exports)
      .filter((k) => !k.endsWith('.json'))
      .map((k) => (k === '.' ? 'kubetasks' : `kubetasks/${k.slice(2)}`));
    expect([...documented].sort()).toEqual([...code].sort());
  });
});
