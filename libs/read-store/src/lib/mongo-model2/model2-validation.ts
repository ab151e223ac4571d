import { PERIOD_KINDS } from '@cdt/domain-shared';
import { LEVELS, STORED_INDICATOR_CODES, VIEWS, type Model2Deltas } from '@cdt/domain-kpi';

const STORED: ReadonlySet<string> = new Set(STORED_INDICATOR_CODES);

/**
 * Checks a model-2 batch before anything is written (as model 1's `validateDeltas`): without
 * transactions a batch the database refused half-way would stay half-written, so bad input is refused
 * up front, and a journaled batch is one every later attempt can complete.
 */
export function validateModel2Deltas(deltas: Model2Deltas): void {
  const fail = (what: string, value: unknown): never => {
    throw new Error(`invalid KPI model-2 deltas: ${what} is ${JSON.stringify(value) ?? String(value)}`);
  };
  const text = (where: string, value: unknown) => {
    if (typeof value !== 'string') fail(where, value);
  };
  const located = (where: string, row: { teamId: unknown; communeCode: unknown; village: unknown; day: unknown }) => {
    for (const field of ['teamId', 'communeCode', 'village', 'day'] as const) text(`${where}.${field}`, row[field]);
  };
  deltas.factsInserted.forEach((fact, i) => {
    text(`factsInserted[${i}].activityId`, fact.activityId);
    located(`factsInserted[${i}]`, fact);
    fact.counts.forEach((code, j) => text(`factsInserted[${i}].counts[${j}]`, code));
    for (const [code, subjects] of Object.entries(fact.subjects)) subjects.forEach((s, j) => text(`factsInserted[${i}].subjects.${code}[${j}]`, s));
  });
  deltas.factIdsDeleted.forEach((id, i) => text(`factIdsDeleted[${i}]`, id));
  deltas.stockFacts.forEach((stock, i) => {
    text(`stockFacts[${i}].eventId`, stock.eventId);
    located(`stockFacts[${i}]`, stock);
    text(`stockFacts[${i}].indicator`, stock.indicator);
    if (!Number.isSafeInteger(stock.delta)) fail(`stockFacts[${i}].delta`, stock.delta);
  });
  deltas.cells.forEach((cell, i) => {
    if (!VIEWS.includes(cell.view)) fail(`cells[${i}].view`, cell.view);
    if (!LEVELS.includes(cell.level)) fail(`cells[${i}].level`, cell.level);
    if (!PERIOD_KINDS.includes(cell.periodKind)) fail(`cells[${i}].periodKind`, cell.periodKind);
    for (const field of ['unitKey', 'periodKey', 'placedOn'] as const) text(`cells[${i}].${field}`, cell[field]);
    for (const [code, value] of Object.entries(cell.values)) {
      if (!STORED.has(code)) fail(`cells[${i}].values key`, code);
      if (!Number.isSafeInteger(value)) fail(`cells[${i}].values.${code}`, value);
    }
  });
  deltas.targets.forEach((t, i) => {
    if (!Number.isFinite(t.value)) fail(`targets[${i}].value`, t.value);
  });
  deltas.teams.forEach((team, i) => text(`teams[${i}].teamId`, team.teamId));
  deltas.appliedEventIds.forEach((id, i) => text(`appliedEventIds[${i}]`, id));
}
