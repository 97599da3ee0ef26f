/** What a cleanup prints: a few lines for people (and the log), or one JSON object with --json. */
import { formatBytes } from './vacuum-plan.js';
import type { CleanupResult } from './run-cleanup.js';

export function summaryLines(r: CleanupResult): string[] {
  const s = r.sentryCleanup;
  const tables = Object.entries(r.rowsRemovedByTable).sort((a, b) => b[1] - a[1]);
  const v = r.vacuum;
  return [
    s.ran
      ? `sentry cleanup --days ${s.days}: ${r.rowsRemoved} rows removed${tables.length ? ` (${tables.map(([t, n]) => `${t} ${n}`).join(', ')})` : ''} in ${s.seconds} s`
      : `sentry cleanup: skipped, ${s.skipped}`,
    v.run === 'off'
      ? 'vacuum: off'
      : `vacuum: ${v.sql} in ${v.seconds} s${v.refused ? ` (FULL refused: ${v.refused})` : ''}`,
    `database size: ${formatBytes(r.database.bytesBefore)} before, ${formatBytes(r.database.bytesAfter)} after, ${formatBytes(r.database.bytesFreed)} freed`,
    r.filesystem.freeBytesBefore === null || r.filesystem.freeBytesAfter === null
      ? `free disk on the database server: not reported by the external server${r.database.external ? ` ${r.database.external}` : ''}${v.freeBytesAssumed && v.freeBytesUsed !== undefined ? ` (${formatBytes(v.freeBytesUsed)} assumed with --assume-free-disk)` : ''}`
      : `free disk on the database volume: ${formatBytes(r.filesystem.freeBytesBefore)} before, ${formatBytes(r.filesystem.freeBytesAfter)} after`,
    `cleanup took ${r.seconds} s`,
  ];
}
