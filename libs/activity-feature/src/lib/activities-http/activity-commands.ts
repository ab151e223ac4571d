import type { RecordActivity } from '@cdt/domain-activity';
import type { FollowUpContact } from '@cdt/privacy';
import type { ActivityItem } from '../ingestion/activity-item';
import type { ActivityCommonDto, ActivityKind, AppInstallAssistDto, DigitalServiceAssistDto, HouseholdVisitDto, TrainingDto } from './activities.dto';

/** A validated request body of one kind → the domain command (the server's clock as `now`). */
export function activityItemOf(kind: ActivityKind, dto: ActivityCommonDto, now: string): ActivityItem {
  const base = { activityId: dto.activityId.toLowerCase(), teamId: dto.teamId, memberIds: dto.memberIds, occurredAt: dto.occurredAt, now };
  let command: RecordActivity;
  let followUpContact: FollowUpContact | undefined;
  switch (kind) {
    case 'household-visit': {
      const { householdRef, skills, followUpContact: contact } = dto as HouseholdVisitDto;
      command = { type: 'RecordHouseholdVisit', ...base, householdRef, skills };
      // Kept in clear on the item only: the ingestion seals it under the household's key before deciding.
      if (contact) followUpContact = { phone: normalisedPhone(contact.phone) };
      break;
    }
    case 'training-enrollment':
    case 'training-completion': {
      const { traineeRef, traineeKind, courseCode } = dto as TrainingDto;
      command = { type: kind === 'training-enrollment' ? 'RecordTrainingEnrollment' : 'RecordTrainingCompletion', ...base, traineeRef, traineeKind, courseCode };
      break;
    }
    case 'app-install-assist': {
      const { citizenRef, app } = dto as AppInstallAssistDto;
      command = { type: 'RecordAppInstallAssist', ...base, citizenRef, app };
      break;
    }
    case 'digital-service-assist': {
      const { subjectRef, service } = dto as DigitalServiceAssistDto;
      command = { type: 'RecordDigitalServiceAssist', ...base, subjectRef, service };
      break;
    }
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown activity kind ${String(unknownKind)}`);
    }
  }
  return {
    command,
    ...(dto.deviceId === undefined ? {} : { deviceId: dto.deviceId }),
    ...(followUpContact === undefined ? {} : { followUpContact }),
  };
}

/** One spelling per number (0…), so a retry written +84… seals to the same box as the first try. */
const normalisedPhone = (phone: string): string => phone.replace(/^(?:\+84|84)/, '0');
