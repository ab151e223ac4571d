import { Test } from '@nestjs/testing';
import { EVENT_STORE, type ManagedEventStore, openEventStore } from '@cdt/event-store';
import { LEDGER_STREAM } from '@cdt/domain-shared';
import { LedgerSealerModule } from './ledger-sealer.module';
import { readSeals } from './ledger-log';
import { sampleEvent } from './ledger.fixture';
import { LedgerSealer } from './sealer';
import { verifyLedger } from './verifier';

describe('LedgerSealer (embedded store)', () => {
  let store: ManagedEventStore;
  beforeEach(async () => {
    store = await openEventStore({ kind: 'memory' });
  });
  afterEach(() => store.close());

  const write = async (count: number) => {
    for (let i = 0; i < count; i++) await store.append(`team-${i % 3}`, [sampleEvent(`team-${i % 3}`, i)], 'any');
  };

  it('seals each full range of N events and leaves the young rest for later', async () => {
    await write(25);
    let now = new Date();
    const sealer = new LedgerSealer(store, { everyEvents: 10, everyMs: 60_000 }, () => now);
    expect((await sealer.sealPending()).map((s) => [s.sealNumber, s.count])).toEqual([[1, 10], [2, 10]]);
    expect(await sealer.sealPending()).toEqual([]);
    now = new Date(now.getTime() + 61_000);
    const [late] = await sealer.sealPending();
    expect(late).toMatchObject({ sealNumber: 3, count: 7 }); // 5 events and seals 1 and 2
    now = new Date(now.getTime() + 3_600_000);
    expect(await sealer.sealPending()).toEqual([]); // only seal 3 is unsealed: seals are not sealed alone
    expect((await verifyLedger(store)).ok).toBe(true);
  });

  it('chains each seal to the previous one and covers contiguous ranges', async () => {
    await write(12);
    await new LedgerSealer(store, { everyEvents: 5, everyMs: 0 }).sealPending(true);
    const { seals } = await readSeals(store);
    expect(seals.length).toBeGreaterThanOrEqual(3);
    seals.slice(1).forEach((seal, i) => {
      expect(seal.data.from).toEqual(seals[i].data.to);
      expect(seal.data.prevSealHash).toBe(seals[i].event.hash);
    });
    expect(seals[0].data.prevSealHash).toBe('0'.repeat(64));
  });

  it('lets two sealers race without sealing a range twice', async () => {
    await write(40);
    const a = new LedgerSealer(store, { everyEvents: 4, everyMs: 0 });
    const b = new LedgerSealer(store, { everyEvents: 4, everyMs: 0 });
    await Promise.all([a.sealPending(), b.sealPending()]);
    const { seals } = await readSeals(store);
    expect(seals.map((s) => s.data.sealNumber)).toEqual(seals.map((_, i) => i + 1));
    const report = await verifyLedger(store);
    expect(report).toMatchObject({ ok: true, sealsChecked: seals.length });
  });

  it('runs on a timer as a Nest provider', async () => {
    await write(6);
    class TestStoreModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        { module: TestStoreModule, global: true, providers: [{ provide: EVENT_STORE, useValue: store }], exports: [EVENT_STORE] },
        LedgerSealerModule.forRoot({ everyEvents: 3, everyMs: 0, tickMs: 50 }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    try {
      const deadline = Date.now() + 20_000;
      while ((await store.readStream(LEDGER_STREAM)).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const ledger = await store.readStream(LEDGER_STREAM);
      expect(ledger.map((e) => [e.type, (e.data as { count: number }).count])).toEqual([['LedgerSealed', 3], ['LedgerSealed', 3]]);
    } finally {
      await app.close();
    }
  });
});
