// One jest run over the whole workspace: `npm test` is what the README and CI run.
// Tiers by suffix: *.spec.ts (pure), *.int.spec.ts (real engine), *.e2e.spec.ts (HTTP against a running app).
const fs = require('fs');
const path = require('path');
const { compilerOptions } = require('./tsconfig.base.json');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
    // jose 6 ships only ES modules; jest (unlike Node 20.19+) cannot require them untransformed.
    '^.+/node_modules/jose/.+\\.js$': ['@swc/jest', { ...swcrc, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleNameMapper,
  setupFiles: ['reflect-metadata'],
  testTimeout: 120_000,
  // Engines are shared servers: keep suites that touch them from trampling each other's load.
  maxWorkers: 2,
  // Real engines: resolved once per run (docs/operations/engines.md); the totals reporter writes the
  // plain `N passed, N failed` line and test/engines/.state/last-run.json that .ci/run reads.
  globalSetup: '<rootDir>/test/engines/global-setup.ts',
  globalTeardown: '<rootDir>/test/engines/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/engines/totals-reporter.js'],
};
