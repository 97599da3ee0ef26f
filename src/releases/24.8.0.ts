/**
 * Sentry 24.8.0 (getsentry/self-hosted at 24.8.0), a hard stop: Python 3 Sentry on Django 5, Kafka in KRaft
 * mode (no ZooKeeper), ClickHouse built locally on altinity 23.8, Vroom, compose healthchecks and profiles
 * (feature-complete or errors-only). Templates: templates/24.8.0/.
 */
import { CRON_ENTRYPOINT, ENV_FILE, NGINX_FILES, NGINX_MOUNTS, SENTRY_BUILD_INPUTS, SENTRY_IMAGE_FILES, VHOST_HEALTH, own } from './common.js';
import type { ColumnLimit, Release } from './types.js';

const tag = '24.8.0';
const t = own(tag);
/** Services of `x-sentry-defaults` (the local Sentry image), sentry-cleanup aside. */
const SENTRY_SERVICES = [
  'web', 'cron', 'worker', 'events-consumer', 'attachments-consumer', 'post-process-forwarder-errors', 'subscription-consumer-events',
  'transactions-consumer', 'metrics-consumer', 'generic-metrics-consumer', 'billing-metrics-consumer', 'ingest-replay-recordings',
  'ingest-occurrences', 'ingest-profiles', 'ingest-monitors', 'ingest-feedback-events', 'monitors-clock-tick', 'monitors-clock-tasks',
  'post-process-forwarder-transactions', 'post-process-forwarder-issue-platform', 'subscription-consumer-transactions',
  'subscription-consumer-metrics', 'subscription-consumer-generic-metrics',
];
const SNUBA_SERVICES = [
  'snuba-api', 'snuba-errors-consumer', 'snuba-outcomes-consumer', 'snuba-outcomes-billing-consumer', 'snuba-group-attributes-consumer',
  'snuba-replacer', 'snuba-subscription-consumer-events', 'snuba-transactions-consumer', 'snuba-replays-consumer',
  'snuba-issue-occurrence-consumer', 'snuba-metrics-consumer', 'snuba-subscription-consumer-transactions',
  'snuba-subscription-consumer-metrics', 'snuba-generic-metrics-distributions-consumer', 'snuba-generic-metrics-sets-consumer',
  'snuba-generic-metrics-counters-consumer', 'snuba-generic-metrics-gauges-consumer', 'snuba-profiling-profiles-consumer',
  'snuba-profiling-functions-consumer', 'snuba-spans-consumer',
];
const CRON_FILES = ['cron/Dockerfile', 'cron/entrypoint.sh'];
const SENTRY_FILES = SENTRY_BUILD_INPUTS;
const SENTRY_MOUNTED = ['sentry/config.yml', 'sentry/sentry.conf.py', 'sentry/entrypoint.sh'];

/**
 * auth_user.email is varchar(75) and username varchar(128) in the squashed migrations of 23.x/24.x
 * (sentry.models.user: email = EmailField(max_length=75), username = CharField(max_length=128)).
 */
const LIMITS: Record<string, ColumnLimit[]> = {
  'admin.email': [
    { column: 'auth_user.email', max: 75 },
    { column: 'auth_user.username', max: 128 },
  ],
};

export const release: Release<typeof tag> = {
  tag,
  projectName: 'sentry-self-hosted',
  sentryUid: 999,
  answerLimits: LIMITS,
  ulimits: {
    redis: { nofile: { soft: 10032, hard: 10032 } },
    kafka: { nofile: { soft: 4096, hard: 4096 } },
    clickhouse: { nofile: { soft: 262144, hard: 262144 } },
    web: { nofile: { soft: 4096, hard: 4096 } },
  },
  secretKeyIn: 'config',
  components: { snuba: true, relay: true, symbolicator: true },
  clickhouse: true,
  images: [
    { key: 'smtp', image: 'tianon/exim4', services: ['smtp'] },
    { key: 'memcached', image: 'memcached:1.6.26-alpine', services: ['memcached'] },
    { key: 'redis', image: 'redis:6.2.14-alpine', services: ['redis'] },
    { key: 'postgres', image: 'postgres:14.11', services: ['postgres'] },
    { key: 'kafka', image: 'confluentinc/cp-kafka:7.6.1', services: ['kafka'] },
    { key: 'clickhouseBase', image: 'altinity/clickhouse-server:23.8.11.29.altinitystable', services: [] },
    { key: 'nginx', image: 'nginx:1.25.4-alpine', services: ['nginx'] },
    { key: 'sentryBase', image: `getsentry/sentry:${tag}`, env: { name: 'SENTRY_IMAGE', holds: 'image' }, services: [] },
    { key: 'snuba', image: `getsentry/snuba:${tag}`, env: { name: 'SNUBA_IMAGE', holds: 'image' }, services: SNUBA_SERVICES },
    { key: 'relay', image: `getsentry/relay:${tag}`, env: { name: 'RELAY_IMAGE', holds: 'image' }, services: ['relay'] },
    { key: 'symbolicator', image: `getsentry/symbolicator:${tag}`, env: { name: 'SYMBOLICATOR_IMAGE', holds: 'image' }, services: ['symbolicator'] },
    { key: 'vroom', image: `getsentry/vroom:${tag}`, env: { name: 'VROOM_IMAGE', holds: 'image' }, services: ['vroom'] },
  ],
  builtImages: [
    { image: 'sentry-self-hosted-local', service: 'web', files: SENTRY_FILES, base: { pulled: 'sentryBase' }, services: SENTRY_SERVICES },
    { image: 'sentry-cleanup-self-hosted-local', service: 'sentry-cleanup', files: CRON_FILES, base: { built: 'sentry-self-hosted-local' }, services: ['sentry-cleanup'] },
    { image: 'symbolicator-cleanup-self-hosted-local', service: 'symbolicator-cleanup', files: CRON_FILES, base: { pulled: 'symbolicator' }, services: ['symbolicator-cleanup'] },
    { image: 'vroom-cleanup-self-hosted-local', service: 'vroom-cleanup', files: CRON_FILES, base: { pulled: 'vroom' }, services: ['vroom-cleanup'] },
    { image: 'clickhouse-self-hosted-local', service: 'clickhouse', files: ['clickhouse/Dockerfile'], base: { pulled: 'clickhouseBase' }, services: ['clickhouse'] },
  ],
  sentryImage: { built: 'sentry-self-hosted-local' },
  sentryServices: [...SENTRY_SERVICES, 'sentry-cleanup'],
  externalVolumes: ['sentry-data', 'sentry-postgres', 'sentry-redis', 'sentry-kafka', 'sentry-clickhouse', 'sentry-symbolicator'],
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
    { path: 'clickhouse/Dockerfile', template: t('clickhouse-Dockerfile.hbs') },
    { path: 'clickhouse/config.xml', template: t('clickhouse-config.xml.hbs') },
    { path: 'relay/config.yml', template: t('relay-config.yml.hbs'), redisSecretOwner: 10001 },
    { path: 'symbolicator/config.yml', template: t('symbolicator-config.yml.hbs') },
  ],
  mountGroups: [
    { name: 'sentry', files: SENTRY_MOUNTED, services: [...SENTRY_SERVICES, 'sentry-cleanup'] },
    NGINX_MOUNTS,
    { name: 'relay', files: ['relay/config.yml', 'relay/credentials.json'], services: ['relay'] },
    { name: 'symbolicator', files: ['symbolicator/config.yml'], services: ['symbolicator'] },
    { name: 'clickhouse', files: ['clickhouse/config.xml'], services: ['clickhouse'] },
  ],
  bootstrap: [
    // install/check-memcached-backend.sh: Django 5 has no MemcachedCache; an edited sentry.conf.py that still names it stops here.
    {
      kind: 'file-check',
      file: 'sentry/sentry.conf.py',
      require: '.PyMemcacheCache',
      refuse: '.MemcachedCache',
      why: 'Sentry 24.8.0 runs Django 5, which has no MemcachedCache: set the CACHES backend to django.core.cache.backends.memcached.PyMemcacheCache',
    },
    // Before anything runs relay: its compose service bind-mounts ./geoip, which must exist.
    { kind: 'geoip-database', path: 'geoip/GeoLite2-City.mmdb' },
    // uid 10001: the user getsentry/relay's Dockerfile runs as.
    { kind: 'relay-credentials', uid: 10001 },
    { kind: 'snuba-bootstrap', commands: [['bootstrap', '--no-migrate', '--force'], ['migrations', 'migrate', '--force']] },
    // install/set-up-and-migrate-database.sh (there through `web shell -c`): a constraint some 23.x databases carry makes a 24.x migration fail (getsentry/self-hosted#2758).
    {
      kind: 'sentry-script',
      id: 'groupedmessage-constraint',
      script: [
        'from django.db import connection',
        'with connection.cursor() as cursor:',
        "    cursor.execute('ALTER TABLE IF EXISTS sentry_groupedmessage DROP CONSTRAINT IF EXISTS sentry_groupedmessage_project_id_id_515aaa7e_uniq;')",
        "    cursor.execute('DROP INDEX IF EXISTS sentry_groupedmessage_project_id_id_515aaa7e_uniq;')",
      ].join('\n'),
    },
  ],
  // install/set-up-and-migrate-database.sh: Sentry creates its own Kafka topics (create-kafka-topics.sh is gone since 24.6.0).
  migrate: ['sentry', 'upgrade', '--noinput', '--create-kafka-topics'],
  waits: [{ kind: 'compose-healthy' }, VHOST_HEALTH],
  env: [
    { name: 'HEALTHCHECK_INTERVAL', value: '30s' },
    { name: 'HEALTHCHECK_TIMEOUT', value: '1m30s' },
    { name: 'HEALTHCHECK_RETRIES', value: '10' },
    { name: 'POSTGRES_MAX_CONNECTIONS', value: '100' },
  ],
  // errors-only exists since 24.7.1; the official .env sets feature-complete.
  profiles: { default: 'feature-complete', offered: ['feature-complete', 'errors-only'] },
  // After 24.8.0 Sentry's `upgrade` requires 0642_index_together_release (the migration history was rebased to drop
  // index_together for Django 5.1: getsentry/sentry#76554 "add hard-stop migration for index_together migrations
  // rebase", 2024-08-26, and the migration_heads of src/sentry/runner/commands/upgrade.py after it).
  databaseMarks: { table: 'django_migrations', names: ['0642_index_together_release'] },
  arrival: {
    from: '23.11.0',
    // install/upgrade-clickhouse.sh: 21.8 -> 22.8 -> 23.3 here, then this release's 23.8 starts on the data.
    // Kafka: drained, then KRaft on a fresh sentry-kafka (the official in-place start fails: "Invalid cluster.id").
    oneOffs: [{ id: 'clickhouse-21.8-to-23.3' }, { id: 'kafka-zookeeper-to-kraft' }],
    // The constraint of #2758 is dropped by this release's bootstrap (sentry-script) before the migrations.
    // Proven by test/e2e/upgrade-road-b.test.ts (23.6.2 -> 23.11.0 -> 24.8.0 in one command on seeded data).
    copies: [
      { volume: 'sentry-clickhouse', why: 'ClickHouse 21.8 -> 23.8 rewrites its data: a copy kept for the rollback' },
      { volume: 'sentry-kafka', why: 'Kafka moves to KRaft on a fresh volume: the drained old one kept for the rollback' },
    ],
  },
};
