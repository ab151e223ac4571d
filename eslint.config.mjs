import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries on two axes (ARCHITECTURE.md): what kind of code may depend on what, and which
// bounded context may see which. No wildcard rules: every allowed edge is written out.
const byType = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:adapter', 'type:domain', 'type:util'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:adapter', 'type:domain', 'type:util'] },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:adapter', 'type:domain', 'type:util'] },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
    // The domain is pure: no framework, no I/O.
    bannedExternalImports: ['@nestjs/*', 'pg', '@electric-sql/*', 'kafkajs', 'mongoose', '@eventstore/*', 'fs', 'node:*', 'pino', 'jose', 'exceljs'],
  },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:adapter', 'type:domain', 'type:util'] },
];
// Specs may also use the test helpers of libs/testing (given/when/then, generators); production code may not.
const byTypeInSpecs = byType.map((rule) =>
  rule.onlyDependOnLibsWithTags.includes('type:testing') ? rule : { ...rule, onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'type:testing'] },
);
const byScope = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:registry', onlyDependOnLibsWithTags: ['scope:registry', 'scope:shared'] },
  { sourceTag: 'scope:activity', onlyDependOnLibsWithTags: ['scope:activity', 'scope:registry', 'scope:shared'] },
  { sourceTag: 'scope:projection', onlyDependOnLibsWithTags: ['scope:projection', 'scope:activity', 'scope:registry', 'scope:shared'] },
  { sourceTag: 'scope:scoring', onlyDependOnLibsWithTags: ['scope:scoring', 'scope:projection', 'scope:registry', 'scope:shared'] },
  { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:projection', 'scope:scoring', 'scope:activity', 'scope:registry', 'scope:shared'] },
  { sourceTag: 'scope:system', onlyDependOnLibsWithTags: ['scope:system', 'scope:audit', 'scope:scoring', 'scope:projection', 'scope:activity', 'scope:registry', 'scope:shared'] },
];

export default [
  { ignores: ['**/node_modules', '**/dist', '**/.data', '**/tmp', '**/coverage', '.nx/**', 'test/engines/.state/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: [...byType, ...byScope] },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: [...byTypeInSpecs, ...byScope] },
      ],
    },
  },
  {
    // No clock and no randomness in the domain: time and ids arrive in the command.
    files: ['libs/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The domain has no clock: take the time from the command.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain has no clock: take the time from the command.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'The domain has no randomness.' },
        { selector: "CallExpression[callee.name='randomUUID']", message: 'Ids arrive in the command.' },
      ],
    },
  },
  { files: ['**/*.js', '**/*.cjs', '**/*.mjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
