// The repository's lint configuration (flat config), shared by the root eslint.config.js.
// typescript-eslint's strict rules everywhere, a few type-checked rules where they catch real
// faults (promises nobody awaits, awaits of non-promises), and three house rules: the import
// directions of layers.js, no relative imports across packages, no SQL outside packages/db.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layers } from './layers.js';
import { noCrossPackageRelativeImport } from './rules/no-cross-package-relative-import.js';
import { sqlOnlyInDb } from './rules/sql-only-in-db.js';

const rollcall = {
  rules: { 'no-cross-package-relative-import': noCrossPackageRelativeImport, 'sql-only-in-db': sqlOnlyInDb },
};

/** Test files and test kits: they may also import their package's test dependencies and read tables. */
export const TEST_FILES = ['**/*.test.ts', '**/test/**/*.ts', 'packages/testing/**/*.ts', 'tests/**/*.ts'];

const packageName = (key) => (key === 'cli' || key.endsWith('-service') ? `@rollcall/${key}` : `@rollcall/${key}`);

function importDirections(key, { folder, imports, tests = [] }) {
  const rule = (allowed) => [
    'error',
    {
      patterns: [
        {
          group: ['@rollcall/*', ...[key, ...allowed].map((name) => `!${packageName(name)}`), `!${packageName(key)}/*`],
          message: `${folder} may import only ${allowed.length ? allowed.join(', ') : 'no other package'} (tooling/eslint/layers.js, docs/architecture.md).`,
        },
      ],
    },
  ];
  return [
    { files: [`${folder}/**/*.ts`], ignores: TEST_FILES, rules: { 'no-restricted-imports': rule(imports) } },
    {
      files: TEST_FILES.map((glob) => `${folder}/${glob.replace(/^\*\*\//, '**/')}`),
      rules: { 'no-restricted-imports': rule([...imports, ...tests]) },
    },
  ];
}

export function rollcallConfig() {
  return tseslint.config(
    { ignores: ['**/node_modules/**', '**/dist/**', 'var/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
    js.configs.recommended,
    ...tseslint.configs.strict,
    {
      languageOptions: { parserOptions: { project: ['./tsconfig.eslint.json'], tsconfigRootDir: process.cwd() } },
      plugins: { rollcall },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/await-thenable': 'error',
        '@typescript-eslint/no-misused-promises': [
          'error',
          { checksVoidReturn: { arguments: false, attributes: false } },
        ],
        '@typescript-eslint/no-unused-vars': [
          'error',
          { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
        ],
        '@typescript-eslint/consistent-type-imports': 'error',
        // Several validators match control characters precisely in order to refuse them.
        'no-control-regex': 'off',
        'rollcall/no-cross-package-relative-import': 'error',
        'rollcall/sql-only-in-db': 'error',
        'max-len': [
          'error',
          {
            code: 120,
            ignoreUrls: true,
            ignoreStrings: true,
            ignoreTemplateLiterals: true,
            ignoreRegExpLiterals: true,
          },
        ],
      },
    },
    ...Object.entries(layers).flatMap(([key, layer]) => importDirections(key, layer)),
    // A test that reaches a missing element with `!` throws and fails, which is what a test should do.
    // Tests also delete fields and type callbacks loosely to build the broken inputs they feed in.
    {
      files: TEST_FILES,
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-dynamic-delete': 'off',
        '@typescript-eslint/no-invalid-void-type': 'off',
      },
    },
    // Migrations are frozen and typed against the schema of their day, not today's Database
    // interface: kysely's documented form for them is Kysely<any>.
    {
      files: ['packages/db/src/migrations/**/*.ts', 'packages/db/src/migrate.ts'],
      rules: { '@typescript-eslint/no-explicit-any': 'off' },
    },
    // packages/db owns the queries; tests and test kits may read tables to check what was stored.
    { files: ['packages/db/**/*.ts', ...TEST_FILES], rules: { 'rollcall/sql-only-in-db': 'off' } },
  );
}
