import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { LedgerSealer, SealerOptions } from './sealer';

export const LEDGER_SEALER_OPTIONS = Symbol('LEDGER_SEALER_OPTIONS');

export interface LedgerSealerModuleOptions extends SealerOptions {
  /** How often the sealer looks for work, ms (default: min(everyMs, 10 s)). */
  tickMs?: number;
  /** false: the module loads but never seals (another process does; config CDT_SEALER=off). Default true. */
  enabled?: boolean;
}

/**
 * Runs the sealer on a timer inside a Nest application; needs EVENT_STORE (EventStoreModule.forRoot).
 * Full ranges of `everyEvents` are sealed at the next tick, so a seal lags its range by up to `tickMs`.
 */
@Injectable()
export class LedgerSealerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LedgerSealer');
  private readonly sealer: LedgerSealer;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(LEDGER_SEALER_OPTIONS) private readonly options: LedgerSealerModuleOptions,
  ) {
    this.sealer = new LedgerSealer(store, options);
  }

  onApplicationBootstrap(): void {
    if (this.options.enabled === false) return;
    const tickMs = this.options.tickMs ?? Math.max(100, Math.min(this.options.everyMs, 10_000));
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
    this.logger.log({ msg: 'ledger sealer running', everyEvents: this.options.everyEvents, everyMs: this.options.everyMs, tickMs });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; overlapping ticks wait for the pass in hand instead of sealing twice. */
  tick(): Promise<void> {
    this.running ??= this.sealer
      .sealPending()
      .then((seals) => {
        for (const seal of seals) this.logger.log({ msg: 'ledger sealed', sealNumber: seal.sealNumber, count: seal.count, root: seal.root });
      })
      .catch((error: unknown) => this.logger.error({ msg: 'sealing failed, will retry', error: String(error) }))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }
}

@Module({})
export class LedgerSealerModule {
  static forRoot(options: LedgerSealerModuleOptions): DynamicModule {
    return {
      module: LedgerSealerModule,
      providers: [{ provide: LEDGER_SEALER_OPTIONS, useValue: options }, LedgerSealerService],
      exports: [LedgerSealerService],
    };
  }
}
