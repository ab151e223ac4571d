import { Module } from '@nestjs/common';
import { adminUnitsProvider } from '@cdt/registry-feature';
import { AuditController } from './audit-http/audit.controller';
import { AuditHistory } from './history/audit-history';

/**
 * The auditor's read-only history API under /v1/audit: a stream's history, a team as of a day, and the
 * global log by checkpoint (filtered by team, unit, type, stream and time). Needs EVENT_STORE and the platform's global guard, pipe and filter.
 */
@Module({
  controllers: [AuditController],
  providers: [AuditHistory, adminUnitsProvider],
  exports: [AuditHistory],
})
export class AuditFeatureModule {}
