/**
 * Test-only entry point (`@cdt/domain-kpi/testing`): the random KPI logs and the unit resolver the domain's
 * property tests use, for stores' specs to run the same logs through real engines. Not for production code.
 */
export { batchSizes, build, dayOf, op, opWithDissolution, TEAMS, type Built, type Op } from './lib/kpi-log.fixtures';
export { batchesOf, established, joined, project, ref, relocated, resolve, visit } from './lib/kpi.fixtures';
export { project2 } from './lib/model2/model2.fixtures';
