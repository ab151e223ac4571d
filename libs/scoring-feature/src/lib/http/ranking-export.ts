import { Workbook } from 'exceljs';
import type { UnitResult } from '@cdt/domain-scoring';
import type { RankingView } from './ranking-view';

/**
 * A ranking as CSV or XLSX with Vietnamese headers: one row per unit, its total, eligibility, award
 * tier and, per criterion, the measured value and the points; a second sheet says which run, criteria
 * version, checksum and log position the file comes from.
 */

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Cell = string | number | null;

export interface RankingTable {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  readonly about: readonly (readonly [string, string])[];
}

const STATUS_VI = { draft: 'Bản nháp (chưa phê duyệt)', published: 'Đã phê duyệt, công bố', superseded: 'Đã được thay thế' } as const;

export function rankingTable(view: RankingView): RankingTable {
  const criteria = view.criteria.list;
  const headers = [
    'Hạng',
    'Mã đơn vị',
    'Tên đơn vị',
    'Xếp hạng trong',
    'Tổng điểm',
    'Điểm tối đa',
    'Đủ điều kiện',
    'Lý do không đủ điều kiện',
    'Hạng khen thưởng',
    ...criteria.flatMap((c) => [`${c.title} — giá trị`, `${c.title} — điểm`]),
  ];
  const row = (result: UnitResult): Cell[] => {
    const byCode = new Map(result.breakdown.map((b) => [b.criterion, b]));
    return [
      result.rank,
      result.unitCode,
      result.unitName ?? '',
      result.parentCode,
      result.score,
      view.maxScore,
      result.eligible ? 'Có' : 'Không',
      result.ineligibleReasons.map((r) => r.message).join('; '),
      result.tier ?? '',
      ...criteria.flatMap((c) => [byCode.get(c.code)?.raw ?? null, byCode.get(c.code)?.points ?? null]),
    ];
  };
  const about: [string, string][] = [
    ['Mã lần đánh giá (runId)', view.runId],
    ['Trạng thái', STATUS_VI[view.status]],
    ['Bộ tiêu chí', `${view.criteria.title} (${view.criteria.code}, phiên bản ${view.criteria.version})`],
    ['Mã kiểm tra bộ tiêu chí (sha-256)', view.criteria.checksum],
    ['Phạm vi', `${view.area.level} ${view.area.code}`],
    ['Kỳ', view.period],
    ['Vị trí sổ cái (transactionId/globalPosition)', `${view.watermark.transactionId}/${view.watermark.globalPosition}`],
    ['Mã băm kết quả', view.resultsDigest],
  ];
  return { headers, rows: view.results.map(row), about };
}

/** A spreadsheet runs a cell that starts with = + - @ as a formula. */
const defused = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const csvCell = (cell: Cell): string => {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = defused(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180 with CRLF, UTF-8 with a byte-order mark so Excel reads the Vietnamese correctly. */
export function toCsv(table: RankingTable): Buffer {
  const lines = [table.headers, ...table.rows].map((row) => row.map(csvCell).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function toXlsx(table: RankingTable): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = 'CDT Ledger';
  const sheet = workbook.addWorksheet('Xếp hạng', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow([...table.headers]).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row.map((cell) => (typeof cell === 'string' ? defused(cell) : cell)));
  const about = workbook.addWorksheet('Thông tin');
  for (const [key, value] of table.about) about.addRow([key, defused(value)]);
  about.getColumn(1).width = 44;
  about.getColumn(2).width = 70;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** `?format=` wins; otherwise an Accept header asking for CSV or XLSX gets it. */
export function formatOf(format: 'json' | 'csv' | 'xlsx' | undefined, accept: string | undefined): 'json' | 'csv' | 'xlsx' {
  if (format) return format;
  const wanted = (accept ?? '').toLowerCase();
  if (wanted.startsWith('text/csv')) return 'csv';
  if (wanted.startsWith(XLSX_CONTENT_TYPE)) return 'xlsx';
  return 'json';
}
