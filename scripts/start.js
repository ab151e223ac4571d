#!/usr/bin/env node
// `npm start`: runs apps/standalone from its TypeScript sources (swc via scripts/register.js), so it
// works right after `npm ci`, with no build step. Signals reach the app, which closes the store cleanly.
const { spawn } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const child = spawn(
  process.execPath,
  ['--enable-source-maps', '-r', path.join(__dirname, 'register.js'), path.join(root, 'apps/standalone/src/main.ts'), ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: process.env },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
