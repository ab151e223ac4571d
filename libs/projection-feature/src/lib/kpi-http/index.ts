import type { Provider, Type } from '@nestjs/common';
import { TeamDirectory, adminUnitsProvider } from '@cdt/registry-feature';
import { KpiReader } from './kpi-reader';
import { KpiUnitResolver } from './kpi-unit-resolver';
import { KpiController } from './kpi.controller';
import { KpiEvidenceController } from './kpi-evidence.controller';
import { KpiEvidenceReader } from './kpi-evidence.reader';

/**
 * The KPI query API (/v1/kpi): add these to the module that provides KPI_READ_STORE. It needs
 * EVENT_STORE (teams are looked up in the registry for scope checks) and the platform module.
 */
export const KPI_HTTP_CONTROLLERS: Type<unknown>[] = [KpiController, KpiEvidenceController];
export const KPI_HTTP_PROVIDERS: Provider[] = [KpiReader, KpiUnitResolver, KpiEvidenceReader, TeamDirectory, adminUnitsProvider];

export { KpiController, CHECKPOINT_HEADER } from './kpi.controller';
export { KpiReader, type UnitReport, type ChildrenReport, type SeriesReport, type CompareReport, type Watermark } from './kpi-reader';
export { KpiUnitResolver } from './kpi-unit-resolver';
export { assertKpiAccess } from './kpi-scope';
export { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, UNIT_HEADERS, CHILDREN_HEADERS, toCsv, toXlsx, unitTable, childrenTable, negotiateFormat } from './kpi-export';
export { KpiEvidenceController, type EvidencePage } from './kpi-evidence.controller';
export { EvidenceCollector, evidenceEventTypes, evidenceKindOf, type Evidence, type EvidenceItem, type EvidenceKey, type EvidenceKind } from './kpi-evidence';
