import { Test, type TestingModule } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE, EventStoreModule, WrongExpectedVersionError, type EventStore } from '@cdt/event-store';
import { RegistryFeatureModule } from '../registry-feature.module';
import { TeamDirectory } from '../team-directory/team-directory';
import { AssignUnitTarget } from '../assign-target/assign-target.command';
import { RegisterTeamFact } from './register-team-fact.command';

const context = { actor: 'officer-82', correlationId: 'c-1' };

describe('registry commands on the embedded store', () => {
  let app: TestingModule;
  let bus: CommandBus;
  let store: EventStore;
  beforeAll(async () => {
    app = await Test.createTestingModule({ imports: [EventStoreModule.forRoot({ kind: 'memory' }), RegistryFeatureModule] }).compile();
    await app.init();
    bus = app.get(CommandBus);
    store = app.get(EVENT_STORE);
  });
  afterAll(() => app?.close());

  const join = (teamId: string, memberId: string, role: 'leader' | 'member' = 'member') =>
    ({ type: 'AddMember', teamId, memberId, role, youthUnion: true, on: '2026-01-06' }) as const;

  it('establishes a team and answers each write with the new version and its position', async () => {
    const established = await bus.execute(new RegisterTeamFact({ type: 'EstablishTeam', teamId: 't-a', communeCode: '29500', village: 'Ấp 1', on: '2026-01-05' }, context));
    expect(established).toMatchObject({ teamId: 't-a', version: 1, position: { globalPosition: expect.any(String) } });
    const joined = await bus.execute(new RegisterTeamFact(join('t-a', 'm1', 'leader'), context, 1));
    expect(joined.version).toBe(2);
    const [event] = await store.readStream('team-t-a', { fromVersion: 2 });
    expect(event).toMatchObject({ type: 'MemberJoined', metadata: { actor: 'officer-82', occurredAt: '2026-01-06T00:00:00+07:00' } });
  });

  it('refuses a stale expectedVersion without writing, and retries by itself when none was given', async () => {
    await bus.execute(new RegisterTeamFact({ type: 'EstablishTeam', teamId: 't-b', communeCode: '29500', village: 'Ấp 2', on: '2026-01-05' }, context));
    await bus.execute(new RegisterTeamFact(join('t-b', 'm1'), context, 1));
    await expect(bus.execute(new RegisterTeamFact(join('t-b', 'm2'), context, 1))).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const racing = await Promise.all(['m3', 'm4', 'm5', 'm6'].map((m) => bus.execute(new RegisterTeamFact(join('t-b', m), context))));
    expect(racing.map((r) => r.version).sort()).toEqual([3, 4, 5, 6]);
    const team = await app.get(TeamDirectory).load('t-b');
    expect(team.version).toBe(6);
    expect(team.state.status === 'active' && Object.keys(team.state.members).sort()).toEqual(['m1', 'm3', 'm4', 'm5', 'm6']);
  });

  it('passes domain rules through as DomainErrors naming the field', async () => {
    await expect(bus.execute(new RegisterTeamFact(join('t-none', 'm1'), context))).rejects.toMatchObject({ code: 'TEAM_NOT_FOUND', field: 'teamId' });
    await bus.execute(new RegisterTeamFact({ type: 'EstablishTeam', teamId: 't-c', communeCode: '29500', village: 'Ấp 3', on: '2026-01-05' }, context));
    await bus.execute(new RegisterTeamFact(join('t-c', 'm1', 'leader'), context));
    await expect(bus.execute(new RegisterTeamFact(join('t-c', 'm2', 'leader'), context))).rejects.toMatchObject({ code: 'TEAM_ALREADY_HAS_LEADER', field: 'role' });
    expect(await store.readStream('team-t-c')).toHaveLength(2);
  });

  it('assigns a target to a unit stream; the same target again is a no-op', async () => {
    const command = { type: 'AssignTarget', unitCode: '82', indicatorCode: 'app-install.vneid', period: '2026', value: 6800 } as const;
    const first = await bus.execute(new AssignUnitTarget(command, context, '2026-01-02T08:00:00+07:00'));
    const again = await bus.execute(new AssignUnitTarget(command, context, '2026-01-02T08:05:00+07:00'));
    expect(first).toMatchObject({ unitCode: '82', version: 1 });
    expect(again).toEqual(first);
    await expect(bus.execute(new AssignUnitTarget({ ...command, period: '2026-W03' }, context, '2026-01-02T08:00:00+07:00'))).rejects.toMatchObject({ code: 'INVALID_PERIOD' });
  });
});
