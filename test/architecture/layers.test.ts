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
 * Module-level memo caches in src/domain and src/plugins, each decided (issue 16): a memo of a pure function whose
 * answers are immutable values changes no answer, so it is allowed when it is bounded and documented at its
 * definition. Each one here is measurable in a benchmark (the parse caches in the oracle benchmark, the qualified
 * names in the memory cluster's validation, the plugin codec in every manager start):
 * - names.ts `qualifiedNameErrors`: answers by key text, cleared at 1,024 entries;
 * - time.ts `parsed` and `formatted`: timestamps by text and by second, cleared at 512 entries each;
 * - quantity.ts `parsed`: quantities by text, cleared at 1,024 entries;
 * - plugin-config.ts `cache`: the config codec per sections array, a WeakMap (it lives as long as the array).
 * Anything else that keeps state between calls is not allowed: pass a memo in, or store what you need. The test
 * below checks that each entry is still there (no stale entry) and still bounded.
 */
const KNOWN_CACHES = new Map([
  ['domain/names.ts: qualifiedNameErrors', 'Map'],
  ['domain/time.ts: parsed', 'Map'],
  ['domain/time.ts: formatted', 'Map'],
  ['domain/quantity.ts: parsed', 'Map'],
  ['domain/plugin-config.ts: cache', 'WeakMap'],
]);

/** Mutating calls and writes on a name, as they would appear inside a function body (an indented line). */
const writesTo = (name: string): RegExp =>
  new RegExp(
    [
      `\\b${name}\\.(?:set|add|delete|clear|push|pop|shift|unshift|splice|sort|reverse|fill|copyWithin)\\(`,
      `\\b${name}(?:\\.\\w+|\\[[^\\]\\n]*\\])+\\s*(?:[-+*/%&|^]|\\?\\?|&&|\\|\\|)?=(?![=>])`,
      `\\bdelete\\s+${name}[.[]`,
      `Object\\.assign\\(\\s*${name}\\b`,
      `\\b${name}(?:\\.\\w+|\\[[^\\]\\n]*\\])*(?:\\+\\+|--)`,
    ]
      .map((alt) => `\\n[ \\t]+[^\\n]*${alt}`)
      .join('|'),
  );

/** What a file keeps at module level that a call can change: variables, written constants, collections handed out. */
const moduleState = (rel: string, code: string): string[] => {
  const variables = [...code.matchAll(/^(?:export\s+)?(?:let|var)\s+(\w+)/gm)].map((m) => m[1]!);
  // Any module-level constant (a collection, an array, an object) that a function writes to.
  const written = [...code.matchAll(/^(?:export\s+)?const\s+(\w+)\b/gm)]
    .map((m) => m[1]!)
    .filter((name) => writesTo(name).test(code));
  // A module-level collection handed to a function (which may write it, as a memo helper does).
  const handedOut = [
    ...code.matchAll(/^(?:export\s+)?const\s+(\w+)\s*(?::[^=]+)?=\s*new\s+(?:Weak)?(?:Map|Set)\b/gm),
  ]
    .map((m) => m[1]!)
    .filter((name) => new RegExp(`\\n[ \\t]+[^\\n]*[(,]\\s*${name}\\s*[,)]`).test(code));
  return [...new Set([...variables, ...written, ...handedOut])].map((name) => `${rel}: ${name}`);
};

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
      // At module scope (column 0): a variable, or a constant the file writes to or hands out from inside a
      // function (an indented line). A table filled once as the module loads and only read after is a constant.
      const found = moduleState(rel, readFileSync(file, 'utf8'));
      expect(found.filter((f) => !KNOWN_CACHES.has(f))).toEqual([]);
    },
  );

  it.each([...KNOWN_CACHES].map(([entry, kind]) => [entry, kind]))(
    'the known cache %s is still there and bounded (%s)',
    (entry, kind) => {
      const [rel, name] = entry.split(': ') as [string, string];
      const code = readFileSync(join(SRC, rel), 'utf8');
      expect(moduleState(rel, code)).toContain(entry);
      const definition = new RegExp(`^const ${name}\\s*=\\s*new ${kind}<`, 'm');
      expect(code).toMatch(definition);
      // A Map cache is cleared when it reaches its bound (a WeakMap is bounded by its keys' lifetime).
      if (kind === 'Map') expect(code).toMatch(/\.size >= [\w\d_]+\) \w+\.clear\(\)/);
    },
  );

  it('catches module-level state in its forms', () => {
    const found = (code: string) => moduleState('domain/x.ts', code);
    expect(found('let n = 0;\n')).toEqual(['domain/x.ts: n']);
    expect(found('const xs: string[] = [];\nexport const f = () => {\n  xs.push("a");\n};\n')).toEqual([
      'domain/x.ts: xs',
    ]);
    expect(found('const o = { n: 0 };\nexport const f = () => {\n  o.n += 1;\n};\n')).toEqual([
      'domain/x.ts: o',
    ]);
    expect(found('const o = { n: 0 };\nexport const f = () => {\n  o.n++;\n};\n')).toEqual([
      'domain/x.ts: o',
    ]);
    expect(
      found(
        'const m = new Map<string, number>();\nexport const f = (k: string) => {\n  remember(m, k);\n};\n',
      ),
    ).toEqual(['domain/x.ts: m']);
    // Tables and reads are not state.
    expect(found('const t = { a: 1 };\nexport const f = (k: "a") => {\n  return t[k] === 1;\n};\n')).toEqual(
      [],
    );
    expect(
      found('const m = new Map([["a", 1]]);\nexport const f = () => {\n  return m.get("a");\n};\n'),
    ).toEqual([]);
  });

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

  it('the main entry (kubetasks) is runtime-neutral: what src/index.ts loads imports nothing from Node', () => {
    // Followed through relative imports (type-only ones too: cheap, and a type file may grow a value). The packages
    // reached must run in a browser, a worker, Deno, Bun and QuickJS; test:runtimes proves it on each of them.
    const neutral = /^(fp-ts\/lib\/[A-Za-z]+\.js|io-ts|io-ts\/lib\/[A-Za-z]+\.js|kubernetes-types\/.+|yaml)$/;
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) visit(resolve(join(file, '..'), spec).replace(/\.js$/, '.ts'));
        else packages.add(spec);
      }
    };
    visit(join(SRC, 'index.ts'));
    expect(seen.size).toBeGreaterThan(50);
    expect([...seen].map((f) => relative(SRC, f)).filter((f) => /^(adapters|cli|testing)\//.test(f))).toEqual(
      [],
    );
    expect([...packages].filter((p) => !neutral.test(p))).toEqual([]);
    // No Node global either: the app layer is not held to the domain's no-clock rule, so check the globals here.
    const nodeGlobals = [...seen].filter((f) =>
      /\bprocess\.|\bBuffer\b|\brequire\(|__dirname|__filename/.test(
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
          .join('\n'),
      ),
    );
    expect(nodeGlobals.map((f) => relative(SRC, f))).toEqual([]);
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
