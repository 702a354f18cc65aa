// Lint rules: type-aware typescript-eslint, ESM-safe fp-ts/io-ts paths, and the inward-only layer rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const esmSafe = {
  patterns: [
    {
      regex: '^fp-ts/(?!lib/[A-Za-z]+\\.js$)',
      message: "Import fp-ts modules as 'fp-ts/lib/<Module>.js': directory imports crash under plain node.",
    },
    {
      regex: '^io-ts/(?!lib/[A-Za-z]+\\.js$)',
      message: "Import io-ts submodules as 'io-ts/lib/<Module>.js'.",
    },
  ],
};

const layer = (forbidden, extra = []) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...esmSafe.patterns,
        ...forbidden.map((dir) => ({
          group: [`**/${dir}/**`, `../${dir}`, `../../${dir}`],
          message: `This layer may not import from ${dir}: dependencies point inward only.`,
        })),
        ...extra,
      ],
    },
  ],
});

export default tseslint.config(
  {
    // Build scripts are plain JavaScript outside the TypeScript project, where type-aware rules cannot run.
    ignores: [
      'dist/**',
      'dist-check/**',
      'dist-bench/**',
      'node_modules/**',
      'coverage/**',
      '.cache/**',
      'schema/**',
      'docs/api/**',
      // A Stryker run stopped partway leaves its sandbox copy of the sources and its reports.
      '.stryker-tmp/**',
      'reports/**',
      'eslint.config.js',
      'scripts/*.mjs',
      // Each runtime's driver uses that runtime's globals (Deno, Bun), which no TypeScript project here declares.
      'test/runtimes/drivers/*.mjs',
      'dist-runtimes/**',
      'dist-playground/**',
      'test-output/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-restricted-imports': ['error', esmSafe],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // io-ts derives types from codecs; `interface X extends t.TypeOf<...> {}` gives them readable names.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/no-misused-spread': ['error', { allow: [{ from: 'lib', name: 'string' }] }],
      // fp-ts 2.16 keeps chain and its variants only as legacy aliases of flatMap and friends.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'MemberExpression[object.name=/^(E|O|TE|T|RTE|RE|IO|IOE|TO|R|RT)$/][property.name=/^chain(W|First|FirstW|EitherK|EitherKW|OptionK|TaskK|IOK|NullableK)?$/]',
          message: 'Legacy fp-ts combinator: use flatMap (or tap, flatMapEither, flatMapOption, ...).',
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/plugins/**/*.ts'],
    rules: layer(
      ['ports', 'app', 'adapters', 'cli', 'testing'],
      [
        {
          group: ['node:*', 'fs', 'path', 'os', 'yaml', 'pino', 'commander', '@kubernetes/*'],
          message: 'The domain is pure.',
        },
      ],
    ),
  },
  { files: ['src/ports/**/*.ts'], rules: layer(['app', 'adapters', 'cli', 'testing']) },
  { files: ['src/app/**/*.ts'], rules: layer(['adapters', 'cli', 'testing']) },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
