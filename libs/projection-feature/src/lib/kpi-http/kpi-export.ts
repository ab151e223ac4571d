import type { Cell, ExportTable } from '@cdt/platform';
import type { Indicator, IndicatorValue, Level, View } from '@cdt/domain-kpi';
import type { ChildrenReport, UnitReport, Watermark } from './kpi-reader';

/**
 * CSV and XLSX exports of the unit and drill-down answers, for the spreadsheets provinces send up:
 * Vietnamese column headers, one row per figure, the read model's log position on every row so a
 * figure in a forwarded file can still be traced to the ledger.
 */

export {
  CSV_CONTENT_TYPE,
  EXPORT_FORMATS,
  XLSX_CONTENT_TYPE,
  contentDisposition,
  negotiateFormat,
  toCsv,
  toXlsx,
  type Cell,
  type ExportFormat,
  type ExportTable,
} from '@cdt/platform';

const LEVEL_VI: Readonly<Record<Level, string>> = { team: 'Tổ', village: 'Thôn', commune: 'Xã', district: 'Huyện', province: 'Tỉnh', nation: 'Toàn quốc' };
const VIEW_VI: Readonly<Record<View, string>> = { 'as-recorded': 'Theo đơn vị khi ghi nhận', current: 'Theo đơn vị hiện nay' };
const UNIT_VI: Readonly<Record<Indicator['unit'], string>> = {
  visits: 'lượt',
  households: 'hộ',
  people: 'người',
  enrollments: 'lượt',
  completions: 'lượt',
  installs: 'lượt',
  assists: 'lượt',
  teams: 'tổ',
  members: 'người',
  communes: 'xã',
  villages: 'thôn',
  ratio: '%',
};

/** Ratios are fractions in JSON; a spreadsheet reader expects the percentage. */
const shown = (unit: Indicator['unit'], value: number | null | undefined): Cell => {
  if (value === null || value === undefined) return null;
  return unit === 'ratio' ? Math.round(value * 1000) / 10 : value;
};

export const checkpointText = (watermark: Watermark): string =>
  watermark.checkpoint === null ? '' : `${watermark.checkpoint.transactionId}/${watermark.checkpoint.globalPosition}`;

const aboutRows = (report: { level: Level; unitCode: string; unitName: string; view: View; period: string; watermark: Watermark }): [string, string][] => [
  ['Đơn vị', `${LEVEL_VI[report.level]} ${report.unitName} (${report.unitCode})`],
  ['Kỳ', report.period],
  ['Góc nhìn', `${VIEW_VI[report.view]} (${report.view})`],
  ['Vị trí sổ cái (transactionId/globalPosition)', checkpointText(report.watermark) || 'chưa có dữ liệu'],
];

export const UNIT_HEADERS = ['Mã đơn vị', 'Tên đơn vị', 'Cấp', 'Kỳ', 'Góc nhìn', 'Mã chỉ tiêu', 'Chỉ tiêu', 'Đơn vị tính', 'Giá trị', 'Kế hoạch', 'Tỷ lệ đạt (%)', 'Vị trí sổ cái'] as const;

export function unitTable(report: UnitReport): ExportTable {
  const position = checkpointText(report.watermark);
  const row = (value: IndicatorValue): Cell[] => [
    report.unitCode,
    report.unitName,
    LEVEL_VI[report.level],
    report.period,
    VIEW_VI[report.view],
    value.code,
    value.nameVi,
    UNIT_VI[value.unit],
    shown(value.unit, value.value),
    shown(value.unit, value.target),
    value.attainmentPct ?? null,
    position,
  ];
  return { sheetName: 'Chỉ tiêu', headers: UNIT_HEADERS, rows: report.indicators.map(row), about: aboutRows(report) };
}

export const CHILDREN_HEADERS = ['Hạng', 'Mã đơn vị', 'Tên đơn vị', 'Cấp', 'Kỳ', 'Góc nhìn', 'Mã chỉ tiêu', 'Chỉ tiêu', 'Đơn vị tính', 'Giá trị', 'Kế hoạch', 'Tỷ lệ đạt (%)', 'Vị trí sổ cái'] as const;

export function childrenTable(report: ChildrenReport): ExportTable {
  const position = checkpointText(report.watermark);
  const { indicator } = report;
  const rows = report.children.map((child): Cell[] => [
    child.rank,
    child.unitCode,
    child.unitName,
    LEVEL_VI[child.level],
    report.period,
    VIEW_VI[report.view],
    indicator.code,
    indicator.nameVi,
    UNIT_VI[indicator.unit],
    shown(indicator.unit, child.value),
    shown(indicator.unit, child.target),
    child.attainmentPct ?? null,
    position,
  ]);
  return { sheetName: 'Xếp hạng', headers: CHILDREN_HEADERS, rows, about: [...aboutRows(report), ['Chỉ tiêu xếp hạng', `${indicator.nameVi} (${indicator.code})`]] };
}

