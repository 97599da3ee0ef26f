/**
 * An Engine API client without the shared client's 15-minute idle timeout, for calls that may be silent
 * for longer: pg_restore building the indexes of a large table, waiting for pg_upgrade to finish.
 */
import type Dockerode from 'dockerode';

let client: Dockerode | undefined;

export async function untimedDocker(): Promise<Dockerode> {
  if (client) return client;
  const { openDockerode } = await import('../engine/engine.js');
  const { resolveDockerEndpoint } = await import('../engine/endpoint.js');
  client = await openDockerode(resolveDockerEndpoint(), 0);
  return client;
}
