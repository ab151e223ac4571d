// Runs the TypeScript sources directly: swc transpiles them (with the decorator metadata NestJS needs)
// and tsconfig-paths resolves the @cdt/* library aliases of tsconfig.base.json.
const path = require('path');
const project = path.join(__dirname, '..', 'tsconfig.base.json');
process.env.TS_NODE_PROJECT = project;
require('tsconfig-paths').register({
  baseUrl: path.join(__dirname, '..'),
  paths: require('../tsconfig.base.json').compilerOptions.paths,
});
require('@swc-node/register');
