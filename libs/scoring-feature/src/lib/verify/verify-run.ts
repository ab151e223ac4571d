import { criteriaChecksum, evaluate, firstDifference, firstInputDifference, type CriteriaSet } from '@cdt/domain-scoring';
import type { UnitResolver } from '@cdt/domain-kpi';
import type { EventStore } from '@cdt/event-store';
import { InMemoryFigures } from '../inputs/figures-source';
import { gatherInputs, inputsDigest, recordedDigestVersion, runDigests, sha256 } from '../inputs/gather-inputs';
import type { ScoringUnits } from '../inputs/scoring-units';
import { firstRecordedDifference, readCriteriaVersions, readRun, recordedResultsOf } from '../ledger/scoring-ledger';
import { rebuildModelAt, type RebuildProgress } from './rebuild-at-watermark';

export interface VerifyCheck {
  readonly step: 'criteria' | 'recorded-inputs' | 'recorded-results' | 'rebuilt-inputs' | 'rebuilt-results';
  readonly ok: boolean;
  readonly detail: string;
}

export interface VerifyReport {
  readonly runId: string;
  readonly verdict: 'identical' | 'different';
  /** The first check that failed, in words; absent when identical. */
  readonly firstDifference?: string;
  readonly checks: readonly VerifyCheck[];
  readonly eventsReplayed: number;
}

export interface VerifyDependencies {
  readonly store: EventStore;
  readonly units: ScoringUnits;
  readonly resolve: UnitResolver;
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`no evaluation run ${runId} in the log`);
  }
}

/**
 * `cdt ranking verify <runId>`: re-derives a run from the log alone. The criteria version is read from
 * its stream and re-checksummed; the inputs are rebuilt by folding every event up to the recorded
 * watermark with the pure KPI projector (no read store), gathered exactly as a run gathers them, and
 * evaluated again. The run is `identical` only if the recorded inputs and results match their digests
 * and the rebuilt inputs and results match the recorded ones; otherwise the first difference is named.
 * Digests are recomputed by the definition the run recorded (`digestVersion`, absent = 1), so runs
 * recorded before version 2 verify byte for byte as they did.
 */
export async function verifyRun(deps: VerifyDependencies, runId: string): Promise<VerifyReport> {
  const run = await readRun(deps.store, runId);
  if (!run) throw new RunNotFoundError(runId);
  const recorded = run.completed.data;
  const checks: VerifyCheck[] = [];
  const check = (step: VerifyCheck['step'], difference: string | undefined, okDetail: string) => checks.push({ step, ok: difference === undefined, detail: difference ?? okDetail });

  const published = (await readCriteriaVersions(deps.store, recorded.criteria.code)).find((v) => v.data.version === recorded.criteria.version);
  let set: CriteriaSet | undefined = published?.data.set;
  if (!published || !set) {
    check('criteria', `criteria set ${recorded.criteria.code} version ${recorded.criteria.version} is not published in the log`, '');
  } else {
    const recomputed = criteriaChecksum(set, sha256);
    const problem =
      published.data.checksum !== recorded.criteria.checksum
        ? `criteria ${recorded.criteria.code} v${recorded.criteria.version}: the run records checksum ${recorded.criteria.checksum}, the published set ${published.data.checksum}`
        : recomputed !== published.data.checksum
          ? `criteria ${recorded.criteria.code} v${recorded.criteria.version}: the published set's content hashes to ${recomputed}, not its recorded checksum ${published.data.checksum}`
          : undefined;
    check('criteria', problem, `criteria ${recorded.criteria.code} v${recorded.criteria.version}, checksum ${recomputed}`);
    if (problem) set = undefined;
  }

  const version = recordedDigestVersion(recorded);
  if (version === undefined) {
    check('recorded-inputs', `the run names digest version ${String(recorded.digestVersion)}, which this verifier does not know`, '');
    set = undefined;
  } else {
    const recordedInputsDigest = inputsDigest(recorded.inputs, version);
    check(
      'recorded-inputs',
      run.incomplete ?? (recordedInputsDigest === recorded.inputsDigest ? undefined : `the recorded inputs hash to ${recordedInputsDigest}, not the run's inputsDigest ${recorded.inputsDigest}`),
      `${recorded.inputs.length} units, digest version ${version}: ${recordedInputsDigest}`,
    );
  }

  let eventsReplayed = 0;
  if (set && version !== undefined) {
    const fromRecord = evaluate(set, recorded.inputs);
    const digest = runDigests(recorded.inputs, fromRecord, version).resultsDigest;
    check(
      'recorded-results',
      firstRecordedDifference(recorded.results, recordedResultsOf(fromRecord)) ??
        (digest === recorded.resultsDigest ? undefined : `the recorded inputs evaluate to digest ${digest}, not the run's resultsDigest ${recorded.resultsDigest}`),
      `${fromRecord.results.length} results, digest ${digest}`,
    );

    const model = await rebuildModelAt(deps.store, recorded.watermark, deps.resolve, {
      onProgress: (progress) => {
        eventsReplayed = progress.events;
        deps.onProgress?.(progress);
      },
    });
    const rebuilt = await gatherInputs(new InMemoryFigures(model), deps.units, { set, area: recorded.area, period: recorded.period });
    const rebuiltDigest = inputsDigest(rebuilt, version);
    check(
      'rebuilt-inputs',
      firstInputDifference(recorded.inputs, rebuilt) ?? (rebuiltDigest === recorded.inputsDigest ? undefined : `the inputs rebuilt from the log hash to ${rebuiltDigest}, not ${recorded.inputsDigest}`),
      `${rebuilt.length} units rebuilt from ${eventsReplayed} events up to ${recorded.watermark.transactionId}/${recorded.watermark.globalPosition}`,
    );
    const fromLog = evaluate(set, rebuilt);
    const logDigest = runDigests(rebuilt, fromLog, version).resultsDigest;
    check(
      'rebuilt-results',
      firstDifference(fromRecord, fromLog) ?? (logDigest === recorded.resultsDigest ? undefined : `the log's inputs evaluate to digest ${logDigest}, not the run's resultsDigest ${recorded.resultsDigest}`),
      `digest ${logDigest}`,
    );
  }
  const failed = checks.find((c) => !c.ok);
  return { runId, verdict: failed ? 'different' : 'identical', ...(failed ? { firstDifference: `${failed.step}: ${failed.detail}` } : {}), checks, eventsReplayed };
}
