// Every TypeScript block of README.md and docs/ compiles against the built package and runs to exit 0.
//
// Each block is a program of its own unless its info string says `continued` (```ts continued: it extends the block
// before it, as a tutorial does) or `fragment` (left out, and listed below so that opt-outs stay few and visible).
// Programs are written under .cache/ inside the repository, so `import ... from 'kubetasks/...'` resolves through the
// package's own exports to dist/, exactly as in a user's project: run `npm run build` first (`npm test` does).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docBlocks, extractBlocks, needsTestRunner, type DocProgram } from './code-blocks.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RUN_TIMEOUT_MS = 60_000;
/** Raise it only with a reason in the doc itself: a fragment is a block nobody checks. */
const MAX_FRAGMENTS = 2;

/** `KUBETASKS_DOCS=getting-started npx vitest run test/docs` checks only the files whose path contains it. */
const only = process.env['KUBETASKS_DOCS'];
const all = docBlocks(ROOT);
const programs = all.programs.filter((p) => only === undefined || p.file.includes(only));
const { fragments } = all;
const dir = join(ROOT, '.cache', `doc-blocks-${process.pid}`);
const outDir = join(dir, 'out');
const fileOf = (p: DocProgram, i: number): string =>
  `p${String(i).padStart(2, '0')}-${p.file.replace(/[^A-Za-z0-9]+/g, '-')}${needsTestRunner(p) ? '.test' : ''}`;
const indexed = programs.map((p, i) => ({ p, base: fileOf(p, i) }));
const plain = indexed.filter(({ p }) => !needsTestRunner(p));
const withTests = indexed.filter(({ p }) => needsTestRunner(p));

/** The strictness a careful user's project would have; blocks must not depend on this repository's extra flags. */
const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  // Imports are kept as written, so a block that names a module the package does not export fails at run time too.
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  types: ['node'],
  rootDir: dir,
  outDir,
};

let diagnostics: string[] = [];

const run = (
  args: ReadonlyArray<string>,
  cwd: string,
): Promise<{ code: number | null; signal: string | null; out: string }> =>
  new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, out });
    });
  });

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  mkdirSync(dir, { recursive: true });
  // A block with no import would be a script sharing one global scope with the others: make each a module.
  for (const { p, base } of indexed)
    writeFileSync(join(dir, `${base}.ts`), `${p.lines.join('\n')}\nexport {};\n`);
  const program = ts.createProgram(
    indexed.map(({ base }) => join(dir, `${base}.ts`)),
    compilerOptions,
  );
  const where = (d: ts.Diagnostic): string => {
    if (d.file === undefined || d.start === undefined) return 'tsc';
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    const entry = indexed.find(({ base }) => d.file?.fileName === join(dir, `${base}.ts`));
    return entry?.p.sources[line] ?? `${d.file.fileName}:${line + 1}`;
  };
  diagnostics = ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${where(d)}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  program.emit();
  console.log(
    `doc code blocks: ${programs.length} programs from ${programs.reduce((n, p) => n + p.blocks, 0)} blocks ` +
      `(${withTests.length} run by vitest); ${fragments.length} fragment(s) opted out` +
      fragments.map((f) => `\n  fragment: ${f.name}`).join(''),
  );
}, 300_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('docs code blocks', () => {
  it('every block typechecks against the built package', () => {
    expect(diagnostics).toEqual([]);
  });

  it('fragments stay few', () => {
    expect(fragments.length).toBeLessThanOrEqual(MAX_FRAGMENTS);
  });

  it.each(plain.map(({ p, base }) => [p.name, base] as const))(
    '%s runs to exit 0',
    async (_, base) => {
      const r = await run([join(outDir, `${base}.js`)], ROOT);
      expect(r.signal, `killed after ${RUN_TIMEOUT_MS} ms:\n${r.out}`).toBeNull();
      expect(r.code, r.out).toBe(0);
    },
    RUN_TIMEOUT_MS + 10_000,
  );

  it.runIf(withTests.length > 0)(
    'the blocks that declare tests pass under vitest',
    async () => {
      const config = join(dir, 'vitest.config.mjs');
      writeFileSync(
        config,
        `export default { test: { include: ['out/**/*.test.js'], testTimeout: 60000 } };\n`,
      );
      const r = await run(
        [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', config],
        dir,
      );
      expect(r.code, r.out).toBe(0);
    },
    RUN_TIMEOUT_MS * 2,
  );
});

describe('extractBlocks', () => {
  const md = [
    '# t',
    '```ts',
    'const a = 1;',
    '```',
    'text',
    '```ts continued',
    'const b = a;',
    '```',
    '```typescript fragment',
    'interface X {}',
    '```',
    '```sh',
    'echo no',
    '```',
    '```typescript',
    'const c = 2;',
    '```',
  ].join('\n');

  it('joins continued blocks, leaves fragments and other languages out, and maps lines back', () => {
    const b = extractBlocks('x.md', md);
    expect(b.programs.map((p) => ({ name: p.name, lines: p.lines, blocks: p.blocks }))).toEqual([
      { name: 'x.md:2', lines: ['const a = 1;', 'const b = a;'], blocks: 2 },
      { name: 'x.md:15', lines: ['const c = 2;'], blocks: 1 },
    ]);
    expect(b.programs[0]?.sources).toEqual(['x.md:3', 'x.md:7']);
    expect(b.fragments).toEqual([{ name: 'x.md:9' }]);
  });

  it('refuses a continued block with nothing to continue', () => {
    expect(() => extractBlocks('y.md', '```ts continued\nconst a = 1;\n```')).toThrow(/y.md:1/);
  });
});
