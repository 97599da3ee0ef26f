/**
 * Sentry 23.11.0 (getsentry/self-hosted at 23.11.0), a hard stop: Python 3 Sentry before Django 4, Kafka 5.5
 * on ZooKeeper, ClickHouse 21.8 built locally from an altinity base (the stop every later installer's
 * ClickHouse upgrade starts from), Postgres 14 with the logical-replication entrypoint, Vroom, compose
 * healthchecks and depends_on conditions, no profiles. Templates: templates/23.11.0/.
 */
import { CRON_ENTRYPOINT, AUTH_USER_LIMITS, ENV_FILE, NGINX_FILES, NGINX_MOUNTS, SENTRY_BUILD_INPUTS, SENTRY_IMAGE_FILES, VHOST_HEALTH, own } from './common.js';
import type { Release } from './types.js';

const tag = '23.11.0';
const t = own(tag);
/** Services of `x-sentry-defaults` (the local Sentry image), sentry-cleanup aside. */
const SENTRY_SERVICES = [
  'web', 'cron', 'worker', 'events-consumer', 'attachments-consumer', 'transactions-consumer', 'metrics-consumer', 'generic-metrics-consumer',
  'billing-metrics-consumer', 'ingest-replay-recordings', 'ingest-occurrences', 'ingest-profiles', 'post-process-forwarder-errors',
  'post-process-forwarder-transactions', 'post-process-forwarder-issue-platform', 'subscription-consumer-events',
  'subscription-consumer-transactions', 'subscription-consumer-metrics', 'subscription-consumer-generic-metrics',
];
const SNUBA_SERVICES = [
  'snuba-api', 'snuba-consumer', 'snuba-outcomes-consumer', 'snuba-transactions-consumer', 'snuba-replays-consumer',
  'snuba-issue-occurrence-consumer', 'snuba-metrics-consumer', 'snuba-generic-metrics-distributions-consumer',
  'snuba-generic-metrics-sets-consumer', 'snuba-generic-metrics-counters-consumer', 'snuba-replacer',
  'snuba-subscription-consumer-events', 'snuba-subscription-consumer-transactions', 'snuba-subscription-consumer-metrics',
  'snuba-profiling-profiles-consumer', 'snuba-profiling-functions-consumer',
];
const CRON_FILES = ['cron/Dockerfile', 'cron/entrypoint.sh'];
const POSTGRES_FILES = ['postgres/postgres-entrypoint.sh', 'postgres/init_hba.sh'];

export const release: Release<typeof tag> = {
  tag,
  projectName: 'sentry-self-hosted',
  sentryUid: 999,
  // auth_user.email varchar(75), username varchar(128): unchanged since the 21.x squash.
  answerLimits: AUTH_USER_LIMITS,
  ulimits: {
    redis: { nofile: { soft: 10032, hard: 10032 } },
    zookeeper: { nofile: { soft: 4096, hard: 4096 } },
    kafka: { nofile: { soft: 4096, hard: 4096 } },
    clickhouse: { nofile: { soft: 262144, hard: 262144 } },
    web: { nofile: { soft: 4096, hard: 4096 } },
  },
  secretKeyIn: 'config',
  components: { snuba: true, relay: true, symbolicator: true },
  clickhouse: true,
  images: [
    { key: 'smtp', image: 'tianon/exim4', services: ['smtp'] },
    { key: 'memcached', image: 'memcached:1.6.21-alpine', services: ['memcached'] },
    { key: 'redis', image: 'redis:6.2.13-alpine', services: ['redis'] },
    { key: 'postgres', image: 'postgres:14.5', services: ['postgres'] },
    { key: 'zookeeper', image: 'confluentinc/cp-zookeeper:5.5.7', services: ['zookeeper'] },
    { key: 'kafka', image: 'confluentinc/cp-kafka:5.5.7', services: ['kafka'] },
    // install/detect-platform.sh sets CLICKHOUSE_IMAGE to this on x86_64 (the compose file has no default).
    { key: 'clickhouseBase', image: 'altinity/clickhouse-server:21.8.13.1.altinitystable', services: [] },
    { key: 'nginx', image: 'nginx:1.25.2-alpine', services: ['nginx'] },
    { key: 'sentryBase', image: `getsentry/sentry:${tag}`, env: { name: 'SENTRY_IMAGE', holds: 'image' }, services: [] },
    { key: 'snuba', image: `getsentry/snuba:${tag}`, env: { name: 'SNUBA_IMAGE', holds: 'image' }, services: SNUBA_SERVICES },
    { key: 'relay', image: `getsentry/relay:${tag}`, env: { name: 'RELAY_IMAGE', holds: 'image' }, services: ['relay'] },
    { key: 'symbolicator', image: `getsentry/symbolicator:${tag}`, env: { name: 'SYMBOLICATOR_IMAGE', holds: 'image' }, services: ['symbolicator'] },
    { key: 'vroom', image: `getsentry/vroom:${tag}`, env: { name: 'VROOM_IMAGE', holds: 'image' }, services: ['vroom'] },
  ],
  builtImages: [
    { image: 'sentry-self-hosted-local', service: 'web', files: SENTRY_BUILD_INPUTS, base: { pulled: 'sentryBase' }, services: SENTRY_SERVICES },
    { image: 'sentry-cleanup-self-hosted-local', service: 'sentry-cleanup', files: CRON_FILES, base: { built: 'sentry-self-hosted-local' }, services: ['sentry-cleanup'] },
    { image: 'symbolicator-cleanup-self-hosted-local', service: 'symbolicator-cleanup', files: CRON_FILES, base: { pulled: 'symbolicator' }, services: ['symbolicator-cleanup'] },
    { image: 'vroom-cleanup-self-hosted-local', service: 'vroom-cleanup', files: CRON_FILES, base: { pulled: 'vroom' }, services: ['vroom-cleanup'] },
    { image: 'clickhouse-self-hosted-local', service: 'clickhouse', files: ['clickhouse/Dockerfile'], base: { pulled: 'clickhouseBase' }, services: ['clickhouse'] },
  ],
  sentryImage: { built: 'sentry-self-hosted-local' },
  sentryServices: [...SENTRY_SERVICES, 'sentry-cleanup'],
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
    { path: 'postgres/postgres-entrypoint.sh', template: t('postgres-entrypoint.sh.hbs'), mode: 0o755 },
    { path: 'postgres/init_hba.sh', template: t('postgres-init_hba.sh.hbs'), mode: 0o755 },
    { path: 'clickhouse/Dockerfile', template: t('clickhouse-Dockerfile.hbs') },
    { path: 'clickhouse/config.xml', template: t('clickhouse-config.xml.hbs') },
    { path: 'relay/config.yml', template: t('relay-config.yml.hbs'), redisSecretOwner: 10001 },
    { path: 'symbolicator/config.yml', template: t('symbolicator-config.yml.hbs') },
  ],
  mountGroups: [
    { name: 'sentry', files: ['sentry/config.yml', 'sentry/sentry.conf.py', 'sentry/entrypoint.sh'], services: [...SENTRY_SERVICES, 'sentry-cleanup'] },
    NGINX_MOUNTS,
    { name: 'postgres', files: POSTGRES_FILES, services: ['postgres'] },
    { name: 'relay', files: ['relay/config.yml', 'relay/credentials.json'], services: ['relay'] },
    { name: 'symbolicator', files: ['symbolicator/config.yml'], services: ['symbolicator'] },
    { name: 'clickhouse', files: ['clickhouse/config.xml'], services: ['clickhouse'] },
  ],
  bootstrap: [
    // Before anything runs relay: its compose service bind-mounts ./geoip, which must exist.
    { kind: 'geoip-database', path: 'geoip/GeoLite2-City.mmdb' },
    // install/ensure-relay-credentials.sh; uid 10001: the user getsentry/relay's Dockerfile runs as.
    { kind: 'relay-credentials', uid: 10001 },
    // install/bootstrap-snuba.sh
    { kind: 'snuba-bootstrap', commands: [['bootstrap', '--no-migrate', '--force'], ['migrations', 'migrate', '--force']] },
    // install/create-kafka-topics.sh (kafka is up: snuba-api's run started it).
    {
      kind: 'kafka-topics',
      service: 'kafka',
      bootstrapServer: 'kafka:9092',
      topics: ['ingest-attachments', 'ingest-transactions', 'ingest-events', 'ingest-replay-recordings', 'profiles', 'ingest-occurrences', 'ingest-metrics', 'ingest-performance-metrics'],
    },
  ],
  // install/set-up-and-migrate-database.sh: `web upgrade --noinput` (the superuser is made by our own step).
  migrate: ['sentry', 'upgrade', '--noinput'],
  waits: [{ kind: 'compose-healthy' }, VHOST_HEALTH],
  env: [
    { name: 'HEALTHCHECK_INTERVAL', value: '30s' },
    { name: 'HEALTHCHECK_TIMEOUT', value: '1m30s' },
    { name: 'HEALTHCHECK_RETRIES', value: '10' },
  ],
  arrival: {
    // 23.6.2 -> 23.11.0: ClickHouse 20.3 -> 21.8 is only the base image of the local build; three more topics.
    from: '23.6.2',
    // Proven by test/e2e/upgrade-road-b.test.ts: the 20.3 data starts under 21.8 (one step), the bootstrap creates the new topics.
    oneOffs: [],
  },
};
