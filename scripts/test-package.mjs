// `npm run test:package`: packs kubetasks, installs the tarball in scratch projects and uses it as a user would.
//
// Checks, each printed as `ok -` or `not ok -`, then `N passed, N failed` as the last line:
// - every entry point in package.json "exports" loads from plain node (ESM) in a project that installed the tarball
//   with every peer, exposes values (no undefined export) and the names listed below, and has its types file;
// - the contract suite (kubetasks/testing/contract) runs under vitest from the installed package;
// - kubetasks/testing works with only fast-check, fp-ts and io-ts installed (no vitest), and
//   kubetasks/testing/contract then fails for want of vitest, its optional peer;
// - the bin runs: npx kubetasks --help.
// Packages come from the npm cache where they are already there (--prefer-offline), at the versions this
// repository installed, so a CI machine with a warm cache does not need the network.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Names an entry point must export, for the entries whose purpose is known; others must export something. */
const EXPECTED = {
  '.': ['builtInRegistry', 'Manager'],
  './testing': ['arbTaskExecution', 'arbPod', 'arbJson', 'arbTaskId', 'contractKinds'],
  './testing/contract': ['clusterContract', 'stateStoreContract', 'arbTaskId'],
  './adapters/memory': ['makeMemoryCluster'],
  './adapters/state-store': ['makeMemoryStateStore'],
};

const results = [];
const check = async (name, f) => {
  try {
    await f();
    results.push(true);
    console.log(`ok - ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}\n  ${String(e instanceof Error ? e.message : e).replace(/\n/g, '\n  ')}`);
  }
};
const assert = (cond, message) => {
  if (!cond) throw new Error(message);
};

/** Runs a command, throwing with its output when it fails. */
const run = (cmd, args, cwd) => {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_fund: 'false' },
  });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`.trim());
  }
  return r.stdout;
};

/** The version of `name` this repository installed, so the scratch install finds it in the npm cache. */
const installedVersion = (name) =>
  JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

const scratch = mkdtempSync(join(tmpdir(), 'kubetasks-package-'));
const finish = () => {
  rmSync(scratch, { recursive: true, force: true });
  const passed = results.filter(Boolean).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exitCode = results.every(Boolean) && results.length > 0 ? 0 : 1;
};

try {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
    console.log('# dist/ is missing: npm run build');
    run('npm', ['run', '-s', 'build'], ROOT);
  }
  console.log(`# npm pack into ${scratch}`);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], ROOT));
  const tarball = join(scratch, packed[0].filename);

  /** A scratch ESM project with the tarball and `deps` installed. */
  const project = (name, deps) => {
    const dir = join(scratch, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
    console.log(`# ${name}: npm install ${['kubetasks (tarball)', ...deps].join(' ')}`);
    run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...deps],
      dir,
    );
    return dir;
  };
  const withVersion = (names) => names.map((n) => `${n}@${installedVersion(n)}`);

  const full = project('full', withVersion(['fast-check', 'fp-ts', 'io-ts', 'vitest']));
  const entries = Object.keys(pkg.exports);

  await check('package.json exports lists the entry points', () => {
    assert(entries.includes('.') && entries.includes('./testing'), `exports: ${entries.join(', ')}`);
    for (const e of Object.keys(EXPECTED)) assert(entries.includes(e), `${e} is no longer exported`);
  });

  for (const entry of entries) {
    const specifier = entry === '.' ? 'kubetasks' : `kubetasks/${entry.slice(2)}`;
    const target = pkg.exports[entry];
    await check(`import '${specifier}' from plain node`, () => {
      const isJson = (typeof target === 'string' ? target : target.default).endsWith('.json');
      const probe = isJson
        ? `const m = await import(${JSON.stringify(specifier)}, { with: { type: 'json' } });
           const v = m.default;
           if (typeof v !== 'object' || v === null) throw new Error('not a JSON object');
           console.log(JSON.stringify(Object.keys(v)));`
        : `const m = await import(${JSON.stringify(specifier)});
           const names = Object.keys(m);
           if (names.length === 0) throw new Error('exports nothing');
           const missing = names.filter((n) => m[n] === undefined);
           if (missing.length > 0) throw new Error('undefined exports: ' + missing.join(', '));
           console.log(JSON.stringify(names));`;
      const names = JSON.parse(run(process.execPath, ['--input-type=module', '-e', probe], full));
      for (const n of EXPECTED[entry] ?? []) assert(names.includes(n), `${specifier} does not export ${n}`);
      if (typeof target === 'object' && target.types !== undefined) {
        const types = join(full, 'node_modules', 'kubetasks', target.types);
        assert(existsSync(types), `${specifier}: types file ${target.types} is not in the package`);
      }
    });
  }

  await check('the state-store contract runs under vitest from the installed package', () => {
    writeFileSync(
      join(full, 'contract.test.js'),
      `import { stateStoreContract } from 'kubetasks/testing/contract';
       import { makeMemoryStateStore } from 'kubetasks/adapters/state-store';
       stateStoreContract('installed memory store', async () => ({ store: makeMemoryStateStore(), cleanup: async () => {} }));
      `,
    );
    const out = run('npx', ['vitest', 'run', '--reporter', 'dot', 'contract.test.js'], full);
    assert(
      /Tests\s+.*\d+ passed/.test(out.replace(/\x1b\[[0-9;]*m/g, '')),
      `unexpected vitest output:\n${out}`,
    );
  });

  const bare = project('without-vitest', withVersion(['fast-check', 'fp-ts', 'io-ts']));

  await check('kubetasks/testing works with fast-check, fp-ts and io-ts alone (no vitest installed)', () => {
    assert(!existsSync(join(bare, 'node_modules', 'vitest')), 'vitest was installed after all');
    const out = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import fc from 'fast-check';
         import { arbTaskExecution, arbPod } from 'kubetasks/testing';
         const tasks = fc.sample(arbTaskExecution, { numRuns: 5, seed: 1 });
         const pods = fc.sample(arbPod, { numRuns: 5, seed: 1 });
         console.log(tasks.length + pods.length, typeof tasks[0].task.type);`,
      ],
      bare,
    );
    assert(out.trim() === '10 string', `unexpected output: ${out}`);
  });

  await check('kubetasks/testing/contract without vitest fails naming vitest, its optional peer', () => {
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "await import('kubetasks/testing/contract')"],
      {
        cwd: bare,
        encoding: 'utf8',
      },
    );
    assert(r.status !== 0 && /vitest/.test(r.stderr), `status ${r.status}: ${r.stderr}`);
  });

  await check('the bin runs: npx kubetasks --help', () => {
    const out = run('npx', ['--no-install', 'kubetasks', '--help'], bare);
    assert(/Usage: kubetasks/.test(out) && /render/.test(out), `unexpected help:\n${out}`);
  });

  await check('the package holds no test files and no ../shared path', () => {
    const files = packed[0].files.map((f) => f.path);
    assert(!files.some((f) => f.startsWith('test/')), 'test/ files were packed');
    const text = execFileSync('tar', ['-xOzf', tarball], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert(!text.includes('../shared'), 'a packed file mentions ../shared');
  });
} catch (e) {
  results.push(false);
  console.log(`not ok - setting up the scratch projects\n  ${String(e instanceof Error ? e.message : e)}`);
} finally {
  finish();
}
