/**
 * Which VACUUM runs. FULL rewrites each table into a new file before dropping the old one, so it needs
 * free space the size of the table being rewritten (with its indexes and TOAST): with less, PostgreSQL
 * stops with "No space left on device" in the middle, holding an exclusive lock. We refuse it up front
 * and run the online VACUUM (ANALYZE) instead, so the removed rows at least become reusable space.
 */
export type VacuumMode = 'analyze' | 'full' | 'off';
export const VACUUM_MODES: readonly VacuumMode[] = ['analyze', 'full', 'off'];

export interface TableSize {
  name: string;
  bytes: number;
}

export interface VacuumPlan {
  requested: VacuumMode;
  run: VacuumMode;
  /** Why FULL was refused; set only when it was. */
  refused?: string;
  sql?: string;
}

export const VACUUM_SQL: Record<Exclude<VacuumMode, 'off'>, string> = {
  analyze: 'VACUUM (ANALYZE)',
  full: 'VACUUM (FULL, ANALYZE)',
};

/** Why FULL is refused when the free disk is unknown: the bundled server's volume could not be measured. */
export const UNMEASURED = 'the free disk on the database volume could not be measured';
/** An external server reports no free disk (there is no SQL function for it) and the operator stated none. */
export const EXTERNAL_UNKNOWN =
  'the external server does not report its free disk (PostgreSQL has no SQL function for it; a managed server shows it in its provider\'s console only), and --assume-free-disk did not state it';

export function planVacuum(requested: VacuumMode, freeBytes?: number, largest?: TableSize, unknown = UNMEASURED): VacuumPlan {
  if (requested === 'off') return { requested, run: 'off' };
  if (requested === 'analyze') return { requested, run: 'analyze', sql: VACUUM_SQL.analyze };
  if (freeBytes === undefined || !largest) {
    return { requested, run: 'analyze', sql: VACUUM_SQL.analyze, refused: largest ? unknown : UNMEASURED };
  }
  if (freeBytes < largest.bytes) {
    return {
      requested,
      run: 'analyze',
      sql: VACUUM_SQL.analyze,
      refused:
        `VACUUM FULL needs free disk the size of the largest table, ${largest.name} (${formatBytes(largest.bytes)} with indexes), ` +
        `but the database volume has ${formatBytes(freeBytes)} free`,
    };
  }
  return { requested, run: 'full', sql: VACUUM_SQL.full };
}

export function formatBytes(n: number): string {
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${sign}${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
