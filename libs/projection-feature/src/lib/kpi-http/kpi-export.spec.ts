import { contentDisposition, negotiateFormat, toCsv, unitTable, type ExportTable } from './kpi-export';
import type { UnitReport } from './kpi-reader';

const table = (rows: ExportTable['rows']): ExportTable => ({ sheetName: 's', headers: ['Mã', 'Tên'], rows, about: [] });

describe('KPI exports', () => {
  it('chooses the format: ?format= first, then Accept by quality, JSON by default', () => {
    expect(negotiateFormat('xlsx', 'text/csv')).toBe('xlsx');
    expect(negotiateFormat(undefined, 'text/csv')).toBe('csv');
    expect(negotiateFormat(undefined, 'application/json, text/csv')).toBe('json');
    expect(negotiateFormat(undefined, 'application/json;q=0.5, text/csv')).toBe('csv');
    expect(negotiateFormat(undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('xlsx');
    expect(negotiateFormat(undefined, 'text/csv;q=0, */*')).toBe('json');
    expect(negotiateFormat(undefined, undefined)).toBe('json');
  });

  it('writes RFC 4180 CSV in UTF-8 with a BOM, quoting what needs it and defusing formulas', () => {
    const csv = toCsv(table([['82', 'Ấp "Mới", Tân Hòa'], ['=HYPERLINK("x")', null], [-1, 'x\r\ny']]));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8').slice(1)).toBe('Mã,Tên\r\n82,"Ấp ""Mới"", Tân Hòa"\r\n"\'=HYPERLINK(""x"")",\r\n-1,"x\r\ny"\r\n');
  });

  it('shows ratios as percentages and leaves missing targets empty', () => {
    const report: UnitReport = {
      level: 'commune',
      unitCode: '28249',
      unitName: 'Phường Đạo Thạnh',
      view: 'current',
      period: '2026',
      periodKind: 'year',
      firstDay: '2026-01-01',
      lastDay: '2026-12-31',
      watermark: { checkpoint: { transactionId: '9', globalPosition: '12' }, exact: true, stale: false },
      indicators: [
        { code: 'youth-union-share', nameVi: 'Tỷ lệ đoàn viên thanh niên trong tổ', nameEn: 'Youth-union share of members', unit: 'ratio', value: 1 / 3, numerator: 1, denominator: 3 },
        { code: 'app-installs', nameVi: 'Lượt hỗ trợ cài đặt ứng dụng', nameEn: 'App-install assists', unit: 'installs', value: 6800, target: 4800, attainmentPct: 141.7 },
      ],
    };
    const rows = unitTable(report).rows;
    expect(rows[0].slice(7)).toEqual(['%', 33.3, null, null, '9/12']);
    expect(rows[1].slice(2, 12)).toEqual(['Xã', '2026', 'Theo đơn vị hiện nay', 'app-installs', 'Lượt hỗ trợ cài đặt ứng dụng', 'lượt', 6800, 4800, 141.7, '9/12']);
  });

  it('names the file in ASCII and, exactly, in UTF-8', () => {
    expect(contentDisposition(['kpi', 'village', '28249/Ấp Tân Hòa', '2026-11'], 'csv')).toBe(
      `attachment; filename="kpi_village_28249-Ap-Tan-Hoa_2026-11.csv"; filename*=UTF-8''${encodeURIComponent('kpi_village_28249-Ấp Tân Hòa_2026-11.csv')}`,
    );
  });
});
