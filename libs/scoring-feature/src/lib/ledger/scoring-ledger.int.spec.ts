import { randomUUID } from 'node:crypto';
import { evaluationStream } from '@cdt/domain-shared';
import { openEventStore, type ManagedEventStore, type NewEvent } from '@cdt/event-store';
import type { EvaluationInput } from '@cdt/domain-scoring';
import { derivedEventId, evaluationRunEvents, type EvaluationFacts, type RecordedResult } from './scoring-events';
import { claimPublication, RankingAlreadyPublishedError, readRun } from './scoring-ledger';

const metadata = { occurredAt: '2026-12-01T00:00:00.000Z', actor: 'ministry-1', correlationId: '00000000-0000-4000-8000-000000000001' };

const facts = (runId: string): EvaluationFacts => ({
  runId,
  criteria: { code: 'c', version: 1, checksum: 'x'.repeat(64) },
  level: 'team',
  within: 'province',
  area: { level: 'province', code: '82' },
  view: 'current',
  period: '2026-Q4',
  watermark: { transactionId: '10', globalPosition: '20' },
  inputsDigest: 'a'.repeat(64),
  resultsDigest: 'b'.repeat(64),
  maxScore: 100,
  requestedBy: 'ministry-1',
});

const units = (n: number): { inputs: EvaluationInput[]; results: RecordedResult[] } => {
  const codes = Array.from({ length: n }, (_, i) => `t${String(n - i).padStart(3, '0')}`);
  return {
    inputs: codes.map((unitCode) => ({ unitCode, parentCode: '82', figures: { 'household-visits': unitCode.length }, targets: {} })),
    results: codes.map((unitCode, i) => ({ unitCode, parentCode: '82', eligible: true, score: i, rank: n - i, tier: null })),
  };
};

const toAppend = (runId: string, events: ReturnType<typeof evaluationRunEvents>): NewEvent[] =>
  events.map((event) => ({
    eventId: event.type === 'EvaluationCompleted' ? derivedEventId('evaluation', runId) : derivedEventId('evaluation-results', runId, String(event.data.chunk)),
    ...event,
    data: event.data as unknown as Record<string, unknown>,
    metadata,
  }));

describe('evaluation runs in the log', () => {
  let store: ManagedEventStore;
  beforeAll(async () => {
    store = await openEventStore({ kind: 'memory' });
  });
  afterAll(async () => {
    await store.close();
  });

  it('records a run as chunks of at most N units then a small EvaluationCompleted, and reads it back whole', async () => {
    const runId = randomUUID();
    const { inputs, results } = units(7);
    const events = evaluationRunEvents(facts(runId), inputs, results, 3);
    expect(events.map((e) => e.type)).toEqual(['EvaluationResultsRecorded', 'EvaluationResultsRecorded', 'EvaluationResultsRecorded', 'EvaluationCompleted']);
    expect(events.at(-1)).toMatchObject({ schemaVersion: 2, data: { units: 7, chunks: 3 } });
    expect(JSON.stringify(events.at(-1)?.data)).not.toContain('household-visits');
    await store.append(evaluationStream(runId), toAppend(runId, events), 'no-stream');
    const run = await readRun(store, runId);
    expect(run?.incomplete).toBeUndefined();
    const byCode = <T extends { unitCode: string }>(list: T[]) => [...list].sort((a, b) => (a.unitCode < b.unitCode ? -1 : 1));
    expect(run?.completed.data.inputs).toEqual(byCode(inputs));
    expect(run?.completed.data.results).toEqual(byCode(results));
    expect(run?.completed.data).toMatchObject({ runId, period: '2026-Q4', inputsDigest: 'a'.repeat(64) });
    expect(run?.version).toBe(4);
  });

  it('names a missing chunk instead of reading a partial run as whole', async () => {
    const runId = randomUUID();
    const { inputs, results } = units(5);
    const events = evaluationRunEvents(facts(runId), inputs, results, 2);
    await store.append(evaluationStream(runId), toAppend(runId, [events[0], events[2], events[3]]), 'no-stream');
    const run = await readRun(store, runId);
    expect(run?.incomplete).toBe('the run names 3 chunks of results, the stream holds chunks [0, 2]');
    expect(run?.completed.data.inputs).toHaveLength(3);
  });

  it('still reads a run recorded before chunks: one schema-1 EvaluationCompleted with inputs and results inline', async () => {
    const runId = randomUUID();
    const { inputs, results } = units(4);
    const v1 = { eventId: derivedEventId('evaluation', runId), type: 'EvaluationCompleted', schemaVersion: 1, data: { ...facts(runId), inputs, results } as unknown as Record<string, unknown>, metadata };
    await store.append(evaluationStream(runId), [v1], 'no-stream');
    const run = await readRun(store, runId);
    expect(run?.incomplete).toBeUndefined();
    expect(run?.completed.data.inputs).toEqual(inputs);
    expect(run?.completed.data.results).toEqual(results);
  });

  it('refuses to record inputs and results of different units', () => {
    const { inputs, results } = units(3);
    expect(() => evaluationRunEvents(facts('r'), inputs, results.slice(1))).toThrow(/different units/);
  });

  describe('publication: one published run per ranking', () => {
    const ranking = (period: string, supersedes?: string) => ({ ...facts('x'), period, ...(supersedes ? { supersedes: { runId: supersedes, reason: 'late reports' } } : {}) });
    const outcome = (claim: Promise<void>) =>
      claim.then(
        () => 'published',
        (error: unknown) => (error instanceof RankingAlreadyPublishedError ? `refused: ${error.publishedRunId}` : Promise.reject(error)),
      );

    it('lets exactly one of many drafts claimed at once be published; a retry of the winner is fine', async () => {
      const drafts = Array.from({ length: 6 }, (_, i) => `draft-${i}`);
      const outcomes = await Promise.all(drafts.map((runId) => outcome(claimPublication(store, ranking('2026-Q1'), runId, metadata))));
      const winners = drafts.filter((_, i) => outcomes[i] === 'published');
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'published')).toEqual(Array(5).fill(`refused: ${winners[0]}`));
      await expect(claimPublication(store, ranking('2026-Q1'), winners[0], metadata)).resolves.toBeUndefined();
    });

    it('takes a correction only over the run it supersedes, once', async () => {
      await claimPublication(store, ranking('2026-Q2'), 'first', metadata);
      await expect(claimPublication(store, ranking('2026-Q2', 'someone-else'), 'wrong', metadata)).rejects.toThrow(RankingAlreadyPublishedError);
      const corrections = await Promise.all(['fix-a', 'fix-b'].map((runId) => outcome(claimPublication(store, ranking('2026-Q2', 'first'), runId, metadata))));
      expect(corrections.filter((o) => o === 'published')).toHaveLength(1);
      const claims = await store.readStream('ranking-c.team.province.82.2026-Q2');
      expect(claims.map((e) => [e.type, e.data['runId']])).toEqual([['RankingPublished', 'first'], ['RankingPublished', corrections[0] === 'published' ? 'fix-a' : 'fix-b']]);
    });
  });
});

