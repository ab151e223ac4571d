import { ACTIVITY_PATHS, type PlannedActivity } from '@cdt/simulation';

export interface RegisteredTeam {
  teamId: string;
  status: string;
  members: Record<string, { memberId: string; role: 'leader' | 'deputy' | 'member'; youthUnion: boolean; periods: { joinedOn: string; leftOn?: string }[] }>;
}

export type ItemOutcome = { status: 'created' | 'duplicate' } | { status: 'rejected'; problem: unknown };


/** The write-side HTTP API as a reporting app sees it (docs/api/v1-write-side.md). */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly concurrency: number,
  ) {}

  async health(): Promise<void> {
    const response = await fetch(`${this.baseUrl}/health`).catch((error: unknown) => {
      throw new Error(`nothing answers at ${this.baseUrl} (${error instanceof Error ? error.message : String(error)}): start the system with npm start`);
    });
    if (!response.ok) throw new Error(`${this.baseUrl}/health answered ${response.status}`);
  }

  /** The team as registered, or undefined when the ledger does not know it. */
  async team(teamId: string, token: string): Promise<RegisteredTeam | undefined> {
    const response = await fetch(`${this.baseUrl}/v1/teams/${encodeURIComponent(teamId)}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (response.status === 200) return JSON.parse(text) as RegisteredTeam;
    if (response.status === 404) return undefined;
    throw new Error(`GET /v1/teams/${teamId} answered ${response.status}: ${text}`);
  }

  /** A registry write that must succeed. */
  async post(path: string, token: string, body: unknown): Promise<unknown> {
    const { status, json } = await this.send(path, token, body);
    if (status >= 300) throw new Error(`POST ${path} answered ${status}: ${JSON.stringify(json)}`);
    return json;
  }

  async single(token: string, activity: PlannedActivity): Promise<ItemOutcome> {
    const { status, json } = await this.send(`/v1/activities/${ACTIVITY_PATHS[activity.kind]}`, token, activity.body);
    if (status === 201 || status === 200) return { status: (json as { status: 'created' | 'duplicate' }).status };
    return { status: 'rejected', problem: { status, activityId: activity.body.activityId, ...(json as object) } };
  }

  async batch(token: string, activities: PlannedActivity[]): Promise<ItemOutcome[]> {
    const { status, json } = await this.send('/v1/activities:batch', token, { items: activities.map((a) => ({ kind: a.kind, ...a.body })) });
    if (status !== 200) return activities.map((a) => ({ status: 'rejected', problem: { status, activityId: a.body.activityId, ...(json as object) } }));
    const results = (json as { results: { status: string; problem?: unknown; activityId: string }[] }).results;
    return results.map((result) =>
      result.status === 'created' || result.status === 'duplicate' ? { status: result.status } : { status: 'rejected', problem: { activityId: result.activityId, ...(result.problem as object) } },
    );
  }

  /** Runs `work` over the items with at most `concurrency` in flight. */
  async each<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await work(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
  }

  private async send(path: string, token: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }
}
