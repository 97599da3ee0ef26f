/**
 * What ownership is decided from, read from the engine with plain GETs (no dockerode: `check` runs this
 * too). One interface, so the decisions have unit tests with a fake engine.
 */
export const DIR_LABEL = 'io.sentry-onprem.dir';
export const TAG_LABEL = 'io.sentry-onprem.tag';
export const PROJECT_LABEL = 'com.docker.compose.project';
export const WORKING_DIR_LABEL = 'com.docker.compose.project.working_dir';

export interface VolumeFacts {
  name: string;
  labels: Record<string, string>;
}

export interface MountFacts {
  type: string;
  /** volume name (type volume) */
  name?: string;
  /** host path (bind) or the volume's directory */
  source?: string;
}

export interface ContainerFacts {
  id: string;
  name: string;
  running: boolean;
  labels: Record<string, string>;
  imageId: string;
  mounts: MountFacts[];
}

export interface ImageFacts {
  id: string;
  labels: Record<string, string>;
}

export interface OwnershipEngine {
  /** The volumes of these names that exist. */
  volumes(names: readonly string[]): Promise<VolumeFacts[]>;
  /** Every container, in any state. */
  containers(): Promise<ContainerFacts[]>;
  /** The images of these names (`name` is `name:latest`) that exist, in one read. */
  images(names: readonly string[]): Promise<Map<string, ImageFacts>>;
  image(name: string): Promise<ImageFacts | undefined>;
}

type Get = <T>(path: string) => Promise<T>;

interface VolumeList {
  Volumes: Array<{ Name: string; Labels: Record<string, string> | null }> | null;
}

interface ContainerSummary {
  Id: string;
  Names?: string[];
  State: string;
  ImageID: string;
  Labels: Record<string, string> | null;
  Mounts?: Array<{ Type: string; Name?: string; Source?: string }>;
}

/** The reads over any Engine API GET (engine-http's raw reader, or dockerode's modem over ssh). */
export function ownershipEngine(get: Get): OwnershipEngine {
  return {
    async volumes(names) {
      if (!names.length) return [];
      // The name filter matches substrings: keep exact names only.
      const list = await get<VolumeList>(`/volumes?filters=${encodeURIComponent(JSON.stringify({ name: names }))}`);
      return (list.Volumes ?? []).filter((v) => names.includes(v.Name)).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
    },
    async containers() {
      const list = await get<ContainerSummary[]>('/containers/json?all=1');
      return list.map((c) => ({
        id: c.Id,
        name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
        running: c.State === 'running' || c.State === 'restarting' || c.State === 'paused',
        labels: c.Labels ?? {},
        imageId: c.ImageID,
        mounts: (c.Mounts ?? []).map((m) => ({ type: m.Type, name: m.Name, source: m.Source })),
      }));
    },
    async images(names) {
      const out = new Map<string, ImageFacts>();
      if (!names.length) return out;
      // The reference filter matches a name without a tag against every tag of it: pick name:latest.
      const list = await get<Array<{ Id: string; RepoTags?: string[] | null; Labels?: Record<string, string> | null }>>(
        `/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: names }))}`,
      );
      for (const name of names) {
        const ref = name.includes(':') ? name : `${name}:latest`;
        const hit = list.find((i) => (i.RepoTags ?? []).includes(ref));
        if (hit) out.set(name, { id: hit.Id, labels: hit.Labels ?? {} });
      }
      return out;
    },
    async image(name) {
      try {
        const info = await get<{ Id: string; Config?: { Labels?: Record<string, string> | null } }>(`/images/${encodeURIComponent(name)}/json`);
        return { id: info.Id, labels: info.Config?.Labels ?? {} };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    },
  };
}

/** The engine the docker CLI talks to (DOCKER_HOST or the current context). */
export async function realOwnershipEngine(): Promise<OwnershipEngine> {
  const { connectEngine } = await import('../engine/engine.js');
  const { resolveDockerEndpoint } = await import('../engine/endpoint.js');
  const engine = connectEngine(resolveDockerEndpoint(), 60_000);
  return ownershipEngine((path) => engine.get(path));
}
