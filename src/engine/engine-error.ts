/** Why the engine did not answer, in words a user can act on (never a stack trace). */
import type { DockerEndpoint } from './endpoint.js';

export type EngineErrorKind =
  | 'permission'
  | 'no-socket'
  | 'refused'
  | 'timeout'
  | 'unknown-host'
  | 'tls'
  | 'http'
  | 'unsupported'
  | 'context'
  | 'other';

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(VERIFY|GET))/;

export function classifyEngineError(err: unknown, endpoint: DockerEndpoint): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as NodeJS.ErrnoException & { statusCode?: number; json?: { message?: string } };
  const where = endpoint.host;
  const code = e?.code ?? '';
  if (code === 'EACCES' || code === 'EPERM') return new EngineError('permission', `permission denied on ${where}`);
  if (code === 'ENOENT') return new EngineError('no-socket', `no Docker socket at ${where}`);
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return new EngineError('refused', `nothing answers on ${where} (${code})`);
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return new EngineError('timeout', `${where} did not answer in time`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new EngineError('unknown-host', `cannot resolve the host of ${where}`);
  if (TLS_CODES.test(code)) return new EngineError('tls', `TLS handshake with ${where} failed (${code})`);
  if (typeof e?.statusCode === 'number') {
    return new EngineError('http', `${where} answered HTTP ${e.statusCode}${e.json?.message ? `: ${e.json.message}` : ''}`);
  }
  const text = (e?.message ?? String(err)).split('\n')[0];
  return new EngineError('other', `${where}: ${code ? `${code} ` : ''}${text}`);
}
