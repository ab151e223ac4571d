import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import type { Checkpoint } from '@cdt/event-store';
import {
  checkProof,
  type InclusionProof,
  LedgerSealer,
  proveEvent,
  verifyLedger,
  type VerifyCheckpoint,
  type VerifyReport,
} from '@cdt/ledger-integrity';
import { checkReplayExport, exportLog, parseCheckpoint, type ReplayCheckReport, type ReplayFilter } from '@cdt/audit-feature';
import { withOpenStore, withStoreFlags, type StoreOptions } from './event-store-flags';


/**
 * `cdt audit seal | prove | check-proof | verify | replay | check-replay`: the ledger's integrity, for operators and auditors
 * (docs/operations/audit.md). Exit code 1 when a check fails.
 */
export function auditCommand(): Command {
  const audit = new Command('audit').description('seal the ledger, prove an event, verify every chain and seal');
  audit.addCommand(withStoreFlags(new Command('seal'))
    .description('append LedgerSealed events for every full range of unsealed events (and the partial rest when due)')
    .option('--every-events <n>', 'events per seal', positiveInt, 1000)
    .option('--every-minutes <m>', 'also seal a partial range once its oldest event is this old', Number, 5)
    .option('--force', 'seal the partial rest now, whatever its age')
    .action((options: StoreOptions & { everyEvents: number; everyMinutes: number; force?: boolean }) =>
      withOpenStore(options, async (store) => {
        const sealer = new LedgerSealer(store, { everyEvents: options.everyEvents, everyMs: options.everyMinutes * 60_000, actor: 'cdt audit seal' });
        const seals = await sealer.sealPending(Boolean(options.force));
        for (const { index: _index, ...seal } of seals) process.stdout.write(`${JSON.stringify(seal)}\n`);
        process.stderr.write(`${seals.length} seal(s) appended\n`);
      })));

  audit.addCommand(withStoreFlags(new Command('prove'))
    .description('print the inclusion proof of one event: leaf, path, root and the seal that covers it')
    .argument('<eventId>')
    .option('--out <file>', 'write the proof to a file instead of stdout')
    .action((eventId: string, options: StoreOptions & { out?: string }) =>
      withOpenStore(options, async (store) => {
        const proof = JSON.stringify(await proveEvent(store, eventId), null, 2);
        if (options.out) writeFileSync(options.out, `${proof}\n`);
        else process.stdout.write(`${proof}\n`);
      })));

  audit.addCommand(new Command('check-proof')
    .description('check a proof file offline (no database): digest, chain hash, leaf, path, root')
    .argument('<file>')
    .option('--root <hex>', 'the seal root you trust (published, or from a verified ledger)')
    .action((file: string, options: { root?: string }) => {
      const verdict = checkProof(JSON.parse(readFileSync(file, 'utf8')) as InclusionProof, options.root);
      for (const check of verdict.checks) process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.step.padEnd(14)} ${check.detail}\n`);
      process.stdout.write(verdict.valid ? 'proof valid\n' : 'proof INVALID\n');
      if (!verdict.valid) process.exitCode = 1;
    }));

  audit.addCommand(withStoreFlags(new Command('verify'))
    .description('walk every stream chain and every seal; report the first bad event by position and stream')
    .option('--from <checkpointFile>', 'resume after the checkpoint this file holds')
    .option('--checkpoint <file>', 'where to record progress at each verified seal', '.cdt-verify-checkpoint.json')
    .option('--page-size <n>', 'events per read', positiveInt, 5000)
    .option('--workers <n>', 'hashing threads (0: hash on the main thread; default: the cores beyond two)', nonNegativeInt)
    .option('--json', 'print the whole report as JSON')
    .action((options: StoreOptions & { from?: string; checkpoint: string; pageSize: number; workers?: number; json?: boolean }) =>
      withOpenStore(options, async (store) => {
        const resume = options.from ? readCheckpoint(options.from) : undefined;
        const total = Number((await store.head()).globalPosition);
        const bar = new SingleBar({ format: 'verify |{bar}| position {value}/{total} · {events} events checked · {eta}s left', stream: process.stderr, etaBuffer: 50 }, Presets.shades_classic);
        bar.start(total, Number(resume?.after.globalPosition ?? 0), { events: resume?.eventsChecked ?? 0 });
        const report = await verifyLedger(store, {
          resume,
          pageSize: options.pageSize,
          workers: options.workers,
          onProgress: (events, position) => bar.update(Math.min(total, Number(position.globalPosition)), { events }),
          onCheckpoint: (checkpoint) => writeCheckpoint(options.checkpoint, checkpoint),
        });
        bar.update(total);
        bar.stop();
        printReport(report, Boolean(options.json));
        if (!report.ok) process.exitCode = 1;
      })));
  audit.addCommand(withStoreFlags(new Command('replay'))
    .description('export the log (or a filtered part) as NDJSON with its seals and a manifest; resumable')
    .requiredOption('--to <dir>', 'where to write (empty, or an unfinished export of the same options to resume)')
    .option('--stream-prefix <prefix>', 'only streams whose name starts with this, e.g. activity- or team-dt-28249')
    .option('--type <types>', 'only these event types, comma-separated', (value: string) => value.split(','))
    .option('--from-position <checkpoint>', 'only events after this checkpoint <transactionId>/<globalPosition> (exclusive)', parseCheckpoint)
    .option('--to-position <checkpoint>', 'only events up to this checkpoint (inclusive); default: the head when the export starts', parseCheckpoint)
    .option('--chunk-events <n>', 'events per NDJSON file (the unit of resumption)', positiveInt, 100_000)
    .option('--page-size <n>', 'events per read', positiveInt, 5000)
    .action((options: StoreOptions & { to: string; streamPrefix?: string; type?: string[]; fromPosition?: Checkpoint; toPosition?: Checkpoint; chunkEvents: number; pageSize: number }) =>
      withOpenStore(options, async (store) => {
        const filter: ReplayFilter = {
          ...(options.streamPrefix === undefined ? {} : { streamPrefix: options.streamPrefix }),
          ...(options.type === undefined ? {} : { types: options.type }),
          ...(options.fromPosition === undefined ? {} : { from: options.fromPosition }),
          ...(options.toPosition === undefined ? {} : { to: options.toPosition }),
        };
        const bar = new SingleBar({ format: 'replay |{bar}| position {value}/{total} · {events} events written · {eta}s left', stream: process.stderr, etaBuffer: 50 }, Presets.shades_classic);
        let started = false;
        const { manifest, resumed } = await exportLog(store, resolve(options.to), {
          filter,
          chunkEvents: options.chunkEvents,
          pageSize: options.pageSize,
          onProgress: (progress) => {
            const total = Number(progress.to.globalPosition);
            if (!started) {
              started = true;
              if (progress.resumed) process.stderr.write('resuming the unfinished export in this directory\n');
              bar.start(total, 0, { events: 0 });
            }
            bar.update(Math.min(total, Number(progress.position.globalPosition)), { events: progress.events });
          },
        });
        if (started) bar.stop();
        const { events, streams, seals, sealLeaves, firstPosition, lastPosition, head } = manifest;
        process.stdout.write(`${JSON.stringify({ dir: resolve(options.to), resumed, events, streams, seals, sealLeaves, firstPosition, lastPosition, head, files: manifest.files.length })}\n`);
      })));

  audit.addCommand(new Command('check-replay')
    .description('re-verify an export offline (no database): file digests, every chain hash, the seals and their Merkle roots')
    .argument('<dir>')
    .option('--json', 'print the whole report as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const report = await checkReplayExport(resolve(dir));
      printReplayReport(report, Boolean(options.json));
      if (!report.ok) process.exitCode = 1;
    }));
  return audit;
}

function printReplayReport(report: ReplayCheckReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const { ok, events, streams, seals, findings } = report;
  process.stdout.write(`${JSON.stringify({ ok, events, streams, seals, findingCount: findings.length })}\n`);
  for (const finding of findings.slice(0, 20)) process.stdout.write(`${finding === report.firstBad ? 'FIRST BAD' : 'also'}: ${JSON.stringify(finding)}\n`);
}

function printReport(report: VerifyReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const { eventsChecked, streamsChecked, sealsChecked, unsealedEvents, findingCount } = report;
  process.stdout.write(`${JSON.stringify({ ok: report.ok, eventsChecked, streamsChecked, sealsChecked, unsealedEvents, findingCount })}\n`);
  if (report.firstBad) {
    const bad = report.firstBad;
    process.stdout.write(`FIRST BAD EVENT: ${bad.kind} at position ${bad.position ? `${bad.position.transactionId || '?'}/${bad.position.globalPosition}` : '(none)'}`
      + `${bad.streamName ? ` stream ${bad.streamName}` : ''}${bad.streamVersion !== undefined ? ` version ${bad.streamVersion}` : ''}`
      + `${bad.eventId ? ` event ${bad.eventId}` : ''}${bad.sealNumber ? ` seal ${bad.sealNumber}` : ''}\n  ${bad.detail}\n`);
    for (const finding of report.findings.slice(1, 20)) process.stdout.write(`also: ${JSON.stringify(finding)}\n`);
  }
}

function readCheckpoint(file: string): VerifyCheckpoint {
  const checkpoint = JSON.parse(readFileSync(file, 'utf8')) as VerifyCheckpoint;
  if (!checkpoint?.after?.transactionId || !Number.isInteger(checkpoint.sealNumber)) throw new Error(`${file} is not a verify checkpoint`);
  return checkpoint;
}

/** Written to a temporary file and renamed, so an interrupted run never leaves half a checkpoint. */
function writeCheckpoint(file: string, checkpoint: VerifyCheckpoint): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(checkpoint)}\n`);
  renameSync(`${file}.tmp`, file);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${value}`);
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected 0 or a positive integer, got ${value}`);
  return n;
}
