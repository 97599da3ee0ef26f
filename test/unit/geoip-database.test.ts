/** The empty GeoLite2-City database the install writes, opened by a real MaxMind DB reader (mmdb-lib). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from 'mmdb-lib';
import { emptyCityDatabase } from '../../src/install/geoip.js';

test('the empty city database opens, says what it is, and finds no address', () => {
  const reader = new Reader(emptyCityDatabase(1_700_000_000));
  const m = reader.metadata;
  assert.equal(m.binaryFormatMajorVersion, 2);
  assert.equal(m.databaseType, 'GeoLite2-City');
  assert.equal(m.ipVersion, 6);
  assert.equal(m.recordSize, 24);
  assert.equal(m.nodeCount, 1);
  assert.deepEqual(m.languages, ['en']);
  assert.equal(m.buildEpoch.getTime(), 1_700_000_000_000);
  for (const ip of ['8.8.8.8', '192.0.2.1', '2001:db8::1', '::1']) assert.equal(reader.get(ip), null, ip);
});
