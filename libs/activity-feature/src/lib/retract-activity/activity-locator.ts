import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { DomainError } from '@cdt/domain-shared';

export interface LocatedActivity {
  activityId: string;
  teamId: string;
  occurredAt: string;
  streamName: string;
}

const RECORDED = /^(HouseholdVisit|TrainingEnrollment|TrainingCompletion|AppInstallAssist|DigitalServiceAssist)Recorded$/;

/** Finds the team and month stream of an activity from its id alone (the id is its event id). */
@Injectable()
export class ActivityLocator {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async locate(activityId: string): Promise<LocatedActivity> {
    const [event] = (await this.store.readEventsById([activityId])).filter((e) => RECORDED.test(e.type));
    if (!event) throw new DomainError('ACTIVITY_NOT_FOUND', `no activity ${activityId}`, 'activityId');
    const data = event.data as { teamId: string; occurredAt: string };
    return { activityId: event.eventId, teamId: data.teamId, occurredAt: data.occurredAt, streamName: event.streamName };
  }
}
