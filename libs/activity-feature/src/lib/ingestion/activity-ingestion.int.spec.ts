import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { CommandBus } from '@nestjs/cqrs';
import { EVENT_STORE, EventStoreModule, type EventStore } from '@cdt/event-store';
import type { RecordActivity, RecordHouseholdVisit } from '@cdt/domain-activity';
import { RegisterTeamFact, RegistryFeatureModule, type WriteContext } from '@cdt/registry-feature';
import { ActivityFeatureModule } from '../activity-feature.module';
import { RecordFieldActivity } from '../record-activity/record-activity.command';
import { RecordActivityBatch } from '../record-activity-batch/record-activity-batch.command';
import { RetractRecordedActivity } from '../retract-activity/retract-activity.command';
import type { ActivityOutcome } from './activity-item';

const context: WriteContext = { actor: 'reporter-1', correlationId: 'c-1' };
const NOW = '2026-03-10T10:00:00+07:00';
const ref = (n: number) => n.toString(16).padStart(64, 'a');

describe('activity ingestion on the embedded store', () => {
  let app: TestingModule;
  let bus: CommandBus;
  let store: EventStore;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [EventStoreModule.forRoot({ kind: 'memory' }), RegistryFeatureModule, ActivityFeatureModule],
    }).compile();
    await app.init();
    bus = app.get(CommandBus);
    store = app.get(EVENT_STORE);
  });
  afterAll(() => app?.close());

  const establish = async (members: string[]): Promise<string> => {
    const teamId = `t-${randomUUID().slice(0, 8)}`;
    await bus.execute(new RegisterTeamFact({ type: 'EstablishTeam', teamId, communeCode: '29500', village: 'Ấp Tân Hòa', on: '2026-01-05' }, context));
    for (const memberId of members) {
      await bus.execute(new RegisterTeamFact({ type: 'AddMember', teamId, memberId, role: 'member', youthUnion: false, on: '2026-01-05' }, context));
    }
    return teamId;
  };
  const visit = (teamId: string, overrides: Partial<RecordHouseholdVisit> = {}): RecordHouseholdVisit => ({
    type: 'RecordHouseholdVisit',
    activityId: randomUUID(),
    teamId,
    memberIds: ['m1'],
    occurredAt: '2026-03-02T09:00:00+07:00',
    householdRef: ref(1),
    skills: ['online-payment', 'public-services'],
    now: NOW,
    ...overrides,
  });
  const record = (command: RecordActivity) => bus.execute(new RecordFieldActivity({ command }, context));

  it('records an activity under its activityId and answers a retry with the original position', async () => {
    const teamId = await establish(['m1']);
    const command = visit(teamId);
    const first = await record(command);
    const retry = await record({ ...command, now: '2026-03-11T08:00:00+07:00', memberIds: ['m1'] });
    expect(first).toMatchObject({ status: 'created', activityId: command.activityId });
    expect(retry).toEqual({ ...first, status: 'duplicate' });
    const stream = await store.readStream(`activity-${teamId}-2026-03`);
    expect(stream.map((e) => [e.eventId, e.type, e.metadata.actor])).toEqual([[command.activityId, 'HouseholdVisitRecorded', 'reporter-1']]);
    expect(stream[0].data).toMatchObject({ communeCode: '29500', village: 'Ấp Tân Hòa', skills: ['public-services', 'online-payment'] });
  });

  it('answers a retry as a duplicate even when the team history changed since (a backdated leave)', async () => {
    const teamId = await establish(['m1', 'm2']);
    const command = visit(teamId, { memberIds: ['m2'] });
    const first = await record(command);
    await bus.execute(new RegisterTeamFact({ type: 'RemoveMember', teamId, memberId: 'm2', on: '2026-02-20' }, context));
    const [retried, fresh] = await bus.execute(new RecordActivityBatch([{ command }, { command: visit(teamId, { memberIds: ['m2'] }) }], context));
    expect(retried).toEqual({ ...first, status: 'duplicate' });
    expect(fresh).toMatchObject({ status: 'rejected', error: { code: 'MEMBER_NOT_IN_TEAM' } });
    expect(await record(command)).toEqual({ ...first, status: 'duplicate' });
    expect(await store.readStream(`activity-${teamId}-2026-03`)).toHaveLength(1);
  });

  it('appends exactly once when the same activity is retried in parallel', async () => {
    const teamId = await establish(['m1']);
    const command = visit(teamId);
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => record(command)));
    expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.position.globalPosition)).size).toBe(1);
    expect(await store.readStream(`activity-${teamId}-2026-03`)).toHaveLength(1);
  });

  it('appends each item once when overlapping batches are retried in parallel', async () => {
    const teamId = await establish(['m1', 'm2']);
    const items = Array.from({ length: 30 }, (_, i) =>
      visit(teamId, { householdRef: ref(i), memberIds: [i % 2 ? 'm1' : 'm2'], occurredAt: `2026-0${1 + (i % 3)}-0${6 + (i % 4)}T09:00:00+07:00` }),
    );
    const batches = [items.slice(0, 20), items.slice(10), items, items.slice(5, 25)];
    const results = await Promise.all(batches.map((batch) => bus.execute(new RecordActivityBatch(batch.map((command) => ({ command })), context))));
    const all = results.flat();
    expect(all.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(all.filter((o) => o.status === 'created')).toHaveLength(30);
    const positions = new Map<string, string>();
    for (const o of all as Exclude<ActivityOutcome, { status: 'rejected' }>[]) {
      expect(positions.get(o.activityId) ?? o.position.globalPosition).toBe(o.position.globalPosition);
      positions.set(o.activityId, o.position.globalPosition);
    }
    const stored = await store.readEventsById(items.map((c) => c.activityId));
    expect(stored).toHaveLength(30);
  });

  it('answers a mixed batch item by item, in order, and one bad item blocks none of the others', async () => {
    const teamId = await establish(['m1']);
    const earlier = visit(teamId);
    const stored = await record(earlier);
    const good = visit(teamId);
    const nextMonth = visit(teamId, { occurredAt: '2026-02-27T09:00:00+07:00' });
    const repeated = visit(teamId);
    const items: RecordActivity[] = [
      good,
      visit(teamId, { memberIds: ['stranger'] }),
      earlier,
      visit(teamId, { householdRef: '0912345678' }),
      nextMonth,
      repeated,
      repeated,
      { ...repeated, householdRef: ref(99) },
      visit('no-such-team'),
      visit(teamId, { occurredAt: '2026-03-02' }),
      { ...earlier, occurredAt: '2026-02-02T09:00:00+07:00' },
    ];
    const outcomes = await bus.execute(new RecordActivityBatch(items.map((command) => ({ command })), context));
    const summary = outcomes.map((o) => (o.status === 'rejected' ? (o.error as { code?: string }).code : o.status));
    expect(summary).toEqual([
      'created',
      'MEMBER_NOT_IN_TEAM',
      'duplicate',
      'RAW_PHONE_IN_REF',
      'created',
      'created',
      'duplicate',
      'ACTIVITY_ID_CONFLICT',
      'TEAM_NOT_FOUND',
      'INVALID_TIMESTAMP',
      'ACTIVITY_ID_CONFLICT',
    ]);
    expect(outcomes[2]).toEqual({ status: 'duplicate', activityId: earlier.activityId, position: stored.position });
    expect(outcomes[6]).toEqual({ ...outcomes[5], status: 'duplicate' });
    expect(outcomes.map((o) => o.activityId)).toEqual(items.map((c) => c.activityId));
    expect(await store.readStream(`activity-${teamId}-2026-03`)).toHaveLength(3);
    expect(await store.readStream(`activity-${teamId}-2026-02`)).toHaveLength(1);
  });

  it('treats an uppercase spelling of a stored activityId as the same activity', async () => {
    const teamId = await establish(['m1']);
    const command = visit(teamId);
    const first = await record(command);
    await expect(record({ ...command, activityId: command.activityId.toUpperCase() })).resolves.toEqual({ ...first, status: 'duplicate' });
  });

  it('retracts once, only for a supervisor, keeping the original in the log', async () => {
    const teamId = await establish(['m1']);
    const command = visit(teamId);
    await record(command);
    const officer: WriteContext = { actor: 'officer-82', correlationId: 'c-2' };
    await expect(bus.execute(new RetractRecordedActivity(command.activityId, 'entered twice', false, officer, NOW))).rejects.toMatchObject({ code: 'RETRACTION_NOT_ALLOWED' });
    await expect(bus.execute(new RetractRecordedActivity(command.activityId, ' ', true, officer, NOW))).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const first = await bus.execute(new RetractRecordedActivity(command.activityId, 'entered twice', true, officer, NOW));
    const again = await bus.execute(new RetractRecordedActivity(command.activityId, 'entered twice', true, officer, NOW));
    expect(first).toMatchObject({ status: 'retracted', activityId: command.activityId });
    expect(again).toEqual({ ...first, status: 'duplicate' });
    const stream = await store.readStream(`activity-${teamId}-2026-03`);
    expect(stream.map((e) => e.type)).toEqual(['HouseholdVisitRecorded', 'ActivityRetracted']);
    expect(stream[1].data).toMatchObject({ reason: 'entered twice', retractedBy: 'officer-82' });
    await expect(bus.execute(new RetractRecordedActivity(randomUUID(), 'x', true, officer, NOW))).rejects.toMatchObject({ code: 'ACTIVITY_NOT_FOUND' });
  });
});
