/** The few Engine API calls the install pipeline makes, behind one module (dockerode loads only here). */
import type Dockerode from 'dockerode';

let client: Dockerode | undefined;

export async function docker(): Promise<Dockerode> {
  if (client) return client;
  const { openDockerode } = await import('../engine/engine.js');
  const { resolveDockerEndpoint } = await import('../engine/endpoint.js');
  // The same endpoint as the docker CLI (DOCKER_HOST or the current context); pulls may take minutes.
  client = await openDockerode(resolveDockerEndpoint(), 15 * 60_000);
  return client;
}

type Get = <T>(path: string) => Promise<T>;
let fastGet: Get | null | undefined;

/**
 * Read-only Engine API calls go through engine-http.ts (one plain GET on the socket, https only for a TLS
 * endpoint): dockerode costs ~140 ms to load, more than a whole no-op re-run should take, so it is loaded
 * only for calls that change something.
 */
async function get(): Promise<Get | null> {
  if (fastGet !== undefined) return fastGet;
  const { httpTarget, getJson } = await import('../engine/engine-http.js');
  const { resolveDockerEndpoint } = await import('../engine/endpoint.js');
  const target = httpTarget(resolveDockerEndpoint());
  fastGet = target ? <T>(path: string) => getJson<T>(target, path, 60_000) : null;
  return fastGet;
}

const notFound = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;

export interface ImageFacts {
  id: string;
  labels: Record<string, string>;
}

export async function inspectImage(name: string): Promise<ImageFacts | undefined> {
  try {
    const g = await get();
    const info = g
      ? await g<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>(`/images/${name}/json`)
      : await (await docker()).getImage(name).inspect();
    return { id: info.Id, labels: (info.Config?.Labels ?? {}) as Record<string, string> };
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

export async function volumeExists(name: string): Promise<boolean> {
  try {
    const g = await get();
    if (g) await g(`/volumes/${encodeURIComponent(name)}`);
    else await (await docker()).getVolume(name).inspect();
    return true;
  } catch (err) {
    if (notFound(err)) return false;
    throw err;
  }
}

export async function createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
  await (await docker()).createVolume({ Name: name, Labels: labels });
}

export interface ServiceContainer {
  id: string;
  service: string;
  state: string;
  oneoff: boolean;
  image: string;
  configHash?: string;
}

export async function projectContainers(project: string): Promise<ServiceContainer[]> {
  const filters = { label: [`com.docker.compose.project=${project}`] };
  const g = await get();
  type Summary = { Id: string; State: string; ImageID: string; Labels: Record<string, string> };
  const list: Summary[] = g
    ? await g<Summary[]>(`/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify(filters))}`)
    : ((await (await docker()).listContainers({ all: true, filters })) as unknown as Summary[]);
  return list.map((c) => ({
    id: c.Id,
    service: c.Labels['com.docker.compose.service'] ?? '',
    state: c.State,
    oneoff: (c.Labels['com.docker.compose.oneoff'] ?? '').toLowerCase() === 'true',
    image: c.ImageID,
    configHash: c.Labels['com.docker.compose.config-hash'],
  }));
}

export async function removeContainer(id: string): Promise<void> {
  try {
    await (await docker()).getContainer(id).remove({ force: true, v: true });
  } catch {
    /* gone already */
  }
}

/** Runs a command in a running container; returns its exit code and output. No shell, no argv secrets. */
export async function execIn(id: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const d = await docker();
  const exec = await d.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const sink = { write: (b: Buffer) => (chunks.push(Buffer.from(b)), true) } as unknown as NodeJS.WritableStream;
    d.modem.demuxStream(stream, sink, sink);
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? 1, output: Buffer.concat(chunks).toString() };
}

export async function containerLogs(id: string, tail = 20): Promise<string> {
  const d = await docker();
  const buf = (await d.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
  return demux(buf);
}

/** Multiplexed log frames (8-byte headers) to text. */
export function demux(buf: Buffer): string {
  const out: string[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len).toString());
    i += 8 + len;
  }
  return out.join('') || buf.toString();
}
