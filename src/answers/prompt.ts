/** Interactive questions, pre-filled with the current answers. Loaded only on a TTY. */
import { input, password, select } from '@inquirer/prompts';
import { SUPPORTED_TAGS, DEFAULT_TAG } from '../catalog.js';
import { isEmail, isTimeZone, parseUrl } from './validators.js';
import { releaseLimitProblem } from './release-limits.js';

type Obj = Record<string, unknown>;
const get = (o: Obj, path: string): unknown => path.split('.').reduce<unknown>((c, k) => (c && typeof c === 'object' ? (c as Obj)[k] : undefined), o);
function set(o: Obj, path: string, v: unknown): void {
  const keys = path.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) cur = (cur[k] = typeof cur[k] === 'object' && cur[k] ? cur[k] : {}) as Obj;
  cur[keys[keys.length - 1]] = v;
}

export async function promptAnswers(current: Obj): Promise<Obj> {
  const out = structuredClone(current);
  set(out, 'tag', await select({
    message: 'Sentry release',
    choices: SUPPORTED_TAGS.map((t) => ({ value: t, name: t })),
    default: ((get(out, 'tag') as string) ?? DEFAULT_TAG) as (typeof SUPPORTED_TAGS)[number],
  }));
  set(out, 'url', await input({
    message: 'URL users open (https://sentry.example.com)',
    default: get(out, 'url') as string | undefined,
    validate: (v) => parseUrl(v) !== null || 'an http:// or https:// URL with a host name',
  }));
  set(out, 'admin.email', await input({
    message: 'Admin email',
    default: get(out, 'admin.email') as string | undefined,
    validate: (v) => (isEmail(v) ? releaseLimitProblem(get(out, 'tag') as string, 'admin.email', v) ?? true : 'an email address'),
  }));
  if (get(out, 'admin.password') === undefined && get(out, 'admin.passwordFile') === undefined) {
    set(out, 'admin.password', await password({
      message: 'Admin password',
      mask: '*',
      validate: (v) => (v.length > 0 && v.length <= 128) || '1 to 128 characters',
    }));
  }
  set(out, 'timezone', await input({
    message: 'Time zone',
    default: (get(out, 'timezone') as string) ?? 'UTC',
    validate: (v) => isTimeZone(v) || 'an IANA time zone such as Europe/Berlin',
  }));
  const https = (get(out, 'url') as string).startsWith('https:');
  set(out, 'tls.mode', await select({
    message: 'TLS certificate',
    choices: [
      { value: 'self-signed', name: 'self-signed (made now for the URL host)' },
      { value: 'files', name: 'files (my own certificate and key)' },
      ...(https ? [] : [{ value: 'off', name: 'off (plain http)' }]),
    ],
    default: (get(out, 'tls.mode') as string) ?? (https ? 'self-signed' : 'off'),
  }));
  if (get(out, 'tls.mode') === 'files') {
    set(out, 'tls.cert', await input({ message: 'Certificate file (PEM)', default: (get(out, 'tls.cert') as string) ?? './tls/cert.pem' }));
    set(out, 'tls.key', await input({ message: 'Key file (PEM)', default: (get(out, 'tls.key') as string) ?? './tls/key.pem' }));
  }
  set(out, 'mail.host', await input({ message: 'SMTP host', default: (get(out, 'mail.host') as string) ?? 'smtp' }));
  return out;
}
