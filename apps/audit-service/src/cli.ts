import { Command } from 'commander';
import { auditCommand } from './commands/audit.command';
import { privacyCommand } from './commands/privacy.command';
import { projectionsCommand } from './commands/projections.command';
import { rankingCommand } from './commands/ranking.command';
import { refCommand } from './commands/ref.command';

/** `npx cdt <command>`: the operator's and auditor's command line. */
const program = new Command('cdt').description('CDT Ledger command line').showHelpAfterError();
program.addCommand(refCommand());
program.addCommand(projectionsCommand());
program.addCommand(auditCommand());
program.addCommand(rankingCommand());
program.addCommand(privacyCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`cdt: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
