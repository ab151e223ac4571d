import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadAdminUnits } from '@cdt/admin-units';
import { DevTokens, loadConfig } from '@cdt/platform';
import { pseudonymousRef } from '@cdt/pseudonym';
import { daysEndingOn, planActivities, planTeams, SeededRandom, type PlannedActivity, type PlannedMember, type PlannedTeam } from '@cdt/simulation';
import { ApiClient, type ItemOutcome, type RegisteredTeam } from './api-client';

/**
 * `npm run simulate -- --province 82 --days 7 --rate 200`: a real client of the write-side API. It
 * registers teams and members across the real communes of a province, then posts their field work at a
 * fixed rate: single calls, some offline batches, some retries (which must come back as duplicates).
 * It is how a newcomer fills the embedded system after `npm start`.
 */
interface Options {
  province: string;
  days: number;
  rate: number;
  url: string;
  teamsPerCommune: number;
  communes?: number;
  perTeamPerDay: number;
  offlineShare: number;
  retryShare: number;
  concurrency: number;
  seed: number;
  dataDir?: string;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};
const share = (value: string): number => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be between 0 and 1');
  return n;
};

// Simulated refs need a key like any client's; this one is for simulations only (docs/privacy/refs.md).
const SIMULATION_REF_KEY = process.env['CDT_REF_KEY'] ?? 'cdt-simulation-ref-key-not-for-real-citizens-0001';

async function simulate(options: Options): Promise<void> {
  const started = Date.now();
  const today = vietnamDay(started);
  const units = loadAdminUnits();
  const province = units.unit(options.province, today);
  if (!province || province.level !== 'province') {
    throw new Error(`--province ${options.province} is not a province on ${today} (34 provinces since 2025-07-01, e.g. 82 for Đồng Tháp)`);
  }
  const days = daysEndingOn(today, options.days);
  const establishedOn = daysEndingOn(days[0], 30)[0];
  if (establishedOn < '2025-07-01') throw new Error(`--days ${options.days} reaches before the 2025 reform; simulate at most ${dayDiff('2025-07-31', today)} days`);

  const communes = units.children(province.code, today).slice(0, options.communes);
  const planned = planTeams({ provinceCode: province.code, communeCodes: communes.map((c) => c.code), teamsPerCommune: options.teamsPerCommune, establishedOn, seed: options.seed });
  const config = loadConfig(options.dataDir ? { ...process.env, CDT_DATA_DIR: options.dataDir } : process.env);
  const officer = await DevTokens.issue(config, { subject: 'simulator-officer', role: 'officer', provinceCode: province.code }, 6 * 3600);
  const api = new ApiClient(options.url, options.concurrency);
  await api.health();

  console.log(`simulating ${province.name} (${province.code}): ${communes.length} communes, ${planned.length} teams, ${options.days} days ending ${today}, at ${options.rate} activities/s → ${options.url}`);
  const { teams, registered } = await registerTeams(api, planned, officer);
  const ref = (identifier: string) => pseudonymousRef(identifier, SIMULATION_REF_KEY);
  const activities = planActivities({ teams, days, perTeamPerDay: options.perTeamPerDay, seed: options.seed + 1, ref, notAfter: started });

  const reporterTokens = new Map<string, string>();
  for (const team of teams) {
    reporterTokens.set(team.teamId, await DevTokens.issue(config, { subject: `simulator-${team.teamId}`, role: 'reporter', teamId: team.teamId, provinceCode: province.code }, 6 * 3600));
  }
  const tally = await postActivities(api, activities, reporterTokens, options);
  const seconds = (Date.now() - started) / 1000;
  const { problems, ...counts } = tally;
  const summary = { province: province.code, communes: communes.length, teams: teams.length, teams_registered_now: registered, activities: activities.length, ...counts, seconds: Math.round(seconds * 10) / 10 };
  console.log(JSON.stringify(summary));
  if (tally.rejected > 0 || tally.retry_mismatches > 0) {
    for (const problem of problems) console.error(JSON.stringify(problem));
    process.exitCode = 1;
  }
}

/**
 * Registers the planned teams the ledger does not know yet. A team registered by an earlier run keeps
 * its members as the ledger has them, so the work planned for it names only members it really has.
 */
async function registerTeams(api: ApiClient, planned: PlannedTeam[], officer: string): Promise<{ teams: PlannedTeam[]; registered: number }> {
  const bar = progressBar('registry  ', planned.length);
  const teams: PlannedTeam[] = [];
  let registered = 0;
  await api.each(planned, async (team) => {
    const existing = await api.team(team.teamId, officer);
    if (existing) {
      if (existing.status === 'active') teams.push({ ...team, members: currentMembers(existing) });
    } else {
      await api.post('/v1/teams', officer, { teamId: team.teamId, communeCode: team.communeCode, village: team.village, establishedOn: team.establishedOn });
      for (const member of team.members) {
        await api.post(`/v1/teams/${team.teamId}/members`, officer, { ...member, joinedOn: team.establishedOn });
      }
      teams.push(team);
      registered++;
    }
    bar.increment();
  });
  bar.stop();
  return { teams: teams.sort((a, b) => a.teamId.localeCompare(b.teamId)), registered };
}

function currentMembers(team: RegisteredTeam): PlannedMember[] {
  return Object.values(team.members)
    .filter((member) => member.periods.length > 0 && member.periods[member.periods.length - 1].leftOn === undefined)
    .map(({ memberId, role, youthUnion }) => ({ memberId, role, youthUnion }));
}

interface Tally {
  created: number;
  /** Answered duplicate on the first send: recorded by an earlier run with the same seed. */
  duplicates: number;
  resent_as_duplicate: number;
  retry_mismatches: number;
  rejected: number;
  single_posts: number;
  batches: number;
  problems: unknown[];
}

async function postActivities(api: ApiClient, activities: PlannedActivity[], tokens: Map<string, string>, options: Options): Promise<Tally> {
  const random = new SeededRandom(options.seed + 2);
  const tally: Tally = { created: 0, duplicates: 0, resent_as_duplicate: 0, retry_mismatches: 0, rejected: 0, single_posts: 0, batches: 0, problems: [] };
  let resent = 0;
  const record = (outcome: ItemOutcome) => {
    if (outcome.status === 'created') tally.created++;
    else if (outcome.status === 'duplicate') tally.duplicates++;
    else {
      tally.rejected++;
      if (tally.problems.length < 20 && 'problem' in outcome) tally.problems.push(outcome.problem);
    }
  };

  // A team that was offline on a day syncs that day's work as one batch; the rest post as they go.
  const sends: { token: string; items: PlannedActivity[]; batch: boolean }[] = [];
  const offlineDays = new Map<string, PlannedActivity[] | null>();
  for (const activity of activities) {
    const teamDay = `${activity.body.teamId}/${activity.body.occurredAt.slice(0, 10)}`;
    if (!offlineDays.has(teamDay)) offlineDays.set(teamDay, random.chance(options.offlineShare) ? [] : null);
    const offlineBatch = offlineDays.get(teamDay);
    if (offlineBatch) offlineBatch.push(activity);
    else sends.push({ token: tokenOf(tokens, activity.body.teamId), items: [activity], batch: false });
  }
  for (const items of offlineDays.values()) {
    if (items && items.length > 0) sends.push({ token: tokenOf(tokens, items[0].body.teamId), items, batch: true });
  }

  const bar = progressBar('activities', activities.length);
  const limiter = new RateLimiter(options.rate);
  await api.each(sends, async (send) => {
    await limiter.take(send.items.length);
    const outcomes = send.batch ? await api.batch(send.token, send.items) : [await api.single(send.token, send.items[0])];
    if (send.batch) tally.batches++;
    else tally.single_posts++;
    outcomes.forEach(record);
    bar.increment(send.items.length);
    // A phone that lost the answer sends again: every item the ledger took must come back as a
    // duplicate with nothing appended; anything else is a failure of the idempotency promise.
    if (random.chance(options.retryShare)) {
      const again = send.batch ? await api.batch(send.token, send.items) : [await api.single(send.token, send.items[0])];
      again.forEach((retry, i) => {
        if (outcomes[i].status === 'rejected') return;
        resent++;
        if (retry.status === 'duplicate') tally.resent_as_duplicate++;
        else tally.problems.push({ activityId: send.items[i].body.activityId, detail: `re-sent, answered ${retry.status} instead of duplicate` });
      });
    }
  });
  bar.stop();
  tally.retry_mismatches = resent - tally.resent_as_duplicate;
  return tally;
}

function tokenOf(tokens: Map<string, string>, teamId: string): string {
  const token = tokens.get(teamId);
  if (!token) throw new Error(`no reporter token for team ${teamId}`);
  return token;
}

class RateLimiter {
  private readonly started = Date.now();
  private granted = 0;

  constructor(private readonly perSecond: number) {}

  async take(count: number): Promise<void> {
    this.granted += count;
    const due = this.started + ((this.granted - count) / this.perSecond) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function progressBar(label: string, total: number): SingleBar {
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, noTTYOutput: true, notTTYSchedule: 5000 }, Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

const vietnamDay = (epochMs: number): string => new Date(epochMs + 7 * 3_600_000).toISOString().slice(0, 10);
const dayDiff = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

const program = new Command('simulate')
  .description('register teams across a province and post realistic field work through the HTTP API')
  .requiredOption('--province <code>', 'province code valid today (e.g. 82, Đồng Tháp)')
  .option('--days <n>', 'days of field work, ending today', positiveInt, 7)
  .option('--rate <events/s>', 'activities posted per second', positiveInt, 200)
  .option('--url <url>', 'where the API listens', `http://${process.env['CDT_HOST'] ?? '127.0.0.1'}:${process.env['CDT_PORT'] ?? '3000'}`)
  .option('--teams-per-commune <n>', 'teams registered in each commune', positiveInt, 1)
  .option('--communes <n>', 'only the first n communes of the province', positiveInt)
  .option('--per-team-per-day <n>', 'mean activities per team per day', positiveInt, 8)
  .option('--offline-share <0..1>', 'share of team-days synced later as one batch', share, 0.3)
  .option('--retry-share <0..1>', 'share of sends repeated as if the answer was lost', share, 0.03)
  .option('--concurrency <n>', 'requests in flight', positiveInt, 8)
  .option('--seed <n>', 'seed of the generated work (same seed, same activities)', positiveInt, 1)
  .option('--data-dir <dir>', 'the running system\'s data dir, for its dev token secret (default CDT_DATA_DIR or ./.data)')
  .action((options: Options) => simulate(options));

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`simulate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
