import { ASSISTED_APPS, DIGITAL_SKILLS, TRAINEE_KINDS, type ActivityRecorded } from '@cdt/domain-activity';

/**
 * The indicator catalog, as data: what each KPI is called, what it is measured in, and which recorded
 * activities (or registry facts) make it move. Criteria sets and targets name indicators by `code`, so
 * a code is never renamed once published. Ratios are never stored: the read model keeps numerators and
 * denominators and divides at query time, so a retraction or relocation can never leave a stale share.
 */

export type ActivityType = ActivityRecorded['type'];

/** Which recorded activities an indicator counts, and optionally which of their field values. */
export interface ActivityMatch {
  readonly event: ActivityType;
  /** The field must equal this value (`app = vneid`). */
  readonly equals?: { readonly field: string; readonly value: string };
  /** The list field must contain this value (`skills ∋ online-payment`). */
  readonly includes?: { readonly field: string; readonly value: string };
}

/** What a distinct count counts: a pseudonymous ref, the team, or every member named on the activity. */
export interface SubjectField {
  readonly field: 'householdRef' | 'citizenRef' | 'traineeRef' | 'subjectRef' | 'teamId' | 'memberIds';
}

/** What a registry stock counts, as at the end of a period (teams, their members, youth-union members). */
export type StockOf = 'teams' | 'members' | 'youth-union-members';

export type IndicatorDefinition =
  /** Number of matching activities in the period; a retraction takes one off. */
  | { readonly kind: 'count'; readonly matches: readonly ActivityMatch[] }
  /** Number of distinct subjects of matching activities in the period; exact under retraction. */
  | { readonly kind: 'distinct'; readonly matches: readonly ActivityMatch[]; readonly subject: SubjectField }
  /** Registry level at the end of the period (a running sum of dated +1/−1 facts). */
  | { readonly kind: 'stock'; readonly of: StockOf }
  /**
   * Child units (communes or villages) counted at query time: with at least one active team in the
   * period (`active`), or with at least one registered team at its end (`registered`).
   */
  | { readonly kind: 'covered'; readonly childLevel: 'commune' | 'village'; readonly when: 'active' | 'registered' }
  /** numerator / denominator, computed at query time from the stored figures. */
  | { readonly kind: 'ratio'; readonly numerator: string; readonly denominator: string };

export type IndicatorKind = IndicatorDefinition['kind'];

export interface Indicator {
  readonly code: string;
  readonly nameVi: string;
  readonly nameEn: string;
  /** What a value is measured in; ratios are fractions (0.25), shown as %. */
  readonly unit: 'visits' | 'households' | 'people' | 'enrollments' | 'completions' | 'installs' | 'assists' | 'teams' | 'members' | 'communes' | 'villages' | 'ratio';
  readonly definition: IndicatorDefinition;
}

/**
 * Denominators the read model does not hold: how many communes an administrative unit has comes from
 * the official unit lists (admin units), so the query layer passes it in.
 */
export const EXTERNAL_DENOMINATORS = ['communes-in-unit'] as const;
export type ExternalDenominator = (typeof EXTERNAL_DENOMINATORS)[number];

const SKILL_NAMES: Record<(typeof DIGITAL_SKILLS)[number], [string, string]> = {
  'public-services': ['dịch vụ công trực tuyến', 'online public services'],
  'online-shopping': ['mua sắm trực tuyến', 'online shopping'],
  'online-payment': ['thanh toán trực tuyến', 'online payment'],
  'online-safety': ['tự bảo vệ trên không gian mạng', 'staying safe online'],
  'local-platforms': ['nền tảng số của địa phương', 'local digital platforms'],
};

const APP_NAMES: Record<(typeof ASSISTED_APPS)[number], [string, string]> = {
  vneid: ['VNeID', 'VNeID'],
  'e-wallet': ['ví điện tử', 'e-wallet'],
  'provincial-citizen-app': ['ứng dụng công dân số của tỉnh', 'provincial citizen app'],
  vssid: ['VssID', 'VssID'],
  'health-app': ['ứng dụng sức khỏe', 'health app'],
  'verified-sim': ['SIM chính chủ', 'verified SIM'],
  other: ['ứng dụng khác', 'other app'],
};

const TRAINEE_NAMES: Record<(typeof TRAINEE_KINDS)[number], [string, string]> = {
  member: ['thành viên tổ', 'team members'],
  official: ['cán bộ, công chức', 'officials'],
  citizen: ['người dân', 'citizens'],
};

const VISIT: ActivityMatch = { event: 'HouseholdVisitRecorded' };
const ALL_ACTIVITIES: readonly ActivityMatch[] = [
  VISIT,
  { event: 'TrainingEnrollmentRecorded' },
  { event: 'TrainingCompletionRecorded' },
  { event: 'AppInstallAssistRecorded' },
  { event: 'DigitalServiceAssistRecorded' },
];
const service = (value: string): ActivityMatch[] => [
  { event: 'DigitalServiceAssistRecorded', equals: { field: 'service', value } },
];

const training = (event: 'TrainingEnrollmentRecorded' | 'TrainingCompletionRecorded', code: string, vi: string, en: string, unit: 'enrollments' | 'completions'): Indicator[] => [
  { code, nameVi: vi, nameEn: en, unit, definition: { kind: 'count', matches: [{ event }] } },
  ...TRAINEE_KINDS.map((kind): Indicator => ({
    code: `${code}.${kind}`,
    nameVi: `${vi} — ${TRAINEE_NAMES[kind][0]}`,
    nameEn: `${en} — ${TRAINEE_NAMES[kind][1]}`,
    unit,
    definition: { kind: 'count', matches: [{ event, equals: { field: 'traineeKind', value: kind } }] },
  })),
];

export const INDICATORS: readonly Indicator[] = [
  { code: 'household-visits', nameVi: 'Lượt hộ gia đình được hướng dẫn', nameEn: 'Household visits', unit: 'visits', definition: { kind: 'count', matches: [VISIT] } },
  {
    code: 'households-reached',
    nameVi: 'Số hộ gia đình được tiếp cận',
    nameEn: 'Distinct households reached',
    unit: 'households',
    definition: { kind: 'distinct', matches: [VISIT], subject: { field: 'householdRef' } },
  },
  ...DIGITAL_SKILLS.map((skill): Indicator => ({
    code: `visit-skill.${skill}`,
    nameVi: `Lượt hướng dẫn kỹ năng ${SKILL_NAMES[skill][0]}`,
    nameEn: `Visits teaching ${SKILL_NAMES[skill][1]}`,
    unit: 'visits',
    definition: { kind: 'count', matches: [{ ...VISIT, includes: { field: 'skills', value: skill } }] },
  })),
  ...training('TrainingEnrollmentRecorded', 'training-enrollments', 'Lượt đăng ký học', 'Training enrollments', 'enrollments'),
  ...training('TrainingCompletionRecorded', 'training-completions', 'Lượt hoàn thành khóa học', 'Training completions', 'completions'),
  { code: 'app-installs', nameVi: 'Lượt hỗ trợ cài đặt ứng dụng', nameEn: 'App-install assists', unit: 'installs', definition: { kind: 'count', matches: [{ event: 'AppInstallAssistRecorded' }] } },
  ...ASSISTED_APPS.map((app): Indicator => ({
    code: `app-install.${app}`,
    nameVi: `Lượt hỗ trợ cài đặt ${APP_NAMES[app][0]}`,
    nameEn: `${APP_NAMES[app][1]} install assists`,
    unit: 'installs',
    definition: { kind: 'count', matches: [{ event: 'AppInstallAssistRecorded', equals: { field: 'app', value: app } }] },
  })),
  {
    code: 'citizens-assisted.vneid',
    nameVi: 'Số người dân được hỗ trợ VNeID',
    nameEn: 'Distinct citizens assisted with VNeID',
    unit: 'people',
    definition: {
      kind: 'distinct',
      matches: [{ event: 'AppInstallAssistRecorded', equals: { field: 'app', value: 'vneid' } }],
      subject: { field: 'citizenRef' },
    },
  },
  { code: 'dvctt-accounts', nameVi: 'Tài khoản DVCTT được tạo', nameEn: 'Online public-service accounts created', unit: 'assists', definition: { kind: 'count', matches: service('dvctt-account') } },
  { code: 'dvctt-dossiers', nameVi: 'Hồ sơ DVCTT được nộp', nameEn: 'Online public-service dossiers submitted', unit: 'assists', definition: { kind: 'count', matches: service('dvctt-dossier') } },
  { code: 'online-payments', nameVi: 'Giao dịch thanh toán trực tuyến', nameEn: 'Online payments made', unit: 'assists', definition: { kind: 'count', matches: service('online-payment') } },
  { code: 'merchants-onboarded', nameVi: 'Hộ kinh doanh chấp nhận thanh toán số', nameEn: 'Merchants onboarded to e-payment', unit: 'assists', definition: { kind: 'count', matches: service('merchant-e-payment') } },
  { code: 'products-listed', nameVi: 'Sản phẩm lên sàn thương mại điện tử', nameEn: 'Products listed on e-commerce', unit: 'assists', definition: { kind: 'count', matches: service('e-commerce-listing') } },
  {
    code: 'active-teams',
    nameVi: 'Tổ CNSCĐ hoạt động',
    nameEn: 'Active teams (recorded an activity in the period)',
    unit: 'teams',
    definition: { kind: 'distinct', matches: ALL_ACTIVITIES, subject: { field: 'teamId' } },
  },
  {
    code: 'active-members',
    nameVi: 'Thành viên hoạt động',
    nameEn: 'Active members (named on an activity in the period)',
    unit: 'members',
    definition: { kind: 'distinct', matches: ALL_ACTIVITIES, subject: { field: 'memberIds' } },
  },
  { code: 'teams-registered', nameVi: 'Số tổ CNSCĐ', nameEn: 'Registered teams (end of period)', unit: 'teams', definition: { kind: 'stock', of: 'teams' } },
  { code: 'members-registered', nameVi: 'Số thành viên tổ', nameEn: 'Registered members (end of period)', unit: 'members', definition: { kind: 'stock', of: 'members' } },
  { code: 'youth-union-members', nameVi: 'Thành viên là đoàn viên thanh niên', nameEn: 'Youth-union members (end of period)', unit: 'members', definition: { kind: 'stock', of: 'youth-union-members' } },
  {
    code: 'youth-union-share',
    nameVi: 'Tỷ lệ đoàn viên thanh niên trong tổ',
    nameEn: 'Youth-union share of members',
    unit: 'ratio',
    definition: { kind: 'ratio', numerator: 'youth-union-members', denominator: 'members-registered' },
  },
  { code: 'communes-covered', nameVi: 'Số xã có tổ hoạt động', nameEn: 'Communes with an active team', unit: 'communes', definition: { kind: 'covered', childLevel: 'commune', when: 'active' } },
  {
    code: 'commune-coverage',
    nameVi: 'Tỷ lệ xã có tổ hoạt động',
    nameEn: 'Share of communes with an active team',
    unit: 'ratio',
    definition: { kind: 'ratio', numerator: 'communes-covered', denominator: 'communes-in-unit' },
  },
  { code: 'villages-covered', nameVi: 'Số thôn có tổ hoạt động', nameEn: 'Registered villages with an active team', unit: 'villages', definition: { kind: 'covered', childLevel: 'village', when: 'active' } },
  { code: 'villages-registered', nameVi: 'Số thôn có tổ', nameEn: 'Villages with a registered team (end of period)', unit: 'villages', definition: { kind: 'covered', childLevel: 'village', when: 'registered' } },
  {
    code: 'village-coverage',
    nameVi: 'Tỷ lệ thôn có tổ hoạt động',
    nameEn: 'Share of registered villages with an active team',
    unit: 'ratio',
    definition: { kind: 'ratio', numerator: 'villages-covered', denominator: 'villages-registered' },
  },
];

const BY_CODE: ReadonlyMap<string, Indicator> = new Map(INDICATORS.map((indicator) => [indicator.code, indicator]));

export const indicatorByCode = (code: string): Indicator | undefined => BY_CODE.get(code);
export const isIndicatorCode = (code: string): boolean => BY_CODE.has(code);
