import { Command } from 'commander';
import { eraseSubject, SubjectKeys } from '@cdt/privacy';
import { withOpenStore, withStoreFlags, type StoreOptions } from './event-store-flags';


/**
 * `cdt privacy erase <subjectRef>`: crypto-shredding (docs/adr/0006-crypto-shredding.md,
 * docs/privacy/erasure.md). Records `SubjectErased` and destroys the subject's key; the events stay as
 * written, so the ledger still verifies and the KPIs do not move, but nothing sealed for the subject can
 * be read again. Running it again finishes an interrupted run or reports the earlier erasure.
 */
export function privacyCommand(): Command {
  const privacy = new Command('privacy').description('personal data kept for follow-up: erase a subject (crypto-shredding)');
  privacy.addCommand(withStoreFlags(new Command('erase'))
    .description('destroy the key of a subject (its pseudonymous ref) and record SubjectErased')
    .argument('<subjectRef>', 'the pseudonymous ref (64 hex) of the household or citizen')
    .requiredOption('--by <operator>', 'who erases (recorded in the SubjectErased event)')
    .option('--request <reference>', 'the erasure request this answers, e.g. a ticket number (no personal data)')
    .action((subjectRef: string, options: StoreOptions & { by: string; request?: string }) =>
      withOpenStore(options, async (store) => {
        const result = await eraseSubject(store, new SubjectKeys(store.database), subjectRef.trim().toLowerCase(), { actor: options.by, request: options.request });
        process.stdout.write(`${JSON.stringify(result)}\n`);
        process.stderr.write(
          result.status === 'erased' ? `subject erased: key ${result.keyId} destroyed, SubjectErased recorded\n`
            : result.status === 'already-erased' ? `subject was already erased at ${result.erasedAt}\n`
              : 'no key was ever made for this subject: nothing of it is sealed, nothing to erase\n',
        );
      })));
  return privacy;
}

