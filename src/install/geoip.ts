/**
 * An empty MaxMind DB (format 2.0): what the official install puts at geoip/GeoLite2-City.mmdb until a
 * GeoIP.conf with a license lets geoipupdate fetch the real one. Written by this code (no download): a
 * one-node IPv6 search tree whose both records mean "not found", the data-section separator, and the
 * metadata map readers look up from the end of the file.
 */

/** Control byte(s) of a field: type (extended types > 7 in a second byte), size (29..284: 29 then one more byte). */
function control(type: number, size: number): Buffer {
  if (size > 284) throw new Error('mmdb: field too long for this writer');
  const small = Math.min(size, 29);
  const head = type <= 7 ? [(type << 5) | small] : [small, type - 7];
  return Buffer.from(size >= 29 ? [...head, size - 29] : head);
}

function uint(type: number, n: number | bigint): Buffer {
  let hex = BigInt(n).toString(16);
  if (hex === '0') hex = '';
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return Buffer.concat([control(type, bytes.length), bytes]);
}

type Value = string | number | bigint | Value[] | { [k: string]: Value };

/** uint16 (5) for small numbers, uint32 (6), uint64 (9) for bigint; utf8 (2), map (7), array (11). */
function encode(v: Value): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof v === 'bigint') return uint(9, v);
  if (typeof v === 'number') return uint(v < 0x10000 ? 5 : 6, v);
  if (Array.isArray(v)) return Buffer.concat([control(11, v.length), ...v.map(encode)]);
  const keys = Object.keys(v);
  return Buffer.concat([control(7, keys.length), ...keys.flatMap((k) => [encode(k), encode(v[k])])]);
}

export const MMDB_METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'ascii')]);

export function emptyCityDatabase(buildEpoch: number): Buffer {
  const nodeCount = 1;
  // 24-bit records; the value nodeCount means "no data for this address".
  const record = Buffer.from([0, 0, nodeCount]);
  const tree = Buffer.concat([record, record]);
  const metadata = encode({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: BigInt(buildEpoch),
    database_type: 'GeoLite2-City',
    description: { en: 'Empty GeoLite2-City database written by sentry-onprem' },
    ip_version: 6,
    languages: ['en'],
    node_count: nodeCount,
    record_size: 24,
  });
  return Buffer.concat([tree, Buffer.alloc(16), MMDB_METADATA_MARKER, metadata]);
}
