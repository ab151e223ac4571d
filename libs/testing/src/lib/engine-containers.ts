import { ENGINE_SPECS, Engine } from './engine-probe';

/** What a started container gives the tests, and how to stop it. */
export interface EngineContainer {
  engine: Engine;
  url: string;
  stop(): Promise<void>;
}

export type ContainerEngine = Extract<Engine, 'postgres' | 'mongo' | 'kafka'>;

/**
 * Undefined when a container runtime (Docker, Podman, …) answers testcontainers, else why not. Loaded
 * lazily: testcontainers is heavy and most runs never get past this check.
 */
export async function containerRuntimeProblem(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `no container runtime answered (${(error as Error).message})`;
  }
}

/** Starts `engine` in a container set up like test/engines/up.sh's servers (roles cdt_admin and cdt_app). */
export async function startEngineContainer(engine: ContainerEngine): Promise<EngineContainer> {
  switch (engine) {
    case 'postgres': {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:15-alpine')
        .withUsername('cdt_admin')
        .withPassword('cdt_admin')
        .withDatabase('cdt')
        .withCommand(['postgres', '-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'idle_in_transaction_session_timeout=60s'])
        .start();
      const result = await container.exec(['psql', '-U', 'cdt_admin', '-d', 'cdt', '-c', "create role cdt_app login password 'cdt_app'"]);
      if (result.exitCode !== 0) throw new Error(`creating role cdt_app failed: ${result.output}`);
      const url = `postgres://cdt_admin:cdt_admin@${container.getHost()}:${container.getPort()}/postgres`;
      return { engine, url, stop: async () => void (await container.stop()) };
    }
    case 'mongo': {
      const { MongoDBContainer } = await import('@testcontainers/mongodb');
      const container = await new MongoDBContainer('mongo:7').start();
      return { engine, url: container.getConnectionString(), stop: async () => void (await container.stop()) };
    }
    case 'kafka': {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const container = await new KafkaContainer('confluentinc/cp-kafka:7.7.1').withKraft().start();
      return { engine, url: `${container.getHost()}:${container.getMappedPort(9093)}`, stop: async () => void (await container.stop()) };
    }
    default: {
      const _exhaustive: never = engine;
      throw new Error(`no container for ${ENGINE_SPECS[_exhaustive as Engine].label}`);
    }
  }
}
