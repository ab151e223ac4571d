import { ProblemError, type Principal } from '@cdt/platform';
import type { ScoringUnits } from '../inputs/scoring-units';
import type { EvaluationCompleted, RunArea } from '../ledger/scoring-events';

const outOfScope = (field: string, detail: string): ProblemError => new ProblemError({ status: 403, code: 'OUT_OF_SCOPE', title: 'Out of scope', detail, field });

type RunShape = Pick<EvaluationCompleted['data'], 'level' | 'within' | 'area'>;

/** Today's province a ranked unit lies in, when the run says it (a team ranked within the nation does not). */
export function provinceOfResult(run: RunShape, result: { unitCode: string; parentCode: string }, units: ScoringUnits): string | undefined {
  if (run.area.level !== 'nation') return units.provinceOf(run.area.level, run.area.code);
  switch (run.level) {
    case 'province':
      return result.unitCode;
    case 'commune':
      return units.provinceOf('commune', result.unitCode);
    case 'team':
      return run.within === 'nation' ? undefined : units.provinceOf(run.within, result.parentCode);
    default: {
      const unknownLevel: never = run.level;
      return unknownLevel;
    }
  }
}

/** Ministry runs anything; an officer runs evaluations of its own province (or a commune of it), never national ones. */
export function assertMayRun(principal: Principal, area: RunArea, units: ScoringUnits): void {
  if (principal.role === 'ministry') return;
  if (principal.role !== 'officer') throw outOfScope('area', 'only the ministry and province officers run evaluations');
  if (area.level === 'nation') throw outOfScope('area.level', 'only the ministry runs national evaluations');
  const province = units.provinceOf(area.level, area.code);
  if (province !== principal.provinceCode) throw outOfScope('area.code', `an officer of province ${principal.provinceCode} may not evaluate ${area.level} ${area.code}`);
}

/**
 * Which rows of a run the caller may read: ministry and auditor every row; an officer the whole of a
 * run over its own province, and only its province's rows of a national run (403 for any other
 * province's run, and for a national team ranking, which does not say where each team is).
 */
export function readableRows(principal: Principal, run: RunShape, units: ScoringUnits): (result: { unitCode: string; parentCode: string }) => boolean {
  if (principal.role === 'ministry' || principal.role === 'auditor') return () => true;
  if (principal.role !== 'officer') throw outOfScope('runId', 'rankings are read by the ministry, auditors and province officers');
  if (run.area.level !== 'nation') {
    const province = units.provinceOf(run.area.level, run.area.code);
    if (province !== principal.provinceCode) throw outOfScope('runId', `an officer of province ${principal.provinceCode} may not read the ranking of ${run.area.level} ${run.area.code}`);
    return () => true;
  }
  if (run.level === 'team' && run.within === 'nation') throw outOfScope('runId', 'a national ranking of teams is read by the ministry');
  return (result) => provinceOfResult(run, result, units) === principal.provinceCode;
}
