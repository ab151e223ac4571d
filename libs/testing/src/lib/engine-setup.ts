import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerEngine, EngineContainer, containerRuntimeProblem, startEngineContainer } from './engine-containers';
import { ENGINE_SPECS, ENGINES, Engine, redact } from './engine-probe';
import { CONTAINER_RUNTIME_ENV, EngineAvailability, PROVISIONER_ENV, RESOLVED_ENV, resolveEngine } from './engines';

const SERVER_ENGINES: ContainerEngine[] = ['postgres', 'mongo', 'kafka'];
const UP_SH = join(__dirname, '..', '..', '..', '..', 'test', 'engines', 'up.sh');

/**
 * Once per jest run, in the parent process (globalSetup), for each engine: the env URL or
 * test/engines/.state/env; else a container when a container runtime answers; else test/engines/up.sh
 * (root only; CDT_ENGINES_PROVISION=0 turns it off). The answers go to the environment the workers
 * inherit, so test files do not probe again. Returns the containers to stop at the end.
 */
export async function prepareEngines(log: (line: string) => void): Promise<EngineContainer[]> {
  const availability = Object.fromEntries(ENGINES.map((engine) => [engine, resolveEngine(engine)])) as Record<Engine, EngineAvailability>;
  const missing = () => SERVER_ENGINES.filter((engine) => !availability[engine].available);
  const containers: EngineContainer[] = [];

  if (missing().length) {
    const problem = await containerRuntimeProblem();
    process.env[CONTAINER_RUNTIME_ENV] = problem ?? 'a container runtime answered';
    for (const engine of problem ? [] : missing()) {
      try {
        const container = await startEngineContainer(engine);
        containers.push(container);
        process.env[ENGINE_SPECS[engine].envVar] = container.url;
      } catch (error) {
        process.env[CONTAINER_RUNTIME_ENV] = `starting a ${ENGINE_SPECS[engine].label} container failed: ${(error as Error).message}`;
      }
    }
  }
  if (missing().length) {
    const engines = missing();
    log(`[engines] provisioning on loopback: bash test/engines/up.sh ${engines.join(' ')}`);
    process.env[PROVISIONER_ENV] = await provision(engines);
  }
  for (const engine of SERVER_ENGINES) if (!availability[engine].available) availability[engine] = resolveEngine(engine);

  for (const engine of ENGINES) {
    const { available, url, reason } = availability[engine];
    if (available && url) process.env[ENGINE_SPECS[engine].envVar] = url;
    log(`[engines] ${engine}: ${available && url ? redact(url) : `not available: ${reason}`}`);
  }
  process.env[RESOLVED_ENV] = JSON.stringify(availability);
  return containers;
}

/** Runs up.sh for `engines`; says what happened (its last error line when it failed). */
async function provision(engines: Engine[]): Promise<string> {
  if (process.env['CDT_ENGINES_PROVISION'] === '0') return 'not run (CDT_ENGINES_PROVISION=0)';
  if (process.getuid?.() !== 0) return 'not run (it needs root to install and start servers)';
  if (!existsSync(UP_SH)) return `not run (${UP_SH} is missing)`;
  return new Promise((resolve) => {
    execFile('bash', [UP_SH, ...engines], { timeout: 10 * 60_000 }, (error, _stdout, stderr) => {
      const lastLine = stderr.trim().split('\n').pop() ?? '';
      resolve(error ? `failed: ${lastLine || error.message}` : 'ran');
    });
  });
}

export async function releaseEngines(containers: EngineContainer[]): Promise<void> {
  await Promise.all(containers.map((container) => container.stop()));
}
