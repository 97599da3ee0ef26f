/**
 * ZOOKEEPER-3056: ZooKeeper 3.5 (20.7.0's cp-zookeeper 5.5.0) refuses to start when its log directory has
 * transaction logs but its data directory has no snapshot, e.g. after a volume was lost or recreated.
 * The official 20.7.0 installer repairs that state before Snuba's bootstrap; so does this, by starting
 * ZooKeeper once with ZOOKEEPER_SNAPSHOT_TRUST_EMPTY=true until it has written a snapshot.
 */
import type { ComposeRunner } from '../../compose/runner.js';
import { execIn, removeContainer } from './docker.js';
import { UserError, EXIT } from '../errors.js';

const COUNT = 'ls /var/lib/zookeeper/log/version-2 2>/dev/null | grep -c "^log" ; ls /var/lib/zookeeper/data/version-2 2>/dev/null | grep -c "^snapshot"';

function counts(text: string): { logs: number; snapshots: number } {
  const n = text.trim().split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
  return { logs: n[n.length - 2] ?? 0, snapshots: n[n.length - 1] ?? 0 };
}

export async function repairZookeeper(runner: ComposeRunner, out: (l: string) => void): Promise<boolean> {
  const probe = await runner.run(['run', '--rm', '--no-deps', '-T', '--entrypoint', 'sh', 'zookeeper', '-c', COUNT], { okCodes: [1] });
  const { logs, snapshots } = counts(probe.stdout);
  if (!(logs > 0 && snapshots === 0)) return false;
  out(`ZooKeeper has ${logs} transaction log(s) but no snapshot (ZOOKEEPER-3056): starting it once to write one`);
  const started = await runner.run(['run', '-d', '--no-deps', '-e', 'ZOOKEEPER_SNAPSHOT_TRUST_EMPTY=true', 'zookeeper']);
  const id = started.stdout.trim().split('\n').pop()!.trim();
  try {
    for (let i = 0; i < 120; i++) {
      const r = await execIn(id, ['sh', '-c', COUNT]).catch(() => ({ exitCode: 1, output: '' }));
      if (counts(r.output).snapshots > 0) return true;
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new UserError('ZooKeeper wrote no snapshot within 60 s after starting with ZOOKEEPER_SNAPSHOT_TRUST_EMPTY=true', EXIT.failure, 'See `docker compose logs zookeeper`.');
  } finally {
    if (id) await removeContainer(id);
  }
}
