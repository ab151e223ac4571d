import type { ExportTable } from '@cdt/platform';
import type { UnitResult } from '@cdt/domain-scoring';
import type { RankingView } from './ranking-view';

/**
 * A ranking as CSV or XLSX with Vietnamese headers: one row per unit, its total, eligibility, award
 * tier and, per criterion, the measured value and the points; a second sheet says which run, criteria
 * version, checksum and log position the file comes from.
 */

type Cell = ExportTable['rows'][number][number];

const STATUS_VI = { draft: 'Bản nháp (chưa phê duyệt)', published: 'Đã phê duyệt, công bố', superseded: 'Đã được thay thế' } as const;

export function rankingTable(view: RankingView): ExportTable {
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
  return { sheetName: 'Xếp hạng', headers, rows: view.results.map(row), about };
}
