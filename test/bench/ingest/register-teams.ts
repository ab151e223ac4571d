import type { MultiBar } from 'cli-progress';
import type { PlannedTeam } from '@cdt/simulation';

/** Registers each team and its members through the API, as the province's officer would. */
export async function registerTeams(bars: MultiBar, baseUrl: string, officerToken: string, teams: PlannedTeam[], concurrency = 8): Promise<void> {
  const bar = bars.create(teams.length, 0, { label: 'registry'.padEnd(18) });
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, teams.length) }, async () => {
    while (next < teams.length) {
      const team = teams[next++];
      await post(baseUrl, officerToken, '/v1/teams', { teamId: team.teamId, communeCode: team.communeCode, village: team.village, establishedOn: team.establishedOn });
      for (const member of team.members) {
        await post(baseUrl, officerToken, `/v1/teams/${encodeURIComponent(team.teamId)}/members`, { ...member, joinedOn: team.establishedOn });
      }
      bar.increment();
    }
  }));
  bar.stop();
}

async function post(baseUrl: string, token: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
}
