import { ConfigError, bootstrapHttpApp, loadConfig } from '@cdt/platform';
import { AppModule, SERVICE_NAME } from './app.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const { url } = await bootstrapHttpApp(AppModule.forRoot(config), { serviceName: SERVICE_NAME });
  process.stdout.write(`${SERVICE_NAME} (${config.mode} mode) listening on ${url}; /v1/audit for auditors and the ministry, OpenAPI at ${url}/docs\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
