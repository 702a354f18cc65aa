// Bundles for other JavaScript runtimes with esbuild: the main entry (measured), the runtime matrix's harness, the playground.
//
// Usage: node scripts/bundle.mjs [runtimes] [playground]   (both without arguments)
// The main entry and the harness are built for platform "neutral": a Node built-in anywhere in what they import
// fails the build, which is the runtime matrix's first check.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const OUT = 'dist-runtimes';
const targets = process.argv.slice(2);
const want = (t) => targets.length === 0 || targets.includes(t);

// io-ts has no exports field: "module" first picks its ES modules, "main" the CommonJS rest.
const neutral = {
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  logLevel: 'warning',
  legalComments: 'none',
};

/** The main entry as a user's bundler builds it: minified, every export kept. Returns its sizes. */
const measure = async () => {
  const r = await esbuild.build({
    ...neutral,
    entryPoints: ['src/index.ts'],
    format: 'esm',
    minify: true,
    write: false,
  });
  const code = r.outputFiles[0].contents;
  const size = { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
  writeFileSync(`${OUT}/kubetasks.min.mjs`, code);
  writeFileSync(`${OUT}/size.json`, `${JSON.stringify(size, null, 2)}\n`);
  return size;
};

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

if (want('runtimes')) {
  mkdirSync(OUT, { recursive: true });
  const size = await measure();
  console.log(`kubetasks (src/index.ts), minified: ${kb(size.minified)}, gzipped: ${kb(size.gzipped)}`);
  // The harness, minified as users ship: ESM for Node, Deno, Bun and the browser; a classic script for QuickJS and
  // workers, which evaluate a script and read its global.
  const harness = { ...neutral, entryPoints: ['test/runtimes/entry.ts'], minify: true };
  await esbuild.build({ ...harness, format: 'esm', outfile: `${OUT}/golden.mjs` });
  await esbuild.build({
    ...harness,
    format: 'iife',
    globalName: 'KubetasksGolden',
    outfile: `${OUT}/golden.iife.js`,
  });
}

// The playground: a folder of static files (open index.html, or serve it), with the examples embedded.
const PLAYGROUND = 'dist-playground';

/** The observation time each example resource is shown at: a moment at which its story is interesting. */
const EXAMPLE_RESOURCES = [
  ['playground/examples/pod-image-pull.json', '2026-03-02T10:05:00Z'],
  ['playground/examples/pod-oom.json', '2026-03-02T10:05:00Z'],
  ['playground/examples/job-list.json', '2026-03-02T10:05:00Z'],
  ['playground/examples/pytorchjob.yaml', '2026-03-02T10:10:00Z'],
];

const yamlFilesUnder = (dir) =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory()
        ? yamlFilesUnder(`${dir}/${d.name}`)
        : d.name.endsWith('.yaml')
          ? [`${dir}/${d.name}`]
          : [],
    )
    .sort();

const example = (file, now) => ({
  file,
  text: readFileSync(file, 'utf8'),
  ...(now === undefined ? {} : { now }),
});

if (want('playground')) {
  mkdirSync(PLAYGROUND, { recursive: true });
  const all = yamlFilesUnder('examples').map((f) => example(f));
  const examples = {
    tasks: all.filter((f) => /^kind: TaskExecution$/m.test(f.text)),
    configs: all.filter((f) => /^examples\/platform[^/]*\.yaml$/.test(f.file)),
    podTemplates: yamlFilesUnder('examples/pod-templates').map((f) => example(f)),
    resources: EXAMPLE_RESOURCES.map(([f, now]) => example(f, now)),
  };
  await esbuild.build({
    ...neutral,
    platform: 'browser',
    entryPoints: ['playground/main.ts'],
    format: 'iife',
    minify: true,
    define: { KUBETASKS_EXAMPLES: JSON.stringify(examples) },
    outfile: `${PLAYGROUND}/playground.js`,
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(`playground/${f}`, `${PLAYGROUND}/${f}`);
  const size = statSync(`${PLAYGROUND}/playground.js`).size;
  console.log(`playground: ${PLAYGROUND}/index.html (playground.js ${kb(size)} with the examples)`);
}
