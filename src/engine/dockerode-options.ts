/** dockerode constructor options for a resolved endpoint (the same one the checks use). */
import { readFileSync } from 'node:fs';
import type { DockerOptions } from 'dockerode';
import type { DockerEndpoint } from './endpoint.js';
import { httpTarget } from './engine-http.js';

export function dockerodeOptions(endpoint: DockerEndpoint): DockerOptions {
  const target = httpTarget(endpoint);
  if (target?.kind === 'socket') return { socketPath: target.socketPath };
  if (target?.kind === 'tcp') {
    if (!target.tls) return { protocol: 'http', host: target.hostname, port: target.port };
    const read = (f?: string) => (f ? readFileSync(f) : undefined);
    return {
      protocol: 'https',
      host: target.hostname,
      port: target.port,
      ca: read(endpoint.tls?.ca),
      cert: read(endpoint.tls?.cert),
      key: read(endpoint.tls?.key),
    };
  }
  // ssh://[user@]host[:port]: docker-modem runs `docker system dial-stdio` over ssh2, as the CLI does.
  const url = new URL(endpoint.host);
  return {
    protocol: 'ssh',
    host: url.hostname,
    port: url.port ? Number(url.port) : 22,
    username: url.username || undefined,
    sshOptions: { agent: process.env.SSH_AUTH_SOCK },
  } as DockerOptions;
}
