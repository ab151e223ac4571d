import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { DomainError } from '@cdt/domain-shared';
import type { HouseholdVisitRecorded } from '@cdt/domain-activity';
import { CurrentPrincipal, ProblemDto, Roles, type Principal } from '@cdt/platform';
import { ContactVault } from '@cdt/privacy';
import { TeamAccess } from '@cdt/registry-feature';

export class FollowUpContactReplyDto {
  @ApiProperty() activityId!: string;
  @ApiProperty({ description: 'The household\'s pseudonymous ref: what `cdt privacy erase` takes' }) subjectRef!: string;
  @ApiProperty({ enum: ['readable', 'erased'], description: 'erased: the household\'s key was destroyed; the contact can never be read again' })
  status!: 'readable' | 'erased';
  @ApiPropertyOptional({ description: 'Only while readable, and never to an auditor' }) phone?: string;
}

/**
 * The follow-up contact of a household visit, for the people who follow up: the team's reporter, an
 * officer of its province, the ministry. An auditor learns only whether it is still readable or erased.
 */
@ApiTags('activities')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Controller('v1/activities')
export class FollowUpContactController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly access: TeamAccess,
    private readonly contacts: ContactVault,
  ) {}

  @Get(':activityId/follow-up-contact')
  @Roles('reporter', 'officer', 'ministry', 'auditor')
  @ApiResponse({ status: 200, type: FollowUpContactReplyDto })
  async followUpContact(@Param('activityId') activityId: string, @CurrentPrincipal() principal: Principal): Promise<FollowUpContactReplyDto> {
    const [visit] = (await this.store.readEventsById([activityId])).filter((event) => event.type === 'HouseholdVisitRecorded');
    if (!visit) throw new DomainError('ACTIVITY_NOT_FOUND', `no household visit ${activityId}`, 'activityId');
    const { teamId, followUpContact } = visit.data as unknown as HouseholdVisitRecorded['data'];
    await this.access.teamFor(principal, teamId);
    if (!followUpContact) throw new DomainError('ACTIVITY_NOT_FOUND', `household visit ${activityId} has no follow-up contact`, 'activityId');
    const revealed = await this.contacts.reveal(followUpContact, visit.eventId);
    const reply: FollowUpContactReplyDto = { activityId: visit.eventId, subjectRef: followUpContact.subjectRef, status: revealed.status };
    return revealed.status === 'readable' && principal.role !== 'auditor' ? { ...reply, phone: revealed.contact.phone } : reply;
  }
}
