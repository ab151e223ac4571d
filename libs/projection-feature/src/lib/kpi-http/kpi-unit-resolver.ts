import { Inject, Injectable } from '@nestjs/common';
import { REFORM_DATE, type AdminUnits } from '@cdt/admin-units';
import { NATION_KEY, villageKey, type Level, type View } from '@cdt/domain-kpi';
import { currentUnit, normaliseVillage } from '@cdt/domain-registry';
import { isDomainError, parsePeriod, type PeriodBounds } from '@cdt/domain-shared';
import { ProblemError } from '@cdt/platform';
import { ADMIN_UNITS, TeamDirectory, todaysPlaceOf } from '@cdt/registry-feature';
import { KpiUnitDirectory, hierarchiesFor, isOfficialLevel, type KpiUnit } from './kpi-units';

export const unitNotFound = (field: string, detail: string): ProblemError =>
  new ProblemError({ status: 404, code: 'UNIT_NOT_FOUND', title: 'Unit not found', detail, field });

export const badRequest = (code: string, field: string, detail: string): ProblemError => new ProblemError({ status: 400, code, detail, field });

/** A period key, or 400 INVALID_PERIOD naming the field (DTOs check the shape; this gives the bounds). */
export function requirePeriod(period: string, field = 'period'): PeriodBounds {
  const bounds = parsePeriod(period);
  if (!bounds) throw badRequest('INVALID_PERIOD', field, `${field} must be a day (2026-11-25), ISO week (2026-W48), month (2026-11), quarter (2026-Q4) or year (2026)`);
  return bounds;
}

/**
 * Turns (level, code) of a request into the unit the read model keys, checking that the code names a
 * unit at that level in the hierarchy of the period (ADR 0002: a code means something only on a date),
 * or, for a team, that the registry knows it. Errors name the field the caller got wrong.
 */
@Injectable()
export class KpiUnitResolver {
  readonly directory: KpiUnitDirectory;

  constructor(
    @Inject(ADMIN_UNITS) private readonly units: AdminUnits,
    private readonly teams: TeamDirectory,
  ) {
    this.directory = new KpiUnitDirectory(units);
  }

  async resolve(view: View, level: Level, code: string, period: PeriodBounds, field = 'unitCode'): Promise<KpiUnit> {
    const hierarchies = hierarchiesFor(view, period);
    if (level === 'nation') {
      if (code !== NATION_KEY) throw unitNotFound(field, `the nation is named ${NATION_KEY}, not ${code}`);
      return this.directory.nation(hierarchies[0]);
    }
    if (level === 'district') {
      if (view === 'current') throw badRequest('NO_DISTRICTS_IN_CURRENT_VIEW', 'level', 'the current-units view follows today\'s hierarchy, which has no districts; use view=as-recorded');
      if (period.first >= REFORM_DATE) throw badRequest('NO_DISTRICTS_AFTER_REFORM', 'period', `districts were abolished on ${REFORM_DATE}; a district has figures only for periods starting before it`);
    }
    if (isOfficialLevel(level)) {
      const unit = this.directory.official(level, code, hierarchies);
      if (!unit) throw unitNotFound(field, `${code} is no ${level} of the ${hierarchies.join(' or ')} hierarchy (period ${period.first} – ${period.last}, view ${view})`);
      return this.directory.kpiUnitOf(unit);
    }
    if (level === 'village') return this.village(code, hierarchies, field);
    return this.team(code, field);
  }

  private village(code: string, hierarchies: ReturnType<typeof hierarchiesFor>, field: string): KpiUnit {
    const slash = code.indexOf('/');
    if (slash < 0) throw badRequest('INVALID_VILLAGE_KEY', field, 'a village is named <commune code>/<village name>, e.g. 28249/Ấp Tân Hòa (URL-encode the slash as %2F)');
    const communeCode = code.slice(0, slash);
    let village: string;
    try {
      village = normaliseVillage(code.slice(slash + 1), field);
    } catch (error) {
      if (isDomainError(error)) throw badRequest('INVALID_VILLAGE_KEY', field, error.message);
      throw error;
    }
    const commune = this.directory.official('commune', communeCode, hierarchies);
    if (!commune) throw unitNotFound(field, `${communeCode} is no commune of the ${hierarchies.join(' or ')} hierarchy`);
    const { place, hierarchy } = this.directory.kpiUnitOf(commune);
    return { level: 'village', unitKey: villageKey(commune.code, village), name: village, hierarchy, place };
  }

  private async team(teamId: string, field: string): Promise<KpiUnit> {
    let state;
    try {
      ({ state } = await this.teams.load(teamId));
    } catch (error) {
      // A team id that cannot name a stream names no team either.
      if (isDomainError(error)) throw unitNotFound(field, error.message);
      throw error;
    }
    if (state.status === 'none') throw unitNotFound(field, `no team ${teamId} is registered`);
    const unit = currentUnit(state);
    const place = todaysPlaceOf(this.units, unit.communeCode, unit.from);
    return { level: 'team', unitKey: teamId, name: `${unit.village} (${teamId})`, place };
  }
}
