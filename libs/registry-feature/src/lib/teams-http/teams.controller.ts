import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AdminUnits } from '@cdt/admin-units';
import type { TeamCommand } from '@cdt/domain-registry';
import { CorrelationId, CurrentPrincipal, ProblemDto, Roles, assertUnitAccess, type Principal } from '@cdt/platform';
import { RegisterTeamFact, type TeamWriteResult } from '../register-team-fact/register-team-fact.command';
import { ADMIN_UNITS, requireCommune, todaysPlaceOf } from '../units/admin-units.provider';
import { TeamAccess } from './team-access';
import {
  ChangeRoleDto,
  DissolveTeamDto,
  EstablishTeamDto,
  JoinMemberDto,
  LeaveMemberDto,
  RelocateTeamDto,
  TeamWriteResultDto,
} from './teams.dto';

@ApiTags('registry')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Controller('v1/teams')
export class TeamsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly access: TeamAccess,
    @Inject(ADMIN_UNITS) private readonly units: AdminUnits,
  ) {}

  @Post()
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 201, type: TeamWriteResultDto })
  establish(@Body() body: EstablishTeamDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string): Promise<TeamWriteResult> {
    const commune = requireCommune(this.units, body.communeCode, body.establishedOn);
    assertUnitAccess(principal, todaysPlaceOf(this.units, commune.code, body.establishedOn), { communeCode: 'communeCode', provinceCode: 'communeCode' });
    const command: TeamCommand = { type: 'EstablishTeam', teamId: body.teamId, communeCode: body.communeCode, village: body.village, on: body.establishedOn };
    return this.commands.execute(new RegisterTeamFact(command, { actor: principal.subject, correlationId }, body.expectedVersion));
  }

  @Get(':teamId')
  @Roles('reporter', 'officer', 'ministry', 'auditor')
  async get(@Param('teamId') teamId: string, @CurrentPrincipal() principal: Principal): Promise<object> {
    const { team, version } = await this.access.teamFor(principal, teamId);
    return { ...team, version };
  }

  @Post(':teamId/members')
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 201, type: TeamWriteResultDto })
  async join(@Param('teamId') teamId: string, @Body() body: JoinMemberDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string) {
    await this.access.teamFor(principal, teamId);
    const command: TeamCommand = { type: 'AddMember', teamId, memberId: body.memberId, role: body.role, youthUnion: body.youthUnion, on: body.joinedOn };
    return this.commands.execute(new RegisterTeamFact(command, { actor: principal.subject, correlationId }, body.expectedVersion));
  }

  @Post(':teamId/members/:memberId/leave')
  @HttpCode(200)
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 200, type: TeamWriteResultDto })
  async leave(
    @Param('teamId') teamId: string,
    @Param('memberId') memberId: string,
    @Body() body: LeaveMemberDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    await this.access.teamFor(principal, teamId);
    const command: TeamCommand = { type: 'RemoveMember', teamId, memberId, on: body.leftOn };
    return this.commands.execute(new RegisterTeamFact(command, { actor: principal.subject, correlationId }, body.expectedVersion));
  }

  @Post(':teamId/members/:memberId/role')
  @HttpCode(200)
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 200, type: TeamWriteResultDto })
  async changeRole(
    @Param('teamId') teamId: string,
    @Param('memberId') memberId: string,
    @Body() body: ChangeRoleDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
  ) {
    const { team } = await this.access.teamFor(principal, teamId);
    const youthUnion = body.youthUnion ?? team.members[memberId]?.youthUnion ?? false;
    const command: TeamCommand = { type: 'ChangeMemberRole', teamId, memberId, role: body.role, youthUnion, on: body.on };
    return this.commands.execute(new RegisterTeamFact(command, { actor: principal.subject, correlationId }, body.expectedVersion));
  }

  @Post(':teamId/relocate')
  @HttpCode(200)
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 200, type: TeamWriteResultDto })
  async relocate(@Param('teamId') teamId: string, @Body() body: RelocateTeamDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string) {
    await this.access.teamFor(principal, teamId);
    // The officer must reach the commune the team moves to as well as the one it leaves.
    const commune = requireCommune(this.units, body.communeCode, body.on);
    assertUnitAccess(principal, todaysPlaceOf(this.units, commune.code, body.on), { communeCode: 'communeCode', provinceCode: 'communeCode' });
    const command: TeamCommand = { type: 'RelocateTeam', teamId, communeCode: body.communeCode, village: body.village, reason: body.reason, on: body.on };
    return this.commands.execute(new RegisterTeamFact(command, { actor: principal.subject, correlationId }, body.expectedVersion));
  }

  @Post(':teamId/dissolve')
  @HttpCode(200)
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 200, type: TeamWriteResultDto })
  async dissolve(@Param('teamId') teamId: string, @Body() body: DissolveTeamDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string) {
    await this.access.teamFor(principal, teamId);
    const command: TeamCommand = { type: 'DissolveTeam', teamId, reason: body.reason, on: body.on };
    return this.commands.execute(new RegisterTeamFact(command, { actor: principal.subject, correlationId }, body.expectedVersion));
  }
}
