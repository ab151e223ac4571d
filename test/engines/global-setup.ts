// jest globalSetup: resolve every engine once (env URL → test/engines/.state/env → testcontainers) and
// hand the answers to the workers through the environment. See docs/operations/engines.md.
import { prepareEngines } from '../../libs/testing/src/lib/engine-setup';

export default async function globalSetup(): Promise<void> {
  const lines: string[] = [];
  const containers = await prepareEngines((line) => lines.push(line));
  process.stderr.write(`\n${lines.join('\n')}\n`);
  // globalTeardown runs in this same process and reads it from here.
  (globalThis as { cdtEngineContainers?: unknown }).cdtEngineContainers = containers;
}
