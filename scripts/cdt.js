#!/usr/bin/env node
// `npx cdt ...` from the repository root: runs the CLI from its TypeScript sources, no build step.
require('./register');
require('../apps/audit-service/src/cli.ts');
