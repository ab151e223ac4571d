import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_STORE,
  EventIdConflictError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@cdt/event-store';
import {
  decideActivity,
  eventIdOf,
  evolveActivity,
  initialActivityState,
  type ActivityRecorded,
  type ActivityState,
} from '@cdt/domain-activity';
import { activityStream, isPseudonymousRef } from '@cdt/domain-shared';
import { ContactVault } from '@cdt/privacy';
import { TeamDirectory, metadataOf, type TeamSnapshot, type WriteContext } from '@cdt/registry-feature';
import type { ActivityItem, ActivityOutcome } from './activity-item';
import { forEachLimited } from './for-each-limited';

const RECORDED_TYPES: ReadonlySet<string> = new Set<ActivityRecorded['type']>([
  'HouseholdVisitRecorded',
  'TrainingEnrollmentRecorded',
  'TrainingCompletionRecorded',
  'AppInstallAssistRecorded',
  'DigitalServiceAssistRecorded',
]);
const isActivityRecorded = (event: RecordedEvent): boolean => RECORDED_TYPES.has(event.type);

/** Rounds per stream group before giving up under contention (each round re-reads what others wrote). */
const MAX_ROUNDS = 5;
/** Stream groups of one batch written at once: enough to overlap round trips, few enough to share the pool. */
const GROUP_CONCURRENCY = 4;

export class IngestionContentionError extends Error {
  readonly code = 'INGESTION_CONTENTION';
  constructor(readonly streamName: string) {
    super(`stream ${streamName} kept changing under concurrent writers; retry the items`);
  }
}

interface Slot {
  readonly index: number;
  readonly item: ActivityItem;
}

/**
 * Records activities idempotently on the client's activityId, which is also the event id: the store
 * holds each id once, so a retry (sequential or concurrent, single or in a batch) appends nothing and
 * is answered with the position the activity was first written at.
 *
 * Items are grouped by their month stream. An activity stream has no cross-event invariant besides
 * unique ids, which the store enforces, so the append takes any version. The first round of a group is
 * optimistic, one round trip: decide every item against the team alone (the snapshot the caller's
 * access check just loaded, when given) and append. Only if some ids turn out to be stored already
 * (the store reports duplicates or a conflict and writes nothing), or an item is refused, does the
 * group go round again on
 * fresh state: look up the stored ids (one query), reload the team, and let the decider sort
 * duplicates from conflicting reuses of an id. A retry thus costs two more round trips; new work none.
 */
@Injectable()
export class ActivityIngestion {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly teams: TeamDirectory,
    private readonly contacts: ContactVault,
  ) {}

  /** `teams`: snapshots the caller loaded for its access check in this same request, to decide on. */
  async record(items: readonly ActivityItem[], context: WriteContext, teams?: ReadonlyMap<string, TeamSnapshot>): Promise<ActivityOutcome[]> {
    const outcomes: ActivityOutcome[] = new Array(items.length);
    // Uuids compare case-insensitively in the store; the decider compares strings, so use one spelling.
    const normalised = await Promise.all(
      items.map((item) => this.sealed({ ...item, command: { ...item.command, activityId: lowerIfString(item.command.activityId) } })),
    );
    // The k-th repeat of an activityId within one batch is decided after the (k-1)-th is stored, so
    // it is judged like any retry: a duplicate of it, or a conflicting reuse of the id.
    for (const wave of wavesOf(normalised)) {
      const groups = new Map<string, Slot[]>();
      for (const slot of wave) {
        try {
          const stream = activityStream(slot.item.command.teamId, slot.item.command.occurredAt);
          groups.set(stream, [...(groups.get(stream) ?? []), slot]);
        } catch (error) {
          outcomes[slot.index] = { status: 'rejected', activityId: String(slot.item.command.activityId), error };
        }
      }
      await forEachLimited([...groups], GROUP_CONCURRENCY, async ([stream, slots]) => {
        try {
          const known = teams?.get(slots[0].item.command.teamId);
          for (const [index, outcome] of await this.recordGroup(stream, slots, context, known)) outcomes[index] = outcome;
        } catch (error) {
          for (const slot of slots) outcomes[slot.index] = { status: 'rejected', activityId: slot.item.command.activityId, error };
        }
      });
    }
    return outcomes;
  }

  /**
   * A follow-up contact leaves the item in clear and enters the command sealed under the household's
   * key. Sealing is deterministic, so a retry seals to the same box and is still a retry. A householdRef
   * that is not a ref gets no key made for it: the decider refuses the item for its ref anyway.
   */
  private async sealed(item: ActivityItem): Promise<ActivityItem> {
    const { followUpContact, ...rest } = item;
    if (!followUpContact || item.command.type !== 'RecordHouseholdVisit' || !isPseudonymousRef(item.command.householdRef)) return rest;
    const box = await this.contacts.seal(item.command.householdRef, item.command.activityId, followUpContact);
    return { ...rest, command: { ...item.command, followUpContact: { ...box, consent: true } } };
  }

  private async recordGroup(stream: string, slots: Slot[], context: WriteContext, knownTeam?: TeamSnapshot): Promise<Map<number, ActivityOutcome>> {
    const teamId = slots[0].item.command.teamId;
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const outcomes = new Map<number, ActivityOutcome>();
      const optimistic = round === 1;
      const [stored, team] = await Promise.all([
        optimistic ? [] : this.store.readEventsById(slots.map((slot) => slot.item.command.activityId)),
        optimistic && knownTeam ? knownTeam : this.teams.load(teamId),
      ]);
      const storedById = new Map(stored.map((event) => [event.eventId, event]));
      const state: ActivityState = stored
        .filter(isActivityRecorded)
        .reduce((s, event) => evolveActivity(s, event as unknown as ActivityRecorded), { ...initialActivityState, team: team.state });

      const pending: { index: number; activityId: string; event: NewEvent }[] = [];
      for (const { index, item } of slots) {
        const activityId = item.command.activityId;
        try {
          const events = decideActivity(item.command, state);
          if (events.length === 0) {
            const original = storedById.get(activityId);
            if (!original) throw new Error(`activity ${activityId} decided as stored but not found`);
            outcomes.set(index, { status: 'duplicate', activityId, position: original.position });
            continue;
          }
          // Ids are unique within a wave and the decider looks only at the item's own id in the
          // state, so the items decided before it need not be folded in.
          for (const event of events) {
            pending.push({
              index,
              activityId,
              event: {
                eventId: eventIdOf(event),
                type: event.type,
                schemaVersion: event.schemaVersion,
                data: event.data as unknown as Record<string, unknown>,
                metadata: metadataOf(context, item.command.occurredAt, item.deviceId),
              },
            });
          }
        } catch (error) {
          outcomes.set(index, { status: 'rejected', activityId, error });
        }
      }
      // A refusal may be a retry of an item stored when the team's history said otherwise (a backdated
      // leave, say): only the careful round, which sees the stored items, may refuse anything.
      if (optimistic && outcomes.size > 0) continue;
      if (pending.length === 0) return outcomes;

      try {
        const appended = await this.store.append(stream, pending.map((p) => p.event), 'any');
        // Every id is stored already (a retry, or a concurrent writer since our lookup): decide again.
        if (appended.duplicate) continue;
        const positions = new Map(appended.events.map((e) => [e.eventId, e.position]));
        for (const { index, activityId, event } of pending) {
          const position = positions.get(event.eventId.toLowerCase());
          if (!position) throw new Error(`append of ${stream} did not report event ${event.eventId}`);
          outcomes.set(index, { status: 'created', activityId, position });
        }
        return outcomes;
      } catch (error) {
        // Some ids were stored meanwhile (or live in another stream): the next round sees them.
        if (!(error instanceof EventIdConflictError)) throw error;
      }
    }
    throw new IngestionContentionError(stream);
  }
}

const lowerIfString = (value: string): string => (typeof value === 'string' ? value.toLowerCase() : value);

function wavesOf(items: readonly ActivityItem[]): Slot[][] {
  const waves: Slot[][] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const key = String(item.command.activityId);
    const wave = seen.get(key) ?? 0;
    seen.set(key, wave + 1);
    (waves[wave] ??= []).push({ index, item });
  });
  return waves;
}
