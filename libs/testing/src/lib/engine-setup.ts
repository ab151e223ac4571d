import { ContainerEngine, EngineContainer, containerRuntimeProblem, startEngineContainer } from './engine-containers';
import { ENGINE_SPECS, ENGINES, Engine, redact } from './engine-probe';
import { CONTAINER_RUNTIME_ENV, EngineAvailability, RESOLVED_ENV, resolveEngine } from './engines';

const CONTAINER_ENGINES: ContainerEngine[] = ['postgres', 'mongo', 'kafka'];

/**
 * Once per jest run, in the parent process (globalSetup): resolves every engine, starts a container for
 * each one still missing when a container runtime answers, and exports the result to the environment the
 * workers inherit, so each test file does not probe again. Returns the containers to stop at the end.
 */
export async function prepareEngines(log: (line: string) => void): Promise<EngineContainer[]> {
  const availability = Object.fromEntries(ENGINES.map((engine) => [engine, resolveEngine(engine)])) as Record<Engine, EngineAvailability>;
  const missing = CONTAINER_ENGINES.filter((engine) => !availability[engine].available);
  const containers: EngineContainer[] = [];
  if (missing.length) {
    const problem = await containerRuntimeProblem();
    process.env[CONTAINER_RUNTIME_ENV] = problem ?? 'a container runtime answered';
    for (const engine of problem ? [] : missing) {
      try {
        const container = await startEngineContainer(engine);
        containers.push(container);
        process.env[ENGINE_SPECS[engine].envVar] = container.url;
      } catch (error) {
        process.env[CONTAINER_RUNTIME_ENV] = `starting a ${ENGINE_SPECS[engine].label} container failed: ${(error as Error).message}`;
      }
      availability[engine] = resolveEngine(engine);
    }
    if (problem) for (const engine of missing) availability[engine] = resolveEngine(engine);
  }
  for (const engine of ENGINES) {
    const { available, url, reason } = availability[engine];
    if (available && url) process.env[ENGINE_SPECS[engine].envVar] = url;
    log(`[engines] ${engine}: ${available && url ? redact(url) : `not available: ${reason}`}`);
  }
  process.env[RESOLVED_ENV] = JSON.stringify(availability);
  return containers;
}

export async function releaseEngines(containers: EngineContainer[]): Promise<void> {
  await Promise.all(containers.map((container) => container.stop()));
}
