import type { KpiModel2Store, KpiReadStore } from '@cdt/read-store';

/** The KPI read models (ADR 0010): 1, figures and subject refcounts; 2, facts and wide cells, distinct counts at query time. */
export type KpiModel = 1 | 2;
export const KPI_MODELS: readonly KpiModel[] = [1, 2];

/** The model a fresh read-model database starts with when CDT_KPI_MODEL is not set. */
export const DEFAULT_KPI_MODEL: KpiModel = 1;

/** Parses a model number given by an operator (`--model`, CDT_KPI_MODEL); the error names where it came from. */
export function parseKpiModel(raw: string, source: string): KpiModel {
  const model = KPI_MODELS.find((m) => String(m) === raw.trim());
  if (model === undefined) throw new Error(`${source} must be one of ${KPI_MODELS.join(', ')} (got "${raw}")`);
  return model;
}

/** A model version's store, by the model it holds: the runner and a rebuild project with that model's projector. */
export type KpiVersionStore<Model1 extends KpiReadStore = KpiReadStore, Model2 extends KpiModel2Store = KpiModel2Store> =
  | { model: 1; store: Model1 }
  | { model: 2; store: Model2 };
