import { Inject, Injectable } from '@nestjs/common';
import type { AdminUnits } from '@cdt/admin-units';
import type { UnitResolver } from '@cdt/domain-kpi';
import { compareCheckpoints, EVENT_STORE, START, type Checkpoint, type EventStore } from '@cdt/event-store';
import { KPI_READ_STORE, type KpiQueryStore } from '@cdt/read-store';
import { ADMIN_UNITS } from '@cdt/registry-feature';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { EvidenceCollector, evidenceEventTypes, type Evidence, type EvidenceKey, type EvidenceKind } from './kpi-evidence';

export interface FigureEvidence extends Evidence {
  /** The read model's checkpoint: the evidence is the log up to exactly this position. */
  checkpoint: Checkpoint | null;
  /** The figure as the read model stores it at that checkpoint. */
  readModelValue: number;
}

const READ_PAGE = 5000;
const CACHED_ANSWERS = 16;
const CONSISTENT_READ_ATTEMPTS = 5;

/**
 * Explains a stored KPI figure by the events behind it: reads the figure and the model's checkpoint
 * together, then replays the log up to that checkpoint (only the event types that can move the figure)
 * through the projector. Answers are kept per (figure, checkpoint), so paging does not rescan the log.
 */
@Injectable()
export class KpiEvidenceReader {
  private readonly resolve: UnitResolver;
  private readonly answers = new Map<string, Promise<FigureEvidence>>();

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(KPI_READ_STORE) private readonly store: KpiQueryStore,
    @Inject(ADMIN_UNITS) units: AdminUnits,
  ) {
    this.resolve = adminUnitResolver(units);
  }

  async evidence(key: EvidenceKey, kind: EvidenceKind): Promise<FigureEvidence> {
    let checkpoint = await this.store.checkpoint();
    let value = 0;
    for (let attempt = 1; ; attempt++) {
      const [figures] = await this.store.figures(key.view, key.level, [key.unitKey], key.period);
      value = figures?.values[key.indicator] ?? 0;
      const after = await this.store.checkpoint();
      const same = compareCheckpoints(after ?? START, checkpoint ?? START) === 0;
      checkpoint = after;
      if (same || attempt === CONSISTENT_READ_ATTEMPTS) break;
    }
    const id = JSON.stringify([key, checkpoint]);
    let answer = this.answers.get(id);
    if (!answer) {
      answer = this.collect(key, kind, checkpoint).then((evidence) => ({ ...evidence, checkpoint: checkpoint ?? null, readModelValue: value }));
      answer.catch(() => this.answers.delete(id));
      this.answers.set(id, answer);
      if (this.answers.size > CACHED_ANSWERS) this.answers.delete(this.answers.keys().next().value as string);
    }
    return { ...(await answer), readModelValue: value };
  }

  private async collect(key: EvidenceKey, kind: EvidenceKind, upTo: Checkpoint | undefined): Promise<Evidence> {
    const collector = new EvidenceCollector(key, kind, this.resolve);
    if (!upTo) return collector.finish();
    const types = evidenceEventTypes(key.indicator, key.view);
    for (let after = START; ; ) {
      const page = await this.events.readAll({ after, limit: READ_PAGE, filter: { types } });
      for (const event of page.events) {
        if (compareCheckpoints(event.position, upTo) > 0) return collector.finish();
        collector.add(event);
      }
      if (page.atHead || page.events.length === 0 || compareCheckpoints(page.checkpoint, upTo) >= 0) return collector.finish();
      after = page.checkpoint;
    }
  }
}
