/** The most staleness a client may ask for: answers older than this are recomputed whatever it sends. */
export const MAX_STALE_CAP_MS = 300_000;

/**
 * How stale an answer the client accepts, from its `Cache-Control` request header (RFC 9111 §5.2.1):
 * `max-stale=N` accepts an answer up to N seconds past the model's checkpoint (bare `max-stale`: up to
 * the cap), served at once, labelled with its own checkpoint, while the current one is computed;
 * `no-cache`, `max-age=0` or no directive: the answer at the model's current checkpoint. A malformed
 * directive is ignored, as a cache would.
 */
export function acceptedStalenessMs(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  const directives = cacheControl.split(',').map((part) => part.trim().toLowerCase());
  if (directives.some((d) => d === 'no-cache' || d === 'no-store' || /^max-age\s*=\s*"?0"?$/.test(d))) return 0;
  let accepted = 0;
  for (const directive of directives) {
    if (directive === 'max-stale') accepted = MAX_STALE_CAP_MS;
    const seconds = /^max-stale\s*=\s*"?(\d{1,9})"?$/.exec(directive);
    if (seconds) accepted = Math.min(MAX_STALE_CAP_MS, Number(seconds[1]) * 1000);
  }
  return accepted;
}
