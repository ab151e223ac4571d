import fc from 'fast-check';
import { canonicalContent } from '@cdt/event-store';
import { CanonicalWriter } from './canonical-bytes';

// Compared inside an event's digested content, which is where verify uses it: the reference is the
// canonical text the event store digests at append (canonicalJson over JSON.parse of the document).
const AFTER = ',"eventId":"e","metadata":{},"schemaVersion":1,"type":"t"}';

/** The writer's answer for a JSON text: the canonical content around it, or undefined for "not sure". */
const fast = (text: string): string | undefined => {
  const writer = new CanonicalWriter();
  const bytes = Buffer.from(text, 'utf8');
  writer.ascii('{"data":');
  if (!writer.document(bytes, 0, bytes.length)) return undefined;
  writer.ascii(AFTER);
  return writer.out.toString('utf8', 0, writer.length);
};
const reference = (text: string): string => canonicalContent({ eventId: 'e', type: 't', schemaVersion: 1, data: JSON.parse(text) as Record<string, unknown>, metadata: {} as never });

/** How PostgreSQL prints jsonb: keys by length then bytes, ", " and ": " between members. */
const jsonbText = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const keys = Object.keys(value).sort((a, b) => {
    const [x, y] = [Buffer.from(a), Buffer.from(b)];
    return x.length - y.length || Buffer.compare(x, y);
  });
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText((value as Record<string, unknown>)[k])}`).join(', ')}}`;
};

describe('canonical JSON straight from stored bytes', () => {
  it('writes what canonicalJson(JSON.parse(text)) writes, or declines, for any JSON in any layout', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' }), fc.jsonValue({ stringUnit: 'grapheme' })), fc.constantFrom(0, 1, 2), (value, layout) => {
        const text = layout === 0 ? JSON.stringify(value) : layout === 1 ? jsonbText(value) : JSON.stringify(value, null, 2);
        const written = fast(text);
        if (written !== undefined) expect(written).toBe(reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the fast path for the usual event documents, whatever their key order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'grapheme-ascii', minLength: 1 }).filter((k) => !k.includes('\\') && !k.includes('"')), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()))),
        (value) => {
          const text = jsonbText(value);
          expect(fast(text)).toBe(reference(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['Vietnamese text and nested objects, reordered', '{"note": "lượt thăm 0", "skills": ["dvctt", "payment"], "teamId": "t", "nested": {"b": 1, "a": [{"z": true, "y": null}]}}'],
    ['escapes JSON.stringify writes the same way', '{"s": "quote \\" backslash \\\\ tab \\t newline \\n unit \\u001f"}'],
    ['numbers re-printed as ECMAScript does', '{"a": 1.0, "b": 1e2, "c": -0, "d": 0.1, "e": 123456789012345678, "f": -5, "g": 2.50}'],
    ['empty containers', '{"a": {}, "b": [], "c": [[], {}]}'],
    ['keys that sort differently by length and by bytes', '{"b": 1, "aa": 2, "abc": 3, "ab": 4}'],
  ])('%s', (_name, text) => {
    expect(fast(text)).toBe(reference(text));
  });

  it.each([
    ['an escape JSON.stringify would not write', '{"s": "\\u00e9"}'],
    ['an escaped slash', '{"s": "a\\/b"}'],
    ['an escaped key', '{"a\\"b": 1}'],
    ['a duplicate key', '{"a": 1, "a": 2}'],
    ['a key above U+FFFF against one in U+E000–U+FFFF', '{"😀": 1, "\uFFFD": 2}'],
    ['a number too large for a double', '{"n": 1e400}'],
    ['a lone surrogate escape', '{"s": "\\ud800"}'],
    ['broken JSON', '{"a": 1'],
    ['a leading zero', '{"a": 01}'],
    ['trailing text', '{"a": 1} x'],
  ])('declines %s (the slow path decides)', (_name, text) => {
    expect(fast(text)).toBeUndefined();
  });

  it('grows its buffers for large documents', () => {
    const value = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${(i * 7919) % 3000}`, { n: i / 3, s: 'x'.repeat(i % 50) }]));
    const text = jsonbText(value);
    expect(fast(text)).toBe(reference(text));
  });
});
