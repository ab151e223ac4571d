import { CdtConfig, ConfigError, bootstrapHttpApp, devTokensForAllRoles, loadConfig } from '@cdt/platform';
import { AppModule, SERVICE_NAME } from './app.module';

/** Dev tokens live this long: enough for a session, short enough not to leak into real use. */
const DEV_TOKEN_TTL_SECONDS = 8 * 3600;
/** Scope of the printed reporter and officer tokens: Đồng Tháp (82) since 2025-07-01. */
const DEV_SCOPE = { provinceCode: '82', teamId: 'dev-team' };

async function main(): Promise<void> {
  const config = loadConfig();
  const { url } = await bootstrapHttpApp(AppModule.forRoot(config), { serviceName: SERVICE_NAME });
  const lines = [
    '',
    `CDT Ledger (${config.mode} mode${config.mode === 'embedded' ? `, data in ${config.dataDir}` : ''}) listening on ${url}`,
    `  API docs  ${url}/docs   (OpenAPI JSON: ${url}/docs-json)`,
    `  health    ${url}/health`,
    `  metrics   ${url}/metrics`,
  ];
  if (config.mode === 'embedded') lines.push(...(await devTokenLines(config, url)));
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function devTokenLines(config: CdtConfig, url: string): Promise<string[]> {
  if (config.jwt.kind !== 'secret') return ['  (tokens come from the identity provider at CDT_JWT_JWKS_URL)'];
  const tokens = await devTokensForAllRoles(config, DEV_SCOPE, DEV_TOKEN_TTL_SECONDS);
  return [
    '',
    `Development tokens (valid ${DEV_TOKEN_TTL_SECONDS / 3600} h; reporter of team ${DEV_SCOPE.teamId}, officer of province ${DEV_SCOPE.provinceCode}):`,
    ...Object.entries(tokens).map(([role, token]) => `  ${role.padEnd(8)} ${token}`),
    `  e.g. curl -H "Authorization: Bearer <token>" ${url}/v1/...`,
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
