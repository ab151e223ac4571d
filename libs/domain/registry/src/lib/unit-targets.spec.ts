// Specs use the shared test helpers; production domain code may not (eslint.config.mjs boundary rule).
import { deciderSpec } from '@cdt/testing';
import { SCHEMA_VERSION_1 } from '@cdt/domain-shared';
import { unitTargetsDecider, type AssignTarget, type TargetAssigned } from './unit-targets';

const spec = deciderSpec(unitTargetsDecider);
const assign = (overrides: Partial<AssignTarget> = {}): AssignTarget => ({
  type: 'AssignTarget',
  unitCode: '87',
  indicatorCode: 'app-install.provincial-citizen-app',
  period: '2026',
  value: 6800,
  ...overrides,
});
const assigned = (period: string, value: number): TargetAssigned => ({
  type: 'TargetAssigned',
  schemaVersion: SCHEMA_VERSION_1,
  data: { unitCode: '87', indicatorCode: 'app-install.provincial-citizen-app', period, value },
});

describe('assigning targets', () => {
  it.each(['2026', '2026-Q3', '2026-09'])('assigns a target for the period %s', (period) => {
    spec.given([]).when(assign({ period })).then([assigned(period, 6800)]);
  });

  it('replaces an earlier target and ignores an identical retry', () => {
    spec.given([assigned('2026', 6800)]).when(assign({ value: 7000 })).then([assigned('2026', 7000)]);
    spec.given([assigned('2026', 6800)]).when(assign()).then([]);
    spec.given([assigned('2026', 6800), assigned('2026', 7000)]).thenModel({ targets: { 'app-install.provincial-citizen-app@2026': 7000 } });
  });

  it.each(['2026-W10', '2026-09-02', '2026-Q5', 'FY2026'])('refuses the period %s (targets are yearly, quarterly or monthly)', (period) => {
    spec.given([]).when(assign({ period })).thenThrows('INVALID_PERIOD', 'period');
  });

  it('refuses a bad unit code, indicator code or value', () => {
    spec.given([]).when(assign({ unitCode: '8' })).thenThrows('INVALID_VALUE', 'unitCode');
    spec.given([]).when(assign({ indicatorCode: 'App Installs' })).thenThrows('INVALID_VALUE', 'indicatorCode');
    spec.given([]).when(assign({ value: -1 })).thenThrows('INVALID_VALUE', 'value');
    spec.given([]).when(assign({ value: Number.NaN })).thenThrows('INVALID_VALUE', 'value');
  });
});
