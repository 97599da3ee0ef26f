/**
 * Sentry 21.6.3 (getsentry/onpremise at 21.6.3), a hard stop: the last release that carries Sentry's Django
 * migrations before their squash. 21.5.0's topology with compose healthchecks, newer memcached, redis and
 * nginx, Symbolicator 0.3.4, and PostgreSQL prepared for logical replication (its own entrypoint).
 * Templates: templates/21.6.3/.
 */
import { CRON_ENTRYPOINT, AUTH_USER_LIMITS, ENV_FILE, NGINX_FILES, NGINX_MOUNTS, SENTRY_BUILD_INPUTS, SENTRY_IMAGE_FILES, VHOST_HEALTH, own } from './common.js';
import type { Release } from './types.js';

const tag = '21.6.3';
const t = own(tag);
/** Services of `x-sentry-defaults`, sentry-cleanup aside (built on the local Sentry image). */
const SENTRY_LOCAL = ['web', 'cron', 'worker', 'ingest-consumer', 'post-process-forwarder', 'subscription-consumer-events', 'subscription-consumer-transactions'];
const SENTRY_SERVICES = [...SENTRY_LOCAL, 'sentry-cleanup'];
const SNUBA_SERVICES = [
  'snuba-api', 'snuba-consumer', 'snuba-outcomes-consumer', 'snuba-sessions-consumer', 'snuba-transactions-consumer', 'snuba-replacer',
  'snuba-subscription-consumer-events', 'snuba-subscription-consumer-transactions',
];
const CRON_FILES = ['cron/Dockerfile', 'cron/entrypoint.sh'];

export const release: Release<typeof tag> = {
  tag,
  projectName: 'sentry_onpremise',
  sentryUid: 999,
  // Sentry's User model in 21.x: email varchar(75), username varchar(128), as before.
  answerLimits: AUTH_USER_LIMITS,
  ulimits: {
    redis: { nofile: { soft: 10032, hard: 10032 } },
    clickhouse: { nofile: { soft: 262144, hard: 262144 } },
  },
  secretKeyIn: 'config',
  components: { snuba: true, relay: true, symbolicator: true },
  clickhouse: true,
  images: [
    { key: 'smtp', image: 'tianon/exim4', services: ['smtp'] },
    { key: 'memcached', image: 'memcached:1.6.9-alpine', services: ['memcached'] },
    { key: 'redis', image: 'redis:6.2.4-alpine', services: ['redis'] },
    { key: 'postgres', image: 'postgres:9.6', services: ['postgres'] },
    { key: 'zookeeper', image: 'confluentinc/cp-zookeeper:5.5.0', services: ['zookeeper'] },
    { key: 'kafka', image: 'confluentinc/cp-kafka:5.5.0', services: ['kafka'] },
    { key: 'clickhouse', image: 'yandex/clickhouse-server:20.3.9.70', services: ['clickhouse'] },
    { key: 'nginx', image: 'nginx:1.21.0-alpine', services: ['nginx'] },
    { key: 'sentryBase', image: `getsentry/sentry:${tag}`, env: { name: 'SENTRY_IMAGE', holds: 'image' }, services: [] },
    { key: 'snuba', image: `getsentry/snuba:${tag}`, env: { name: 'SNUBA_IMAGE', holds: 'image' }, services: SNUBA_SERVICES },
    { key: 'relay', image: `getsentry/relay:${tag}`, env: { name: 'RELAY_IMAGE', holds: 'image' }, services: ['relay'] },
    // The official .env pins Symbolicator to its own version, not to the release tag.
    { key: 'symbolicator', image: 'getsentry/symbolicator:0.3.4', env: { name: 'SYMBOLICATOR_IMAGE', holds: 'image' }, services: ['symbolicator'] },
  ],
  builtImages: [
    // The official release runs getsentry/sentry as it is and pip-installs requirements.txt at every container
    // start; here the plugins are built into one local image (as for every release of this tool).
    { image: 'sentry-onpremise-local', service: 'web', files: SENTRY_BUILD_INPUTS, base: { pulled: 'sentryBase' }, services: SENTRY_LOCAL },
    { image: 'sentry-cleanup-onpremise-local', service: 'sentry-cleanup', files: CRON_FILES, base: { built: 'sentry-onpremise-local' }, services: ['sentry-cleanup'] },
    { image: 'snuba-cleanup-onpremise-local', service: 'snuba-cleanup', files: CRON_FILES, base: { pulled: 'snuba' }, services: ['snuba-cleanup', 'snuba-transactions-cleanup'] },
    { image: 'symbolicator-cleanup-onpremise-local', service: 'symbolicator-cleanup', files: CRON_FILES, base: { pulled: 'symbolicator' }, services: ['symbolicator-cleanup'] },
  ],
  sentryImage: { built: 'sentry-onpremise-local' },
  sentryServices: SENTRY_SERVICES,
  externalVolumes: ['sentry-data', 'sentry-postgres', 'sentry-redis', 'sentry-zookeeper', 'sentry-kafka', 'sentry-clickhouse', 'sentry-symbolicator'],
  files: [
    { path: 'docker-compose.yml', template: t('docker-compose.yml.hbs') },
    ENV_FILE,
    { path: 'sentry/config.yml', template: t('config.yml.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/sentry.conf.py', template: t('sentry.conf.py.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/entrypoint.sh', template: t('sentry-entrypoint.sh.hbs'), mode: 0o755 },
    ...SENTRY_IMAGE_FILES,
    ...NGINX_FILES,
    { path: 'cron/Dockerfile', template: t('cron-Dockerfile.hbs') },
    { path: 'cron/entrypoint.sh', template: CRON_ENTRYPOINT, mode: 0o755 },
    { path: 'clickhouse/config.xml', template: t('clickhouse-config.xml.hbs') },
    { path: 'relay/config.yml', template: t('relay-config.yml.hbs'), redisSecretOwner: 10001 },
    { path: 'symbolicator/config.yml', template: t('symbolicator-config.yml.hbs') },
    { path: 'postgres/postgres-entrypoint.sh', template: t('postgres-entrypoint.sh.hbs'), mode: 0o755 },
    { path: 'postgres/init_hba.sh', template: t('postgres-init-hba.sh.hbs'), mode: 0o755 },
  ],
  mountGroups: [
    { name: 'sentry', files: ['sentry/config.yml', 'sentry/sentry.conf.py', 'sentry/entrypoint.sh'], services: SENTRY_SERVICES },
    NGINX_MOUNTS,
    { name: 'relay', files: ['relay/config.yml', 'relay/credentials.json'], services: ['relay'] },
    { name: 'symbolicator', files: ['symbolicator/config.yml'], services: ['symbolicator'] },
    { name: 'clickhouse', files: ['clickhouse/config.xml'], services: ['clickhouse'] },
    { name: 'postgres', files: ['postgres/postgres-entrypoint.sh', 'postgres/init_hba.sh'], services: ['postgres'] },
  ],
  bootstrap: [
    // Before anything runs relay or Sentry: both bind-mount ./geoip (install/geoip.sh copies the empty database).
    { kind: 'geoip-database', path: 'geoip/GeoLite2-City.mmdb' },
    // install/set-up-zookeeper.sh, then install/bootstrap-snuba.sh.
    { kind: 'snuba-bootstrap', commands: [['bootstrap', '--no-migrate', '--force'], ['migrations', 'migrate', '--force']], zookeeper: true },
    // install/create-kafka-topics.sh: Sentry's ingest topics, which Snuba's bootstrap does not create.
    { kind: 'kafka-topics', service: 'kafka', bootstrapServer: 'kafka:9092', topics: ['ingest-attachments', 'ingest-transactions', 'ingest-events'] },
    // uid 10001: the user getsentry/relay's Dockerfile runs as.
    { kind: 'relay-credentials', uid: 10001 },
  ],
  // install/install-wal2json.sh is left out: it downloads wal2json from GitHub (the `latest` release), and
  // nothing in this release reads a replication slot; the postgres entrypoint copies one only when given.
  // install/set-up-and-migrate-database.sh: `web upgrade --noinput` (the default); it must finish here, the
  // last release with the migrations before the squash.
  waits: [VHOST_HEALTH],
  // Sentry's `upgrade` from 21.7.0 on (_check_history in src/sentry/runner/commands/upgrade.py, getsentry/sentry#26714,
  // #27385; getsentry/self-hosted#1048 quotes it) refuses a database without 0200_release_indices, the last
  // migration before the squash that 21.6.x still ships (getsentry/develop#412), or the squash itself
  // (0001_squashed_0200_release_indices, fresh installs 21.7.0 to 24.1.x). 0001_squashed_0484_break_org_member_user_fk
  // is the next squash (fresh installs from 24.2.0; getsentry/sentry#64323), past 21.6.3 as well.
  databaseMarks: {
    table: 'django_migrations',
    names: ['0200_release_indices', '0001_squashed_0200_release_indices', '0001_squashed_0484_break_org_member_user_fk'],
  },
  arrival: {
    // A hard stop follows a hard stop: only from 21.5.0 (its one-offs are done by then).
    from: '21.5.0',
    // Image changes and `sentry upgrade` only (the last migrations before the squash must finish here).
    oneOffs: [],
  },
};
