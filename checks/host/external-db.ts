/**
 * The probe of the `external-db` check: a one-off container of the release's Sentry image (python, psycopg2) on
 * the install's compose network (the default bridge before the first `up` made it), so name resolution, routes
 * and TLS are what Sentry's containers will see. The settings go in on stdin, passwords included: never argv,
 * never the container's environment (`docker inspect` shows neither). The CA file is mounted read-only.
 */
import { EXTERNAL_DB_PROBE_PY } from './external-db-probe-py.js';

export interface ExternalDbTarget {
  postgres?: { host: string; port: number; database: string; user: string; password: string; sslmode: string; caFile?: string };
  redis?: { host: string; port: number; db: number; password?: string };
  /** An image with python and psycopg2: the release's Sentry image (pulled when missing). */
  image: string;
  /** The install's compose network, used when it exists. */
  network: string;
}

export interface PostgresProbe {
  stage: 'ok' | 'resolve' | 'client' | 'connect' | 'query';
  error?: string;
  versionNum?: number;
  ssl?: boolean;
  schema?: string | null;
  user?: string;
  canCreate?: boolean;
  tables?: string[];
}

export interface RedisProbe {
  stage: 'ok' | 'resolve' | 'connect' | 'auth' | 'select' | 'ping' | 'info';
  error?: string;
  pong?: string;
  role?: string;
  readOnly?: string;
}

export type ExternalDbProbe =
  | { ok: true; network: string; image: string; postgres?: PostgresProbe; redis?: RedisProbe }
  | { ok: false; network: string; image: string; error: string };

const CA_TARGET = '/run/sentry-onprem-check/ca.pem';
const MARK = 'SENTRY-ONPREM-PROBE ';

export async function probeExternalDb(t: ExternalDbTarget): Promise<ExternalDbProbe> {
  const { docker, inspectImage, demux } = await import('../../src/install/docker.js');
  const d = await docker();
  let network = 'bridge';
  try {
    await d.getNetwork(t.network).inspect();
    network = t.network;
  } catch {
    /* not made yet (first install): the default bridge resolves and routes external names the same way */
  }
  const fail = (error: string): ExternalDbProbe => ({ ok: false, network, image: t.image, error });
  if (!(await inspectImage(t.image))) {
    const { pull } = await import('../../src/install/pull.js');
    try {
      await pull(t.image, () => undefined);
    } catch (err) {
      return fail(`the probe image ${t.image} is missing and could not be pulled: ${(err as Error).message}`);
    }
  }
  const input = JSON.stringify({
    postgres: t.postgres && { ...t.postgres, caFile: undefined, sslrootcert: t.postgres.caFile ? CA_TARGET : undefined },
    redis: t.redis,
  });
  const container = await d.createContainer({
    Image: t.image,
    Entrypoint: ['sh', '-c', 'P=$(command -v python3 || command -v python) && exec "$P" -c "$0"'],
    Cmd: [EXTERNAL_DB_PROBE_PY],
    User: '0:0',
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    Labels: { 'io.sentry-onprem.one-off': 'external-db-check' },
    HostConfig: { NetworkMode: network, Binds: t.postgres?.caFile ? [`${t.postgres.caFile}:${CA_TARGET}:ro`] : [] },
  });
  try {
    const stream = await container.attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true });
    await container.start();
    await new Promise<void>((resolve) => stream.end(input + '\n', () => resolve()));
    const waited = (await container.wait()) as { StatusCode: number };
    const output = demux((await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
    const line = output.split('\n').find((l) => l.startsWith(MARK));
    if (!line) return fail(`the probe in ${t.image} exited ${waited.StatusCode} without a result: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    return { ok: true, network, image: t.image, ...(JSON.parse(line.slice(MARK.length)) as { postgres?: PostgresProbe; redis?: RedisProbe }) };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}
