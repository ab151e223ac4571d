import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { writeSideE2e } from './write-side.suite';

writeSideE2e('embedded PGlite on disk', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-e2e-store-'));
  return { options: { kind: 'embedded', dataDir }, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
});

describeWithEngine('postgres', 'write side on PostgreSQL', () => {
  writeSideE2e('PostgreSQL (append-only application role)', async () => {
    const database = await freshPostgresDatabase();
    return { options: { kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 8 }, cleanup: () => database.drop() };
  });
});
