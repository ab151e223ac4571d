import { Test, type TestingModule } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { EventStoreModule } from '@cdt/event-store';
import type { TeamCommand } from '@cdt/domain-registry';
import { RegistryFeatureModule } from '../registry-feature.module';
import { RegisterTeamFact } from '../register-team-fact/register-team-fact.command';
import { TeamsByCommune } from './teams-by-commune';

const context = { actor: 'ministry-1', correlationId: 'c-1' };

describe('TeamsByCommune, the in-memory view of active teams per commune (embedded store)', () => {
  let app: TestingModule;
  let bus: CommandBus;
  const write = (command: TeamCommand) => bus.execute(new RegisterTeamFact(command, context));
  const idsIn = async (view: TeamsByCommune, hierarchy: 'pre-2025' | '2025', code: string) => (await view.activeTeamsIn(hierarchy, code)).map((t) => t.teamId);

  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [EventStoreModule.forRoot({ kind: 'memory' }), RegistryFeatureModule] }).compile();
    await app.init();
    bus = app.get(CommandBus);
  });
  afterAll(() => app?.close());

  it('follows establishments, relocations and dissolutions, keeping a code of each hierarchy apart', async () => {
    const view = app.get(TeamsByCommune);
    await write({ type: 'EstablishTeam', teamId: 'old-a', communeCode: '00004', village: 'Tổ 1', on: '2024-01-10' });
    await write({ type: 'EstablishTeam', teamId: 'new-b', communeCode: '00004', village: 'Tổ 2', on: '2025-08-01' });
    expect(await idsIn(view, 'pre-2025', '00004')).toEqual(['old-a']);
    expect(await idsIn(view, '2025', '00004')).toEqual(['new-b']);

    // Facts written after the view last answered are caught up on the next query.
    await write({ type: 'AddMember', teamId: 'old-a', memberId: 'm1', role: 'leader', youthUnion: false, on: '2024-01-10' });
    await write({ type: 'RelocateTeam', teamId: 'old-a', communeCode: '00004', village: 'Tổ dân phố 1', reason: 'administrative-reform-2025', on: '2025-07-01' });
    await write({ type: 'DissolveTeam', teamId: 'new-b', reason: 'merged', on: '2025-12-31' });
    expect(await idsIn(view, 'pre-2025', '00004')).toEqual([]);
    expect(await idsIn(view, '2025', '00004')).toEqual(['old-a']);
    const byCommune = await view.activeTeamsByCommune('2025');
    expect([...byCommune.keys()]).toEqual(['00004']);
    expect(byCommune.get('00004')?.[0].units.at(-1)).toEqual({ communeCode: '00004', village: 'Tổ dân phố 1', from: '2025-07-01' });
  });

  it('answers concurrent queries from one catch-up chain, each at least as fresh as its call', async () => {
    const view = app.get(TeamsByCommune);
    const writes = Array.from({ length: 20 }, (_, i) => write({ type: 'EstablishTeam', teamId: `c-${i}`, communeCode: '28252', village: `Ấp ${i}`, on: '2024-06-01' }));
    await Promise.all(writes);
    const answers = await Promise.all(Array.from({ length: 5 }, () => idsIn(view, 'pre-2025', '28252')));
    for (const answer of answers) expect(answer).toHaveLength(20);
  });
});
