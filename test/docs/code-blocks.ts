// The TypeScript code blocks of the docs, gathered into programs that the docs test compiles and runs.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * One program: a block, or a block followed by the blocks marked `continued` after it (a tutorial that builds one
 * module step by step). `lines[i]` came from `sources[i]` (`docs/x.md:LINE`), for error messages.
 */
export interface DocProgram {
  /** `docs/x.md:LINE` of the first block. */
  readonly name: string;
  readonly file: string;
  readonly lines: ReadonlyArray<string>;
  readonly sources: ReadonlyArray<string>;
  /** How many blocks it was made from. */
  readonly blocks: number;
}

/** A block left out on purpose (` ```ts fragment `), listed in the test's output so opt-outs stay visible. */
export interface DocFragment {
  readonly name: string;
}

/** What one markdown file holds. */
export interface DocBlocks {
  readonly programs: ReadonlyArray<DocProgram>;
  readonly fragments: ReadonlyArray<DocFragment>;
}

const FENCE = /^(\s*)```(.*)$/;
const TS_LANGS = new Set(['ts', 'typescript']);

/**
 * Reads the ```ts and ```typescript blocks of one markdown text. The info string after the language may say
 * `continued` (append to the previous program of the file) or `fragment` (not compiled: an excerpt, a shape).
 */
export const extractBlocks = (file: string, text: string): DocBlocks => {
  const programs: Array<{ -readonly [K in keyof DocProgram]: DocProgram[K] }> = [];
  const fragments: DocFragment[] = [];
  const all = text.split('\n');
  let i = 0;
  while (i < all.length) {
    const open = FENCE.exec(all[i] ?? '');
    if (open === null) {
      i++;
      continue;
    }
    const words = (open[2] ?? '').trim().split(/\s+/);
    const start = i + 1;
    let end = start;
    while (end < all.length && !/^\s*```\s*$/.test(all[end] ?? '')) end++;
    const body = all.slice(start, end);
    const name = `${file}:${start}`;
    i = end + 1;
    if (!TS_LANGS.has(words[0] ?? '')) continue;
    if (words.includes('fragment')) {
      fragments.push({ name });
      continue;
    }
    const sources = body.map((_, k) => `${file}:${start + 1 + k}`);
    const previous = programs[programs.length - 1];
    if (words.includes('continued')) {
      if (previous === undefined) throw new Error(`${name}: a \`continued\` block with no block before it`);
      previous.lines = [...previous.lines, ...body];
      previous.sources = [...previous.sources, ...sources];
      previous.blocks += 1;
    } else {
      programs.push({ name, file, lines: body, sources, blocks: 1 });
    }
  }
  return { programs, fragments };
};

/**
 * README.md and every markdown file under docs/, relative to `root`, in a stable order. docs/api/ is skipped: it is
 * the generated API reference (`npm run docs:api`), not written docs.
 */
export const markdownFiles = (root: string): ReadonlyArray<string> => {
  const generated = join(root, 'docs', 'api');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const path = join(dir, d.name);
      if (d.isDirectory()) return path === generated ? [] : walk(path);
      return d.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...walk(join(root, 'docs')).map((f) => relative(root, f))].sort();
};

/** Every program and fragment of the repository's docs. */
export const docBlocks = (root: string): DocBlocks => {
  const each = markdownFiles(root).map((f) => extractBlocks(f, readFileSync(join(root, f), 'utf8')));
  return {
    programs: each.flatMap((b) => b.programs),
    fragments: each.flatMap((b) => b.fragments),
  };
};

/** A program is run by vitest when it declares tests (it imports a test runner, or a contract suite). */
export const needsTestRunner = (p: DocProgram): boolean =>
  p.lines.some((l) =>
    /from '(vitest|@fast-check\/vitest|kubetasks\/testing\/contract)'|\b(clusterContract|stateStoreContract)\(/.test(
      l,
    ),
  );
