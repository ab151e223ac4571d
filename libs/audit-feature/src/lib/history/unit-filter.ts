import type { UnitResolver } from '@cdt/domain-kpi';
import { dateOfEpochDay, epochDayOfDate, isCalendarDate, parsePeriod, vietnamDate } from '@cdt/domain-shared';
import type { EventStore, RecordedEvent } from '@cdt/event-store';

/** Where a team sat from a version of its stream on (TeamEstablished, then each TeamRelocated). */
interface Placement {
  fromVersion: number;
  communeCode: string;
}

const dayBefore = (day: string): string | undefined => (isCalendarDate(day) ? dateOfEpochDay(epochDayOfDate(day) - 1) : undefined);

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Whether an event belongs to an administrative unit (a province, a pre-2025 district or a commune
 * code), read on the event's own day, so a code means the unit of the hierarchy then in force
 * (ADR 0002): an activity by the commune it was recorded under on its occurredAt; a team fact by the
 * commune the team sat in when it happened (a relocation belongs to both communes); a target by the
 * unit it was set for. Ledger, criteria and evaluation events belong to no unit.
 */
export class UnitFilter {
  private readonly placements = new Map<string, Promise<Placement[]>>();

  constructor(
    private readonly store: Pick<EventStore, 'readStream'>,
    private readonly resolve: UnitResolver,
    private readonly unitCode: string,
  ) {}

  private communeIsIn(communeCode: string | undefined, on: string | undefined): boolean {
    if (communeCode === undefined || on === undefined) return false;
    if (communeCode === this.unitCode) return true;
    const ancestors = this.resolve(communeCode, on);
    return ancestors !== undefined && (ancestors.provinceCode === this.unitCode || ancestors.districtCode === this.unitCode);
  }

  async keeps(event: RecordedEvent): Promise<boolean> {
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (event.streamName.startsWith('activity-')) {
      const occurredAt = text(data['occurredAt']) ?? event.metadata.occurredAt;
      return this.communeIsIn(text(data['communeCode']), vietnamDate(occurredAt));
    }
    if (event.streamName.startsWith('unit-')) {
      const unit = text(data['unitCode']);
      if (unit === this.unitCode) return true;
      // A commune's target belongs to the units above it in the hierarchy of its period's first day.
      return unit !== undefined && /^\d{5}$/.test(unit) && this.communeIsIn(unit, parsePeriod(text(data['period']) ?? '')?.first);
    }
    if (!event.streamName.startsWith('team-')) return false;
    const on = text(data['on']) ?? vietnamDate(event.metadata.occurredAt);
    // The team left its old commune at the end of the day before the move: read that code on that day.
    if (event.type === 'TeamRelocated' && this.communeIsIn(text(data['fromCommuneCode']), dayBefore(on))) return true;
    const placement = (await this.placementsOf(event.streamName)).filter((p) => p.fromVersion <= event.streamVersion).at(-1);
    return this.communeIsIn(placement?.communeCode, on);
  }

  /** The team's placements, read once per stream and filter (a page holds many events of few teams). */
  private placementsOf(streamName: string): Promise<Placement[]> {
    let placements = this.placements.get(streamName);
    if (!placements) {
      placements = this.store.readStream(streamName).then((events) =>
        events.flatMap((e): Placement[] => {
          const data = (e.data ?? {}) as Record<string, unknown>;
          const communeCode = text(data['communeCode']);
          return (e.type === 'TeamEstablished' || e.type === 'TeamRelocated') && communeCode ? [{ fromVersion: e.streamVersion, communeCode }] : [];
        }),
      );
      this.placements.set(streamName, placements);
    }
    return placements;
  }
}
