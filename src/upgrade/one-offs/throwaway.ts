/** A one-off container on the install's data (volumes or bind directories): runs a script as root, then goes. */
import { untimedDocker as docker } from '../../backup/untimed-docker.js';
import { demux } from '../../install/docker.js';
import { buildView } from '../../render/view.js';
import type { Answers } from '../../answers/schema.js';
import { isPostgresSource, refuseSecondPostgres } from '../../ownership/postgres-guard.js';

/** What a data volume is mounted from: its name, or its directory with storage.mode bind. */
export function dataSource(a: Answers, installDir: string, volume: string): string {
  return a.storage.mode === 'volumes' ? volume : `${buildView(a, 'x', installDir).dataDir}/${volume}`;
}

export interface ThrowawayResult {
  exitCode: number;
  output: string;
}

export async function runThrowaway(opts: { image: string; binds: string[]; script?: string; label: string }): Promise<ThrowawayResult> {
  // A one-off on PostgreSQL's data (pg_upgrade, copies): nothing may be running on that data.
  for (const source of opts.binds.map((b) => b.split(':')[0]).filter(isPostgresSource)) await refuseSecondPostgres({ source });
  const d = await docker();
  const container = await d.createContainer({
    Image: opts.image,
    ...(opts.script !== undefined ? { Entrypoint: ['sh', '-c'], Cmd: [opts.script], User: '0:0' } : {}),
    Labels: { 'io.sentry-onprem.one-off': opts.label },
    HostConfig: { Binds: opts.binds },
  });
  try {
    await container.start();
    const waited = (await container.wait()) as { StatusCode: number };
    const buf = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { exitCode: waited.StatusCode, output: demux(buf) };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}
