import { DomainError } from '@cdt/domain-shared';

/** Tổ trưởng, tổ phó, thành viên. */
export const TEAM_ROLES = ['leader', 'deputy', 'member'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** Why a team moved unit: the 2025 merger of communes, or a local reorganisation. */
export const RELOCATION_REASONS = ['administrative-reform-2025', 'reorganisation'] as const;
export type RelocationReason = (typeof RELOCATION_REASONS)[number];

const COMMUNE_CODE = /^\d{5}$/;
const MAX_VILLAGE_LENGTH = 200;

/** Official commune (xã / phường / đặc khu) codes are five digits, before and after the 2025 reform. */
export const requireCommuneCode = (value: unknown, field = 'communeCode'): string => {
  if (typeof value !== 'string' || !COMMUNE_CODE.test(value)) {
    throw new DomainError('INVALID_VALUE', `${field} must be a five-digit commune code`, field);
  }
  return value;
};

/**
 * Villages have no national code list, so the name is the key projections group by: normalised to NFC
 * with single spaces, so "Thôn Tân Hòa" typed on two phones lands in one village, not two.
 */
export const normaliseVillage = (value: unknown, field = 'village'): string => {
  const village = typeof value === 'string' ? value.normalize('NFC').trim().replace(/\s+/g, ' ') : '';
  if (village.length === 0 || village.length > MAX_VILLAGE_LENGTH) {
    throw new DomainError('INVALID_VALUE', `${field} must be a village name of 1–${MAX_VILLAGE_LENGTH} characters`, field);
  }
  return village;
};
