import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { pseudonymousRef } from '@cdt/pseudonym';

/**
 * `cdt ref <identifier...>`: the pseudonymous ref a reporting app would send for a citizen ID, phone
 * number or household identifier (docs/privacy/refs.md). With no argument it reads one identifier per
 * line from stdin, so a list converts without the raw values reaching the shell history.
 */
export function refCommand(): Command {
  return new Command('ref')
    .description('compute the pseudonymous ref (keyed HMAC-SHA256) of identifiers')
    .argument('[identifiers...]', 'identifiers; read from stdin, one per line, when none is given')
    .option('--key-file <path>', 'file holding the national ref key (default: env CDT_REF_KEY)')
    .action(async (identifiers: string[], options: { keyFile?: string }) => {
      const key = refKey(options.keyFile);
      const inputs = identifiers.length > 0 ? identifiers : await stdinLines();
      for (const identifier of inputs) process.stdout.write(`${pseudonymousRef(identifier, key)}\n`);
    });
}

function refKey(keyFile: string | undefined): string {
  const key = keyFile ? readFileSync(keyFile, 'utf8').trim() : process.env['CDT_REF_KEY'];
  if (!key) throw new Error('no ref key: set CDT_REF_KEY or pass --key-file <path>');
  return key;
}

async function stdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin })) if (line.trim()) lines.push(line);
  return lines;
}
