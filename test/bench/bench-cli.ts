import { InvalidArgumentError, type Command } from 'commander';
import { MultiBar, Presets } from 'cli-progress';

/** What every `npm run bench:*` shares: option parsing, progress bars on stderr, and how it ends. */

export const whole = (min: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
  return n;
};

/** Progress on stderr, so stdout carries only the JSON lines and the table. */
export const progressBars = (): MultiBar =>
  new MultiBar({ format: '{label} |{bar}| {value}/{total} {eta}s left', stream: process.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 }, Presets.shades_classic);

/** Parses the command line, runs the bench, and exits 1 when it failed a check or threw. */
export function runBench<O>(program: Command, bars: MultiBar, bench: (options: O) => Promise<boolean>): void {
  program
    .parseAsync(process.argv)
    .then(async () => {
      const ok = await bench(program.opts<O & Record<string, unknown>>());
      process.exitCode = ok ? 0 : 1;
    })
    .catch((error: unknown) => {
      bars.stop();
      console.error(`${program.name()}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    });
}
