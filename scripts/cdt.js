#!/usr/bin/env -S node --max-semi-space-size=64
// `npx cdt ...` from the repository root: runs the CLI from its TypeScript sources, no build step.
require('./register');
require('../apps/audit-service/src/cli.ts');
