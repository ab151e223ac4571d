import { MAX_STALE_CAP_MS, acceptedStalenessMs } from './kpi-freshness';

describe('acceptedStalenessMs (Cache-Control of a KPI request)', () => {
  it.each([
    [undefined, 0],
    ['', 0],
    ['max-stale=5', 5_000],
    ['Max-Stale = 12', 12_000],
    ['max-stale="7"', 7_000],
    ['max-stale', MAX_STALE_CAP_MS],
    ['max-stale=99999', MAX_STALE_CAP_MS],
    ['no-cache', 0],
    ['max-stale=5, no-cache', 0],
    ['max-age=0, max-stale=5', 0],
    ['max-age=60, max-stale=5', 5_000],
    ['no-store', 0],
    ['max-stale=-3', 0],
    ['max-stale=abc', 0],
    ['private, max-stale=2', 2_000],
  ])('%p accepts %p ms', (header, expected) => {
    expect(acceptedStalenessMs(header)).toBe(expected);
  });
});
