// The docs checks read the written docs only: the generated API reference under docs/api/ is not theirs to check.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markdownFiles } from './code-blocks.js';

const root = mkdtempSync(join(tmpdir(), 'kubetasks-markdown-files-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const touch = (path: string): void => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), '# x\n');
};

describe('markdownFiles', () => {
  it('lists README.md and the docs, but nothing of the generated docs/api/', () => {
    // TypeDoc copies the docs that README.md links to into docs/api/media/: walking them would check every block twice.
    for (const f of [
      'README.md',
      'docs/a.md',
      'docs/plugins/b.md',
      'docs/api/media/a.md',
      'docs/api/x.html',
    ]) {
      touch(f);
    }
    expect(markdownFiles(root)).toEqual(['README.md', 'docs/a.md', 'docs/plugins/b.md']);
  });
});
