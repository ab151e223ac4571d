import { Workbook } from 'exceljs';

/**
 * Tables as CSV and XLSX for the spreadsheets provinces and the ministry pass around: content
 * negotiation, RFC 4180 CSV with a BOM, an XLSX with a second "about" sheet, formula-safe cells and an
 * RFC 6266 file name. The KPI and ranking exports build an ExportTable and hand it here.
 */

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** `?format=` wins; otherwise an Accept header that asks for CSV or XLSX (and not JSON first) gets it. */
export function negotiateFormat(format: ExportFormat | undefined, accept: string | undefined): ExportFormat {
  if (format !== undefined) return format;
  const wanted = (accept ?? '')
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q === undefined ? 1 : Number(q.slice(2)) || 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { type } of wanted) {
    if (type === 'text/csv') return 'csv';
    if (type === XLSX_CONTENT_TYPE) return 'xlsx';
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
  }
  return 'json';
}

export type Cell = string | number | null;

export interface ExportTable {
  readonly sheetName: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** What the table is (unit, period, view, log position), shown on a second XLSX sheet. */
  readonly about: readonly (readonly [string, string])[];
}

/** A spreadsheet runs a cell that starts with = + - @ as a formula; village names come from users. */
const defused = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const csvCell = (cell: Cell): string => {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = defused(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180 with CRLF, UTF-8 with a byte-order mark so Excel reads the Vietnamese correctly. */
export function toCsv(table: ExportTable): Buffer {
  const lines = [table.headers, ...table.rows].map((row) => row.map(csvCell).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function toXlsx(table: ExportTable): Promise<Buffer> {
  const workbook = new Workbook();
  workbook.creator = 'CDT Ledger';
  const sheet = workbook.addWorksheet(table.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow([...table.headers]).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row.map((cell) => (typeof cell === 'string' ? defused(cell) : cell)));
  sheet.columns.forEach((column, index) => {
    const longest = Math.max(table.headers[index].length, ...table.rows.map((row) => String(row[index] ?? '').length));
    column.width = Math.min(60, Math.max(8, longest + 2));
  });
  const about = workbook.addWorksheet('Thông tin');
  for (const [key, value] of table.about) about.addRow([key, defused(value)]);
  about.getColumn(1).width = 44;
  about.getColumn(2).width = 60;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 5987). */
export function contentDisposition(parts: readonly string[], extension: 'csv' | 'xlsx'): string {
  // No path separators or characters file systems refuse, even in the UTF-8 name.
  const safe = [...parts.join('_')].map((ch) => (ch < ' ' || '\\/:*?"<>|'.includes(ch) ? '-' : ch)).join('');
  const name = `${safe.replace(/-{2,}/g, '-')}.${extension}`;
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
