// The dependency rule, enforced: the domain is pure and every layer imports only inward.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });

const importsOf = (file: string): string[] => {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return [...specs, ...dynamic];
};

/** The layer a source file or a relative import target belongs to. */
const layerOf = (absPath: string): string =>
  relative(SRC, absPath)
    .split('/')[0]!
    .replace(/\.ts$|\.js$/, '');

const allowedPackages: Record<string, RegExp> = {
  domain: /^(fp-ts\/lib\/[A-Za-z]+\.js|io-ts|io-ts\/lib\/[A-Za-z]+\.js|kubernetes-types\/.+)$/,
  plugins: /^(fp-ts\/lib\/[A-Za-z]+\.js|io-ts|io-ts\/lib\/[A-Za-z]+\.js|kubernetes-types\/.+)$/,
  ports: /^(fp-ts\/lib\/[A-Za-z]+\.js|io-ts|kubernetes-types\/.+)$/,
  // ajv: the CRD schema check (app/crd-validation.ts), pure JavaScript like yaml.
  app: /^(fp-ts\/lib\/[A-Za-z]+\.js|io-ts|io-ts\/lib\/[A-Za-z]+\.js|kubernetes-types\/.+|yaml|ajv)$/,
};

const allowedLayers: Record<string, ReadonlyArray<string>> = {
  domain: ['domain'],
  plugins: ['domain', 'plugins'],
  ports: ['domain', 'ports'],
  app: ['domain', 'plugins', 'ports', 'app'],
  testing: ['domain', 'plugins', 'ports', 'app', 'adapters', 'testing'],
  adapters: ['domain', 'plugins', 'ports', 'app', 'adapters'],
  cli: ['domain', 'plugins', 'ports', 'app', 'adapters', 'cli', 'index'],
  index: ['domain', 'plugins', 'ports', 'app', 'index'],
};

/**
 * Module-level memo caches of pure functions that predate the rule (the parse caches are measurable in the oracle
 * benchmark). They change no answer, but they are state: each is a decision for its module's owner, listed here
 * so that a new one is a visible one. Do not add to this list; pass a memo in, or store what you need.
 */
const KNOWN_CACHES = new Set([
  'domain/names.ts: qualifiedNameErrors',
  'domain/time.ts: parsed',
  'domain/time.ts: formatted',
  'domain/quantity.ts: parsed',
  'domain/plugin-config.ts: cache',
]);

describe('architecture', () => {
  const files = filesUnder(SRC);

  it('finds the source tree', () => {
    expect(files.some((f) => f.includes('/domain/'))).toBe(true);
  });

  it.each(files.map((f) => [relative(SRC, f), f]))('%s imports only what its layer may', (_rel, file) => {
    const layer = layerOf(file);
    const bad: string[] = [];
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = layerOf(resolve(join(file, '..'), spec));
        if (!(allowedLayers[layer] ?? []).includes(target)) bad.push(`${spec} (layer ${target})`);
      } else if (spec.startsWith('fp-ts') && !/^fp-ts\/lib\/[A-Za-z]+\.js$/.test(spec)) {
        bad.push(`${spec} (not an ESM-safe fp-ts path)`);
      } else if (allowedPackages[layer] !== undefined && !allowedPackages[layer].test(spec)) {
        bad.push(`${spec} (package not allowed in ${layer})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it.each(files.filter((f) => ['domain', 'plugins'].includes(layerOf(f))).map((f) => [relative(SRC, f), f]))(
    '%s reads no clock, no randomness, no process and no console',
    (_rel, file) => {
      const code = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
        .join('\n');
      expect(code).not.toMatch(
        /\bDate\.now\b|new Date\(\s*\)|Math\.random|\bprocess\.|setTimeout|setInterval|console\.|globalThis|\brequire\(/,
      );
    },
  );

  it.each(files.filter((f) => ['domain', 'plugins'].includes(layerOf(f))).map((f) => [relative(SRC, f), f]))(
    '%s holds no module-level mutable state',
    (rel, file) => {
      const code = readFileSync(file, 'utf8');
      // At module scope (column 0): a variable, or a collection the file writes to from inside a function (an
      // indented line). A collection filled once as the module loads and only read after (a table) is a constant.
      const variables = [...code.matchAll(/^(?:export\s+)?(?:let|var)\s+(\w+)/gm)].map((m) => m[1]!);
      const collections = [
        ...code.matchAll(/^(?:export\s+)?const\s+(\w+)\s*(?::[^=]+)?=\s*new\s+(?:Weak)?(?:Map|Set)\b/gm),
      ]
        .map((m) => m[1]!)
        .filter((name) => new RegExp(`\\n[ \\t]+[^\\n]*\\b${name}\\.(?:set|add|delete|clear)\\(`).test(code));
      const found = [...variables, ...collections].map((name) => `${rel}: ${name}`);
      expect(found.filter((f) => !KNOWN_CACHES.has(f))).toEqual([]);
    },
  );

  it('kubetasks/testing needs no test runner: only src/testing/contract (kubetasks/testing/contract) imports vitest', () => {
    const testing = files.filter(
      (f) => layerOf(f) === 'testing' && !relative(SRC, f).startsWith('testing/contract/'),
    );
    expect(testing.length).toBeGreaterThan(5);
    // What src/testing/index.ts loads, followed through its relative imports: none of it may reach vitest.
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) visit(resolve(join(file, '..'), spec).replace(/\.js$/, '.ts'));
      }
    };
    visit(join(SRC, 'testing', 'index.ts'));
    const runners = [...seen].filter((f) =>
      importsOf(f).some((s) => /^(vitest|@fast-check\/vitest)(\/|$)/.test(s)),
    );
    expect(runners.map((f) => relative(SRC, f))).toEqual([]);
    expect(seen.size).toBeGreaterThan(testing.length);
  });

  it('every source file opens with a one-line purpose comment', () => {
    const missing = files.filter((f) => {
      const lines = readFileSync(f, 'utf8').split('\n');
      const first = lines[0]?.startsWith('#!') === true ? lines[1] : lines[0];
      return first === undefined || !first.startsWith('// ');
    });
    expect(missing.map((f) => relative(SRC, f))).toEqual([]);
  });
});
