/** "5 kỹ năng số cơ bản": the five basic digital skills a household visit teaches. */
export const DIGITAL_SKILLS = [
  'public-services', // dịch vụ công trực tuyến (DVCTT)
  'online-shopping',
  'online-payment',
  'online-safety',
  'local-platforms',
] as const;
export type DigitalSkill = (typeof DIGITAL_SKILLS)[number];

/** Apps a team helps citizens install; a provincial citizen app is e.g. e-Đồng Tháp or Hue-S. */
export const ASSISTED_APPS = [
  'vneid',
  'e-wallet',
  'provincial-citizen-app',
  'vssid',
  'health-app',
  'verified-sim',
  'other',
] as const;
export type AssistedApp = (typeof ASSISTED_APPS)[number];

/** Digital-service assists: a DVCTT account created, a dossier submitted, a payment made, a merchant
 * onboarded to e-payment, a product listed on an e-commerce marketplace. */
export const DIGITAL_SERVICES = [
  'dvctt-account',
  'dvctt-dossier',
  'online-payment',
  'merchant-e-payment',
  'e-commerce-listing',
] as const;
export type DigitalService = (typeof DIGITAL_SERVICES)[number];

/** Who is trained: a team member, a commune official, or a citizen (MOOCs / OneTouch courses). */
export const TRAINEE_KINDS = ['member', 'official', 'citizen'] as const;
export type TraineeKind = (typeof TRAINEE_KINDS)[number];
