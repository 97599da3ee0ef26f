/** docker-daemon: the engine answers on the socket the user's docker CLI uses. */
import type { EngineErrorKind } from '../src/engine/engine-error.js';
import type { Check } from './types.js';

const REMEDY: Record<EngineErrorKind, string> = {
  permission: 'Add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root.',
  'no-socket': 'Start the Docker engine (e.g. sudo systemctl start docker), or point DOCKER_HOST or the docker context at a running one.',
  refused: 'Start the Docker engine (e.g. sudo systemctl start docker); nothing listens on that address.',
  timeout: 'Check that the engine in DOCKER_HOST or the docker context is up and reachable from this host.',
  'unknown-host': 'Fix the host name in DOCKER_HOST or the docker context.',
  tls: 'Use the TLS files that belong to this engine (DOCKER_CERT_PATH, or the docker context).',
  http: 'Point DOCKER_HOST or the docker context at a Docker engine API endpoint.',
  unsupported: 'Set DOCKER_HOST to a unix://, tcp:// or ssh:// address (or select a docker context).',
  context: 'Select an existing docker context (docker context ls; docker context use default) or unset DOCKER_CONTEXT.',
  other: 'Point DOCKER_HOST or the docker context at a running Docker engine.',
};

export const dockerDaemonCheck: Check = {
  id: 'docker-daemon',
  title: 'Docker engine answers',
  async run(ctx) {
    const probe = await ctx.engine();
    const where = ctx.endpoint ? `${ctx.endpoint.host} (${ctx.endpoint.source})` : 'the selected endpoint';
    const required = 'a Docker engine on the endpoint the docker CLI uses';
    const data = { host: ctx.endpoint?.host ?? null, source: ctx.endpoint?.source ?? null };
    if (probe.ok) {
      return { status: 'pass', found: `engine ${probe.facts.info.ServerVersion ?? '(version not given)'} on ${where}`, required, remedy: null, data };
    }
    const { kind, message } = probe.error;
    return { status: 'fail', found: `${message}${ctx.endpoint ? ` (endpoint from ${ctx.endpoint.source})` : ''}`, required, remedy: REMEDY[kind], data: { ...data, error: kind } };
  },
};
