import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, formatProblem, requiredIndicators, requiredTargets, validateCriteriaSet, type CriteriaSet } from '@cdt/domain-scoring';

/**
 * The example criteria sets shipped in docs/scoring stay valid, worth 100 points, and labelled as
 * examples (docs/scoring/README.md): a fresh installation publishes them as they are.
 */
const shipped = (file: string): CriteriaSet => {
  const result = validateCriteriaSet(JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'scoring', file), 'utf8')));
  if (!result.ok) throw new Error(`${file}:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.set;
};

describe('the example criteria sets in docs/scoring', () => {
  it.each([
    ['default-criteria.json', 'team', 'province'],
    ['default-criteria.commune.json', 'commune', 'province'],
  ])('%s is valid, ranks a %s within its %s per quarter, is worth 100 points and says it is an example', (file, level, within) => {
    const set = shipped(file);
    expect(set).toMatchObject({ level, within, periodKind: 'quarter' });
    expect(evaluate(set, []).maxScore).toBe(100);
    expect(set.title).toMatch(/^VÍ DỤ — .*\(example, not official\)$/);
    expect(set.note).toMatch(/^EXAMPLE ONLY — VÍ DỤ MINH HOẠ\. Not the ministry's criteria/);
  });

  it('the team set reads the public indicators it is documented to read', () => {
    const set = shipped('default-criteria.json');
    expect(requiredTargets(set)).toEqual(['app-install.vneid', 'dvctt-dossiers', 'household-visits', 'merchants-onboarded', 'products-listed']);
    expect(requiredIndicators(set)).toEqual([
      'active-teams',
      'active-weeks',
      'app-install.vneid',
      'dvctt-dossiers',
      'household-visits',
      'households-reached',
      'members-registered',
      'merchants-onboarded',
      'products-listed',
      'training-completions.member',
      'visit-skill.local-platforms',
      'visit-skill.online-payment',
      'visit-skill.online-safety',
      'visit-skill.online-shopping',
      'visit-skill.public-services',
      'youth-union-members',
    ]);
  });

  it('the team set turns a typical team into an explained score, and a three-member team into an ineligible one', () => {
    const set = shipped('default-criteria.json');
    const figures = {
      'household-visits': 90, 'households-reached': 60, 'members-registered': 6, 'youth-union-members': 3, 'active-teams': 1, 'active-weeks': 12,
      'app-install.vneid': 30, 'dvctt-dossiers': 10, 'merchants-onboarded': 2, 'products-listed': 0, 'training-completions.member': 3,
      'visit-skill.public-services': 40, 'visit-skill.online-shopping': 12, 'visit-skill.online-payment': 9, 'visit-skill.online-safety': 25, 'visit-skill.local-platforms': 10,
    };
    const targets = { 'household-visits': 100, 'app-install.vneid': 40, 'dvctt-dossiers': 20, 'merchants-onboarded': 4, 'products-listed': 2 };
    const [team, small] = evaluate(set, [
      { unitCode: 'T1', parentCode: '01', figures, targets },
      { unitCode: 'T2', parentCode: '01', figures: { ...figures, 'members-registered': 3 }, targets },
    ]).results;
    // 18 + 10 + 2×4 (online payment taught on 9 visits, under 10) + 7.5 + 5 + 2.5 + 0 + 5 + 5 + 10
    expect(Object.fromEntries(team.breakdown.map((line) => [line.criterion, line.points]))).toEqual({
      'household-visits-attainment': 18,
      'households-per-member': 10,
      'skill-public-services': 2,
      'skill-online-shopping': 2,
      'skill-online-payment': 0,
      'skill-online-safety': 2,
      'skill-local-platforms': 2,
      'vneid-attainment': 7.5,
      'dvctt-dossiers-attainment': 5,
      'merchants-attainment': 2.5,
      'products-attainment': 0,
      'member-training': 5,
      'youth-union-share': 5,
      regularity: 10,
    });
    expect(team).toMatchObject({ score: 71, eligible: true, rank: 1, tier: 'commendable' });
    expect(small).toMatchObject({ eligible: false, rank: null, ineligibleReasons: [{ rule: 'min-members', value: 3, message: 'Tổ có ít nhất 4 thành viên (at least 4 members): 3, required >= 4' }] });
  });
});
