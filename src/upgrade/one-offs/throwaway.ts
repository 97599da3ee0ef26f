/** A one-off container on the install's data (volumes or bind directories): runs a script as root, then goes. */
import { untimedDocker as docker } from '../../backup/untimed-docker.js';
import { buildView } from '../../render/view.js';
import type { Answers } from '../../answers/schema.js';

/** What a data volume is mounted from: its name, or its directory with storage.mode bind. */
export function dataSource(a: Answers, installDir: string, volume: string): string {
  return a.storage.mode === 'volumes' ? volume : `${buildView(a, 'x', installDir).dataDir}/${volume}`;
}

export interface ThrowawayResult {
  exitCode: number;
  output: string;
}

export async function runThrowaway(opts: { image: string; binds: string[]; script?: string; label: string }): Promise<ThrowawayResult> {
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

/** Multiplexed log frames (8-byte headers) to text. */
function demux(buf: Buffer): string {
  const out: string[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len).toString());
    i += 8 + len;
  }
  return out.join('') || buf.toString();
}
