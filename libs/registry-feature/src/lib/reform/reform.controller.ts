import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { TeamCommand } from '@cdt/domain-registry';
import { CorrelationId, CurrentPrincipal, ProblemDto, Roles, type Principal } from '@cdt/platform';
import { RegisterTeamFact, type TeamWriteResult } from '../register-team-fact/register-team-fact.command';
import { TeamWriteResultDto } from '../teams-http/teams.dto';
import { ReformProposals, type TeamReformProposal } from './reform-proposals';
import { ConfirmReformDto, ReformProposalsDto, ReformProposalsQueryDto } from './reform.dto';

/** The 2025 reform helper: proposals for teams left in ceased communes, and the officer's confirmation. */
@ApiTags('registry')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Controller('v1/reform/proposals')
export class ReformController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reform: ReformProposals,
  ) {}

  @Get()
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 200, type: ReformProposalsDto })
  async list(@Query() { provinceCode }: ReformProposalsQueryDto, @CurrentPrincipal() principal: Principal): Promise<{ provinceCode: string; proposals: TeamReformProposal[] }> {
    return { provinceCode, proposals: await this.reform.list(principal, provinceCode) };
  }

  @Post(':teamId/confirm')
  @HttpCode(200)
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 200, type: TeamWriteResultDto })
  async confirm(@Param('teamId') teamId: string, @Body() body: ConfirmReformDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string): Promise<TeamWriteResult> {
    const move = await this.reform.relocationFor(principal, teamId, body);
    const command: TeamCommand = { type: 'RelocateTeam', teamId, communeCode: move.communeCode, village: move.village, reason: 'administrative-reform-2025', on: move.on };
    // Pinned to the version the proposal was checked against, so a move that raced in meanwhile is a 409.
    return this.commands.execute(new RegisterTeamFact(command, { actor: principal.subject, correlationId }, body.expectedVersion ?? move.version));
  }
}
