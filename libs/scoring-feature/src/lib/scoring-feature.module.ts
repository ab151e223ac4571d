import { Module } from '@nestjs/common';
import { loadAdminUnits } from '@cdt/admin-units';
import { CriteriaSets } from './criteria/criteria-sets';
import { ScoringController } from './http/scoring.controller';
import { ScoringUnits } from './inputs/scoring-units';
import { ScoringCatalog } from './ledger/scoring-catalog';
import { EvaluationRuns } from './runs/evaluation-runs';

/**
 * Criteria sets, evaluation runs, rankings and awards under /v1/scoring. Needs EVENT_STORE
 * (EventLogModule), KPI_READ_STORE (ProjectionFeatureModule) and the platform module.
 */
@Module({
  controllers: [ScoringController],
  providers: [CriteriaSets, EvaluationRuns, ScoringCatalog, { provide: ScoringUnits, useFactory: () => new ScoringUnits(loadAdminUnits()) }],
  exports: [CriteriaSets, EvaluationRuns, ScoringCatalog],
})
export class ScoringFeatureModule {}
