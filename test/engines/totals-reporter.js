// A jest reporter (next to 'default'): ends the run with its own plain totals line, `N passed, N failed`,
// counting tests (not suites), and writes the same totals to test/engines/.state/last-run.json for .ci/run.
// A suite that could not run at all (a syntax error, a throw while collecting) has no failed test of its
// own, so it counts as one failed test here: a broken file must never read as green.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const LAST_RUN = join(__dirname, '.state', 'last-run.json');

class TotalsReporter {
  onRunComplete(_testContexts, results) {
    const brokenSuites = results.numRuntimeErrorTestSuites;
    const totals = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + brokenSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      failedTests: results.numFailedTests,
      brokenSuites,
      suites: results.numTotalTestSuites,
      interrupted: results.wasInterrupted,
      // jest sets results.success only after the reporters ran: the same rule, computed here.
      ok: results.numFailedTests + brokenSuites === 0 && !results.snapshot.failure && !results.runExecError && !results.wasInterrupted,
      finishedAt: new Date().toISOString(),
    };
    mkdirSync(join(__dirname, '.state'), { recursive: true });
    writeFileSync(LAST_RUN, `${JSON.stringify(totals, null, 2)}\n`);
    // No silent skips: every skipped test is named, with the reason its describe title carries.
    for (const suite of results.testResults) {
      for (const test of suite.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
          process.stdout.write(`SKIPPED ${[...test.ancestorTitles, test.title].join(' › ')}\n`);
        }
      }
    }
    const details = [`${totals.skipped} skipped`];
    if (brokenSuites) details.push(`${brokenSuites} suites failed to run (counted as failed)`);
    process.stdout.write(`\n${details.join(', ')}\n${totals.passed} passed, ${totals.failed} failed\n`);
  }
}

module.exports = TotalsReporter;
