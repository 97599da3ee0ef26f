/**
 * How long each kind of upgrade step took when it was measured, as data: the dry run's downtime estimate per
 * hop adds the steps between stopping the old release and the new one answering. Stand-in images migrate a
 * small seeded database in seconds; a real Sentry's migrations take minutes to hours on a large database, so
 * the estimate is a floor, and the output says what it was measured on.
 */
import type { BootstrapAction, OneOffId } from '../releases/index.js';

export interface StepTimes {
  /** Where and how the numbers were measured, printed with every estimate. */
  measuredOn: string;
  /** Seconds per step kind. */
  stop: number;
  volumes: number;
  /** One bootstrap action (the bootstrap step's time divided by its actions). */
  bootstrapAction: number;
  migrations: number;
  superuser: number;
  /** `up -d` and the wait for health. */
  up: number;
  oneOffs: Partial<Record<OneOffId, number>>;
}

/**
 * Measured by test/e2e/upgrade.test.ts, "the upgrade" (9.1.2 -> 20.7.0 on seeded data: users, five events, a
 * stored file; compose v2) on the test engine, 2 CPUs shared with other work, stand-in images, 2026-12-06. Its
 * step lines: stop 1.9 s, create volumes 0.0 s (they existed), move stored files 0.9 s, bootstrap (snuba
 * bootstrap, relay credentials) 10.5 s, migrations 16.3 s, admin 0.0 s (exists), start and health 11.8 s. A second
 * run while another end-to-end suite loaded the engine: 2.6, 0.0, 1.4, 13.7, 19.0, 0.0 and 15.2 s.
 * The PostgreSQL 9.5 -> 9.6 step only read PG_VERSION there (the stand-in's data directory is no 9.5 one), so
 * the conversion itself is not measured and is reported as such.
 * The 24.8.0 one-offs: test/e2e/upgrade-road-b.test.ts (23.6.2 -> 23.11.0 -> 24.8.0, 2026-12-07): ClickHouse
 * 21.8 -> 22.8 -> 23.3 with the copy for the undo 9.9 s, the Kafka copy and emptying 2.4 s (stand-in data of a few kB).
 */
export const MEASURED: StepTimes = {
  measuredOn: 'the 9.1.2 -> 20.7.0 upgrade end-to-end test (stand-in images, a seeded 9 MB database, 2 shared CPUs, 2026-12-06)',
  stop: 1.9,
  volumes: 0.0,
  bootstrapAction: 10.5 / 2,
  migrations: 16.3,
  superuser: 0.0,
  up: 11.8,
  // The 21.x/23.6.2 one-offs: test/e2e/upgrade-road-a.test.ts (41 MB PostgreSQL data directory), 2026-12-07;
  // ClickHouse and KRaft: test/e2e/upgrade-road-b.test.ts, 2026-12-07.
  oneOffs: { 'file-storage-to-data-files': 0.9, 'postgres-9.6-to-14': 11.4, 'zookeeper-log-volume': 0.6, 'tsdb-switchover': 0.0, 'clickhouse-21.8-to-23.3': 9.9, 'kafka-zookeeper-to-kraft': 2.4 },
};

export interface DowntimeEstimate {
  seconds: number;
  /** Steps of the hop with no measured time (one-off work not implemented yet). */
  unmeasured: string[];
}

/** Old release stopped -> new release healthy: the steps of run-hop.ts in between. */
export function estimateDowntime(o: { oneOffs: OneOffId[]; unimplemented: string[]; bootstrap: BootstrapAction[] }, t: StepTimes = MEASURED): DowntimeEstimate {
  const unmeasured: string[] = [...o.unimplemented];
  let s = t.stop + t.volumes + t.bootstrapAction * o.bootstrap.length + t.migrations + t.superuser + t.up;
  for (const id of o.oneOffs) {
    const v = t.oneOffs[id];
    if (v === undefined) unmeasured.push(id);
    else s += v;
  }
  return { seconds: s, unmeasured };
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  return m < 90 ? `${m} min` : `${(seconds / 3600).toFixed(1)} h`;
}
