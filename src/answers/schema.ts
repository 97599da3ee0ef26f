/**
 * The answers: one schema filled by a YAML file, command-line flags and prompts.
 * Every field has a default except the ones an install cannot guess (url, admin).
 */
import { z } from 'zod';
import { SUPPORTED_TAGS, DEFAULT_TAG } from '../catalog.js';
import {
  isCronSchedule,
  isEmail,
  isHostName,
  isLdapUri,
  isLdapUserFilter,
  isPipRequirement,
  isRegistryHost,
  isRegistryPrefix,
  isTimeZone,
  noControlChars,
  parseUrl,
} from './validators.js';

const text = (expected = 'text without control characters') =>
  z.string({ message: expected }).refine(noControlChars, { message: expected });
const port = z
  .number({ message: 'a port number from 1 to 65535' })
  .int({ message: 'a port number from 1 to 65535' })
  .min(1, { message: 'a port number from 1 to 65535' })
  .max(65535, { message: 'a port number from 1 to 65535' });
const positiveInt = (expected: string, max = 1_000_000) =>
  z.number({ message: expected }).int({ message: expected }).min(1, { message: expected }).max(max, { message: expected });
const email = z.string({ message: 'an email address (name@domain)' }).refine((s) => noControlChars(s) && isEmail(s), {
  message: 'an email address (name@domain)',
});
const path = text('a file path');

/**
 * Characters a Redis password may have: it reaches Snuba through .env, which Compose v1 and v2 read alike only for
 * these, and Sentry's broker URL (redis://:PASSWORD@host) as it is.
 */
export const REDIS_PASSWORD_ALPHABET = /^[A-Za-z0-9!^&*()_+=.,-]+$/;
const host = z
  .string({ message: 'a host name or IP address' })
  .refine((s) => noControlChars(s) && isHostName(s), { message: 'a host name or IP address' });
const secret = (expected: string) => text(expected).min(1, { message: expected }).max(1024, { message: expected });
const SSLMODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
/** A PostgreSQL server the install uses instead of its own postgres (and pgbouncer) services. */
const externalPostgres = z
  .object({
    host,
    port: port.default(5432),
    database: text('a database name').min(1, { message: 'a database name' }).max(63, { message: 'a database name of at most 63 bytes' }),
    user: text('a user name').min(1, { message: 'a user name' }).max(63, { message: 'a user name of at most 63 bytes' }),
    password: secret('a non-empty password without control characters').optional(),
    passwordFile: path.optional(),
    // verify-full by default: the server's name is checked against its certificate.
    sslmode: z.enum(SSLMODES, { message: 'disable, require, verify-ca or verify-full' }).default('verify-full'),
    caFile: path.optional(),
  }, { message: 'a mapping with host, port, database, user, password (or passwordFile), sslmode and caFile' })
  .strict()
  .refine((p) => !(p.sslmode === 'verify-ca' || p.sslmode === 'verify-full') || p.caFile !== undefined, {
    message: 'the CA certificate file (PEM) that signed the server certificate: sslmode verify-ca and verify-full need it',
    path: ['caFile'],
  });
/** A Redis server the install uses instead of its own redis service. */
const externalRedis = z
  .object({
    host,
    port: port.default(6379),
    db: z.number({ message: 'a database number from 0 to 15' }).int({ message: 'a database number from 0 to 15' }).min(0, { message: 'a database number from 0 to 15' }).max(15, { message: 'a database number from 0 to 15' }).default(0),
    password: z
      .string({ message: 'a password of letters, digits and !^&*()_+=.,-' })
      .refine((s) => REDIS_PASSWORD_ALPHABET.test(s) && s.length <= 512, {
        message: 'a password of at most 512 letters, digits and !^&*()_+=.,- (it goes into .env, which Compose v1 and v2 read alike only for such values, and into redis:// URLs as it is)',
      })
      .optional(),
    passwordFile: path.optional(),
    tls: z.boolean({ message: 'true or false' }).default(false),
    caFile: path.optional(),
  }, { message: 'a mapping with host, port, db, password (or passwordFile), tls and caFile' })
  .strict();

/** The answers' fields before the defaults that depend on each other (tls.mode) are filled in. */
export const answersObject = z
  .object({
    tag: z.enum(SUPPORTED_TAGS, { message: `one of the supported releases: ${SUPPORTED_TAGS.join(', ')}` }).default(DEFAULT_TAG),
    url: z
      .string({ message: 'an http:// or https:// URL with a host name' })
      .refine((s) => parseUrl(s) !== null, { message: 'an http:// or https:// URL with a host name (no user, query or fragment)' }),
    admin: z
      .object({
        email,
        password: text('a password without control characters').min(1, { message: 'a non-empty password' }).max(128, {
          message: 'at most 128 characters (Sentry limit)',
        }).optional(),
        passwordFile: path.optional(),
      }, { message: 'a mapping with email and password (or passwordFile)' })
      .strict()
      .refine((a) => a?.password !== undefined || a?.passwordFile !== undefined, {
        message: 'one of admin.password or admin.passwordFile',
        path: ['password'],
        // Also when the email is missing too: every missing answer is listed at once.
        when: (payload) => payload.value !== null && typeof payload.value === 'object',
      })
      // A missing admin block is parsed as {} so its missing fields are named one by one.
      .prefault({} as { email: string }),
    mail: z
      .object({
        backend: z.enum(['smtp', 'dummy'], { message: 'smtp or dummy' }).default('smtp'),
        host: z
          .string({ message: 'a host name or IP address' })
          .refine((s) => noControlChars(s) && isHostName(s), { message: 'a host name or IP address' })
          .default('smtp'),
        port: port.default(25),
        username: text().default(''),
        password: text().default(''),
        useTls: z.boolean({ message: 'true or false' }).default(false),
        useSsl: z.boolean({ message: 'true or false' }).default(false),
        from: email.optional(),
        subjectPrefix: text().default('[Sentry] '),
      })
      .strict()
      .refine((m) => !(m.useTls && m.useSsl), { message: 'useTls and useSsl cannot both be true', path: ['useSsl'] })
      .prefault({}),
    timezone: z.string({ message: 'an IANA time zone such as Europe/Berlin or UTC' }).refine(isTimeZone, {
      message: 'an IANA time zone such as Europe/Berlin or UTC',
    }).default('UTC'),
    web: z
      .object({
        workers: positiveInt('a whole number of workers, at least 1', 256).optional(),
        bufferSize: z
          .number({ message: 'a uWSGI buffer size from 4096 to 65535' })
          .int({ message: 'a uWSGI buffer size from 4096 to 65535' })
          .min(4096, { message: 'a uWSGI buffer size from 4096 to 65535' })
          .max(65535, { message: 'a uWSGI buffer size from 4096 to 65535' })
          .default(32768),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        mode: z.enum(['volumes', 'bind'], { message: 'volumes or bind' }).default('volumes'),
        // Written into short "source:target" volume strings, where a colon would split the path.
        dataDir: path.refine((s) => !s.includes(':'), { message: 'a directory path without ":" (compose splits volume strings at it)' }).default('./data'),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        // Default: self-signed for an https url, off for an http one (see the transform at the end).
        mode: z.enum(['self-signed', 'files', 'off'], { message: 'self-signed, files or off' }).optional(),
        cert: path.default('./tls/cert.pem'),
        key: path.default('./tls/key.pem'),
      })
      .strict()
      .prefault({}),
    ports: z
      .object({ http: port.default(80), https: port.default(443) })
      .strict()
      .refine((p) => p.http !== p.https, { message: 'a port different from ports.http', path: ['https'] })
      .prefault({}),
    plugins: z
      .array(
        z.string({ message: 'a pip requirement such as name~=1.0' }).refine(isPipRequirement, {
          message: 'a pip requirement such as name~=1.0 (no options, URLs or paths)',
        }),
        { message: 'a list of pip requirements' },
      )
      .default([]),
    ldap: z
      .object({
        enabled: z.boolean({ message: 'true or false' }).default(false),
        server: z.string().refine(isLdapUri, { message: 'an ldap:// or ldaps:// URI' }).default('ldap://ldap.example.com:389'),
        bindDn: text().default(''),
        bindPassword: text().default(''),
        userDn: text().default(''),
        userFilter: text().default('(&(objectClass=inetOrgPerson)(cn=%(user)s))'),
        groupType: z
          .enum(['groupOfUniqueNames', 'groupOfNames', 'posixGroup', 'activeDirectory'], {
            message: 'groupOfUniqueNames, groupOfNames, posixGroup or activeDirectory',
          })
          .default('groupOfUniqueNames'),
        defaultOrganization: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'an organization slug (lower-case letters, digits, -)' })
          .default('sentry'),
      })
      .strict()
      .refine((l) => !l.enabled || l.userDn.length > 0, { message: 'the base DN to search users in', path: ['userDn'] })
      .refine((l) => !l.enabled || isLdapUserFilter(l.userFilter), {
        message: 'a filter containing %(user)s, with any other % written as %% (django-auth-ldap %-formats it)',
        path: ['userFilter'],
      })
      .prefault({}),
    retention: z.object({ days: positiveInt('a whole number of days, at least 1', 36500).default(90) }).strict().prefault({}),
    cleanup: z
      .object({
        days: positiveInt('a whole number of days, at least 1', 36500).default(60),
        schedule: z.string().refine(isCronSchedule, { message: 'a five-field cron schedule such as "0 3 * * *"' }).default('0 3 * * *'),
        vacuum: z.enum(['analyze', 'full', 'off'], { message: 'analyze, full or off' }).default('analyze'),
      })
      .strict()
      .prefault({}),
    // Absent: the bundled server of the release (the postgres/pgbouncer and redis services).
    // Absent (not {}): the saved answers of an install without them stay as they were.
    postgres: z.object({ external: externalPostgres.optional() }, { message: 'a mapping with external' }).strict().optional(),
    redis: z.object({ external: externalRedis.optional() }, { message: 'a mapping with external' }).strict().optional(),
    // Absent: the release's own default (COMPOSE_PROFILES of its official .env); releases without profiles refuse it.
    profile: z.enum(['feature-complete', 'errors-only'], { message: 'feature-complete or errors-only' }).optional(),
    images: z
      .object({
        registry: z
          .union(
            [
              z.string().refine(isRegistryPrefix, { message: 'a registry prefix such as mirror.example.com:5000/proxy, or empty' }),
              z.record(
                z.string().refine(isRegistryHost, { message: 'a registry host such as docker.io or ghcr.io' }),
                z.string().refine(isRegistryPrefix, { message: 'a registry prefix such as mirror.example.com:5000/ghcr, or empty for the registry itself' }),
              ),
            ],
            { message: 'a registry prefix for every image, or a mapping from each registry the release pulls from (docker.io, ghcr.io, ...) to its mirror prefix' },
          )
          .default(''),
        // keep (absent): images pinned by digest as the release pins them; drop: by tag only, for images brought in with
        // `docker load` (a loaded image has no registry digest, so a pinned name never finds it).
        digests: z.enum(['keep', 'drop'], { message: 'keep or drop' }).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const answersSchema = answersObject
  .transform((a) => ({
    ...a,
    // Key order kept (mode first) so the saved answers read the same on every run.
    tls: { mode: a.tls.mode ?? (parseUrl(a.url)?.protocol === 'https:' ? ('self-signed' as const) : ('off' as const)), cert: a.tls.cert, key: a.tls.key },
  }));

export type Answers = z.output<typeof answersSchema>;
export type AnswersInput = z.input<typeof answersSchema>;
