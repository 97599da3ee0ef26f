/** The typed view-model the templates see. All decisions are made here; templates only place values. */
import { resolve, relative, isAbsolute } from 'node:path';
import type { Answers } from '../answers/schema.js';
import { requirementName, parseUrl } from '../answers/validators.js';
import { RELEASES } from '../catalog.js';
import { imageEnv, imagesFor, type ImageSet } from './images.js';
import { requirementLine } from './escape.js';
import { availableParallelism } from 'node:os';
import type { ExternalPasswords } from '../answers/external.js';

export interface View {
  tag: string;
  /** nginx routes ingestion to Relay. */
  relay: boolean;
  projectName: string;
  url: string;
  urlHost: string;
  /** scheme://host[:port] of the url: the origin browsers send (CSRF_TRUSTED_ORIGINS). */
  origin: string;
  /** host[:port] of the url: what Django before 4.0 compares the Referer with (CSRF_TRUSTED_ORIGINS). */
  originHost: string;
  https: boolean;
  httpsAuthority: string;
  secretKey: string;
  secretKeyInConfig: boolean;
  /** `.env` variables of the official release for its images. */
  imageEnv: Array<{ name: string; value: string }>;
  /** Further `.env` variables of the official release (healthcheck timings, ...). */
  releaseEnv: Array<{ name: string; value: string }>;
  mail: Omit<Answers['mail'], 'backend' | 'from'> & { backend: string; from: string };
  timezone: string;
  web: { workers: number; bufferSize: number };
  tls: { enabled: boolean; certSource: string; keySource: string };
  ports: Answers['ports'];
  requirements: string[];
  /** Installing from a bundle: pip installs only the wheels it carries (sentry/wheels), never from an index. */
  offlineWheels: boolean;
  /** The TSDB switchover an upgrade from 9.x decided (.sentry-onprem/tsdb-switchover.json): its sentry.conf.py lines. */
  tsdbOptions?: string;
  ldap: Answers['ldap'] & { groupTypeClass: string };
  retention: Answers['retention'];
  images: ImageSet;
  volumesMode: boolean;
  dataDir: string;
  /** `COMPOSE_PROFILES` (empty for releases without profiles) and whether it is the full stack. */
  profile: string;
  featureComplete: boolean;
  /** The release's own lists for its templates (src/releases: templateData). */
  data: Record<string, unknown>;
  /** The release's generated shared secrets, by name. */
  secrets: Record<string, string>;
  /** External PostgreSQL / Redis of the answers (false: the release's own services). */
  external: ExternalView;
  /** The external Redis's password and URL go into .env for Snuba and the uptime checker (releases with Snuba). */
  snubaRedis: boolean;
}

/** Where the CA certificate of an external PostgreSQL is mounted read-only in the Sentry containers. */
export const POSTGRES_CA_TARGET = '/etc/sentry-onprem/postgres-ca.pem';

export interface ExternalView {
  /** true when either server is external. */
  any: boolean;
  postgres: false | { host: string; port: number; database: string; user: string; password: string; sslmode: string };
  /** The CA file mount of the verify modes (source: as the compose file names it). */
  postgresCa: false | { source: string; target: string };
  redis: false | { host: string; port: number; db: number; password: string; url: string };
}

/** Only letters and digits stay as they are: the URL lands in .env and YAML too. */
const urlPart = (s: string) => s.replace(/[^A-Za-z0-9]/g, (c) => [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''));

export function externalView(a: Answers, installDir: string, passwords: ExternalPasswords): ExternalView {
  const pg = a.postgres?.external;
  const rd = a.redis?.external;
  const hostPart = (h: string) => (h.includes(':') ? `[${h}]` : h);
  return {
    any: Boolean(pg || rd),
    postgres: pg ? { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: passwords.postgres ?? '', sslmode: pg.sslmode } : false,
    postgresCa: pg && pg.caFile !== undefined ? { source: composePath(installDir, pg.caFile), target: POSTGRES_CA_TARGET } : false,
    redis: rd
      ? {
          host: rd.host,
          port: rd.port,
          db: rd.db,
          password: passwords.redis ?? '',
          url: `redis://${passwords.redis ? `:${urlPart(passwords.redis)}@` : ''}${hostPart(rd.host)}:${rd.port}/${rd.db}`,
        }
      : false,
  };
}

const GROUP_TYPES: Record<Answers['ldap']['groupType'], string> = {
  groupOfUniqueNames: 'GroupOfUniqueNamesType',
  groupOfNames: 'GroupOfNamesType',
  posixGroup: 'PosixGroupType',
  activeDirectory: 'ActiveDirectoryGroupType',
};

/** The Compose profile the install runs: the answer, else the release's default; empty without profiles. */
export function profileOf(a: Answers): string {
  const p = RELEASES[a.tag].profiles;
  return p ? (a.profile ?? p.default) : '';
}

/** Paths in the compose file: relative to the install dir when inside it (the file stays portable). */
export function composePath(installDir: string, p: string): string {
  const abs = resolve(installDir, p);
  const rel = relative(installDir, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? `./${rel}` : abs;
}

export function buildView(
  a: Answers,
  secretKey: string,
  installDir: string,
  generated: Record<string, string> = {},
  opts: { offlineWheels?: boolean; passwords?: ExternalPasswords; tsdbOptions?: string } = {},
): View {
  const url = parseUrl(a.url)!;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const release = RELEASES[a.tag];
  const requirements = a.plugins.map(requirementLine);
  const names = new Set(a.plugins.map(requirementName));
  const need = (req: string) => {
    if (!names.has(requirementName(req))) requirements.push(req);
  };
  for (const r of release.sentryRequirements ?? []) need(r);
  if (a.mail.useSsl) need('django-smtp-ssl~=1.0');
  if (a.ldap.enabled) {
    need('sentry-ldap-auth==2.9.0');
    need('python-ldap==3.3.1');
  }
  const tlsEnabled = a.tls.mode !== 'off';
  const selfSigned = a.tls.mode === 'self-signed';
  return {
    tag: a.tag,
    relay: release.components.relay,
    projectName: release.projectName,
    url: a.url.replace(/\/+$/, ''),
    urlHost: host,
    origin: url.origin,
    originHost: url.host,
    https: url.protocol === 'https:',
    httpsAuthority: a.ports.https === 443 ? url.hostname : `${url.hostname}:${a.ports.https}`,
    secretKey,
    secretKeyInConfig: release.secretKeyIn === 'config',
    imageEnv: imageEnv(a.tag, a.images),
    releaseEnv: release.env ?? [],
    mail: {
      ...a.mail,
      backend: a.mail.backend === 'dummy' ? 'dummy' : a.mail.useSsl ? 'django_smtp_ssl.SSLEmailBackend' : 'smtp',
      from: a.mail.from ?? `sentry@${host}`,
    },
    timezone: a.timezone,
    web: { workers: a.web.workers ?? availableParallelism(), bufferSize: a.web.bufferSize },
    tls: {
      enabled: tlsEnabled,
      certSource: composePath(installDir, selfSigned ? './tls/cert.pem' : a.tls.cert),
      keySource: composePath(installDir, selfSigned ? './tls/key.pem' : a.tls.key),
    },
    ports: a.ports,
    // Offline, a requirement by URL (`name @ https://...`) is the wheel of that name the bundle carries.
    requirements: opts.offlineWheels ? requirements.map((r) => (/^\S+\s*@\s*\S+:\/\//.test(r) ? requirementName(r) : r)) : requirements,
    offlineWheels: Boolean(opts.offlineWheels),
    tsdbOptions: opts.tsdbOptions,
    ldap: { ...a.ldap, groupTypeClass: GROUP_TYPES[a.ldap.groupType] },
    retention: a.retention,
    images: imagesFor(a.tag, a.images),
    volumesMode: a.storage.mode === 'volumes',
    dataDir: resolve(installDir, a.storage.dataDir),
    profile: profileOf(a),
    featureComplete: profileOf(a) === 'feature-complete',
    data: release.templateData ?? {},
    secrets: Object.fromEntries((release.generatedSecrets ?? []).map((n) => [n, generated[n] ?? ''])),
    external: externalView(a, installDir, opts.passwords ?? {}),
    snubaRedis: Boolean(a.redis?.external) && release.components.snuba,
  };
}
