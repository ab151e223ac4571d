// jest globalTeardown: stop the containers globalSetup started (none when the engines came from up.sh).
import type { EngineContainer } from '../../libs/testing/src/lib/engine-containers';
import { releaseEngines } from '../../libs/testing/src/lib/engine-setup';

export default async function globalTeardown(): Promise<void> {
  await releaseEngines((globalThis as { cdtEngineContainers?: EngineContainer[] }).cdtEngineContainers ?? []);
}
