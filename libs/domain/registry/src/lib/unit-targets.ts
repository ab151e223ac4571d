import { DomainError, SCHEMA_VERSION_1, parsePeriod, type DomainEvent } from '@cdt/domain-shared';

/**
 * Targets (chỉ tiêu) of one administrative unit (stream `unit-<code>`): per indicator and period, the
 * number the unit is asked to reach; attainment is computed by projections. A later assignment for the
 * same indicator and period replaces the earlier one; the log keeps both.
 */

/** Province (2 digits), pre-2025 district (3), commune (5), or the whole country. */
const UNIT_CODE = /^(?:VN|\d{2}|\d{3}|\d{5})$/;
/** Indicators are data (criteria sets name them), so only their spelling is checked: `app-install.vneid`. */
const INDICATOR_CODE = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
/** Targets are set per year, quarter or month. */
export const TARGET_PERIOD_KINDS = ['year', 'quarter', 'month'] as const;

// ── events ────────────────────────────────────────────────────────────────────────────────────────
export type TargetAssigned = DomainEvent<
  'TargetAssigned',
  { unitCode: string; indicatorCode: string; period: string; value: number }
>;
export type UnitEvent = TargetAssigned;

// ── state ─────────────────────────────────────────────────────────────────────────────────────────
export interface UnitTargetsState {
  /** Keyed by `targetKey(indicatorCode, period)`. */
  readonly targets: Readonly<Record<string, number>>;
}

export const initialUnitTargetsState: UnitTargetsState = { targets: {} };

export const targetKey = (indicatorCode: string, period: string): string => `${indicatorCode}@${period}`;

// ── evolve ────────────────────────────────────────────────────────────────────────────────────────
export const evolveUnitTargets = (state: UnitTargetsState, event: UnitEvent): UnitTargetsState => {
  switch (event.type) {
    case 'TargetAssigned': {
      const { indicatorCode, period, value } = event.data;
      return { targets: { ...state.targets, [targetKey(indicatorCode, period)]: value } };
    }
    default: {
      const _exhaustive: never = event.type;
      return state;
    }
  }
};

// ── commands ──────────────────────────────────────────────────────────────────────────────────────
export interface AssignTarget {
  type: 'AssignTarget';
  unitCode: string;
  indicatorCode: string;
  /** `2026`, `2026-Q3` or `2026-09`. */
  period: string;
  value: number;
}
export type UnitCommand = AssignTarget;

// ── decide ────────────────────────────────────────────────────────────────────────────────────────
export const decideUnitTargets = (command: UnitCommand, state: UnitTargetsState): UnitEvent[] => {
  switch (command.type) {
    case 'AssignTarget': {
      const { unitCode, indicatorCode, period, value } = command;
      if (typeof unitCode !== 'string' || !UNIT_CODE.test(unitCode)) {
        throw new DomainError('INVALID_VALUE', 'unitCode must be an official unit code (2, 3 or 5 digits) or VN', 'unitCode');
      }
      if (typeof indicatorCode !== 'string' || !INDICATOR_CODE.test(indicatorCode)) {
        throw new DomainError('INVALID_VALUE', 'indicatorCode must be lowercase words joined by . or -', 'indicatorCode');
      }
      const kind = typeof period === 'string' ? parsePeriod(period)?.kind : undefined;
      if (kind === undefined || !(TARGET_PERIOD_KINDS as readonly string[]).includes(kind)) {
        throw new DomainError('INVALID_PERIOD', 'period must be a year (2026), quarter (2026-Q3) or month (2026-09)', 'period');
      }
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new DomainError('INVALID_VALUE', 'value must be a finite number ≥ 0', 'value');
      }
      // Re-sending the same target is a retry, not a new fact.
      if (state.targets[targetKey(indicatorCode, period)] === value) return [];
      return [{ type: 'TargetAssigned', schemaVersion: SCHEMA_VERSION_1, data: { unitCode, indicatorCode, period, value } }];
    }
    default: {
      const _exhaustive: never = command.type;
      throw new DomainError('INVALID_VALUE', `unknown command ${String(_exhaustive)}`, 'type');
    }
  }
};

export const unitTargetsDecider = {
  decide: decideUnitTargets,
  evolve: evolveUnitTargets,
  initialState: initialUnitTargetsState,
};
