/**
 * The upgrade road from 23.6.2 on, end to end on the real engine with Compose v2 and the stand-in images:
 * a fresh 23.6.2 with seeded data (users in PostgreSQL, rows in ClickHouse, messages in Kafka), then ONE
 * `upgrade --tag TARGET --yes` over every hard stop up to TARGET. After it: every service running and healthy,
 * `/_health/` 200 through the vhost, the admin, the seeded rows identical, ClickHouse at the target's version
 * with its rows, every seeded Kafka message still in its topic, the state file at the target, each hop's
 * verified backup, and a re-run that changes nothing. Healthchecks run sooner (the same checks) as
 * install-releases.test.ts runs them. Prints its measured times. Fails (never skips) in CI without an engine.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertAllHealthy, assertVhostAndAdmin, composeEnv, containers, docker, engineReachable, fixture, psql, runCli, startCli, teardown, SHORT_HEALTHCHECKS } from './harness.js';
import { addUsers, userRows } from './upgrade-helpers.js';
import { RELEASES, compareTags, type SupportedTag } from '../../src/catalog.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});
const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;

const FROM: SupportedTag = '23.6.2';
/** The furthest hop whose one-off work is done and proven here (SENTRY_ONPREM_ROAD_B_TARGET tries another). */
const TARGET = (process.env.SENTRY_ONPREM_ROAD_B_TARGET ?? '24.8.0') as SupportedTag;
/** The road passes the Kafka move to KRaft (24.8.0): the seeded messages must be drained, not kept. */
const KRAFT = compareTags(TARGET, '24.8.0') >= 0;
const CONSTRAINT = 'sentry_groupedmessage_project_id_id_515aaa7e_uniq';
// More retries than the release's 10: this engine is shared, and a stand-in may start slowly under load.
const env = { ...composeEnv('v2'), ...SHORT_HEALTHCHECKS, HEALTHCHECK_RETRIES: '40' };
const ports = { http: 18780, https: 18781 };
const SEEDED_TOPIC = 'ingest-events';
// Plain words: the stand-in broker keeps each message as a JSON string, one a line.
const SEEDED_MESSAGES = Array.from({ length: 6 }, (_, i) => `e2e road-b message ${i}`);
const LATE_MESSAGES = Array.from({ length: 4 }, (_, i) => `e2e road-b late message ${i}`);

const running = (project: string, service: string) => {
  const c = containers(project).find((x) => x.service === service && x.running && !x.oneoff);
  if (!c) throw new Error(`${service} of ${project} is not running`);
  return c.id;
};
const clickhouse = (project: string, query: string) => docker(['exec', running(project, 'clickhouse'), 'clickhouse-client', '--query', query]).trim();
const lagOf = (project: string, group: string, topic: string) => {
  const out = docker(['exec', running(project, 'kafka'), 'kafka-consumer-groups', '--bootstrap-server', 'localhost:9092', '--describe', '--group', group]);
  const line = out.split('\n').find((l) => l.trim().split(/\s+/)[1] === topic);
  return line ? Number(line.trim().split(/\s+/)[5]) : undefined;
};
async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 1000))) if (ok()) return;
  throw new Error(`not within ${ms / 1000} s: ${what}`);
}
const kafkaLog = (project: string, topic: string) => docker(['exec', running(project, 'kafka'), 'cat', `/var/lib/kafka/data/${topic}-0/00000000000000000000.log`]);
/** The version string the target's ClickHouse reports: the tag of the base image its local build starts from. */
const clickhouseVersion = (tag: SupportedTag) => RELEASES[tag].images.find((i) => i.key === 'clickhouseBase')!.image.split(':')[1];

test(`upgrade ${FROM} -> ${TARGET} in one command on seeded data (compose v2): healthy, data intact, ClickHouse at the target version, no Kafka message lost, re-run a no-op`, { skip, timeout: 8 * 60_000 }, async () => {
  const t0 = Date.now();
  const project = RELEASES[FROM].projectName;
  const volumes = [...new Set([FROM, TARGET].flatMap((t) => RELEASES[t].externalVolumes)), 'sentry-zookeeper', 'sentry-clickhouse.before-24.8.0', 'sentry-kafka.before-24.8.0', 'sentry-self-hosted_sentry-zookeeper-log'];
  const fx = fixture(FROM, ports);
  const dir = fx.dir;
  teardown(dir, 'v2', project, volumes);
  try {
    const installed = await runCli(['install', '--dir', dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(installed.code, 0, `install ${FROM} failed:\n${installed.stderr.slice(-4000)}`);

    // Seed: users (PostgreSQL), rows in Snuba's events table (ClickHouse), messages in a topic (Kafka).
    addUsers(project, ['alice@e2e.test', 'bob@e2e.test']);
    const rows = userRows(project);
    assert.match(rows, /alice@e2e\.test/);
    assert.equal(clickhouse(project, 'SELECT version()'), clickhouseVersion(FROM));
    clickhouse(project, "INSERT INTO events_local VALUES (1, '2026-12-01 10:00:00'), (1, '2026-12-02 11:00:00'), (2, '2026-12-03 12:00:00')");
    const chRows = clickhouse(project, 'SELECT * FROM events_local');
    assert.equal(clickhouse(project, 'SELECT count() FROM events_local'), '3');
    psql(project, `ALTER TABLE sentry_groupedmessage ADD CONSTRAINT ${CONSTRAINT} UNIQUE (project_id, id)`);
    const produce = (lines: string[]) =>
      docker(['exec', '-i', running(project, 'kafka'), 'kafka-console-producer', '--bootstrap-server', 'localhost:9092', '--topic', SEEDED_TOPIC], lines.join('\n') + '\n');
    if (KRAFT) {
      // The consumer group has read the topic once (it shows in --describe); then its consumer stops and the
      // seeded messages wait unconsumed: the upgrade must drain them before the Kafka data goes.
      produce(['e2e road-b first']);
      await until('ingest-consumer read ingest-events', () => lagOf(project, 'ingest-consumer', SEEDED_TOPIC) === 0);
      docker(['stop', '-t', '2', running(project, 'events-consumer')]);
    }
    produce(SEEDED_MESSAGES);
    for (const m of SEEDED_MESSAGES) assert.ok(kafkaLog(project, SEEDED_TOPIC).includes(m), `seeded message not in the topic: ${m}`);
    if (KRAFT) assert.equal(lagOf(project, 'ingest-consumer', SEEDED_TOPIC), SEEDED_MESSAGES.length);
    const seeded = Date.now();

    const run = startCli(['upgrade', '--tag', TARGET, '--dir', dir, '--yes'], env);
    if (KRAFT) {
      // The hop before 24.8.0 restarts every consumer, which reads what was seeded: so while 23.11.0 runs again
      // (its backup, pull and build before the drain), its consumer stops and more messages wait unconsumed.
      await run.waitFor(/> Back up Sentry 23\.11\.0/, 6 * 60_000);
      docker(['stop', '-t', '1', running(project, 'events-consumer')]);
      produce(LATE_MESSAGES);
    }
    const up = await run.done;
    assert.equal(up.code, 0, `upgrade failed:\n${up.stderr.slice(-6000)}`);
    const upgraded = Date.now();

    const to = RELEASES[TARGET].projectName;
    const state = JSON.parse(readFileSync(join(dir, '.sentry-onprem/state.json'), 'utf8')) as { tag: string };
    assert.equal(state.tag, TARGET);
    assert.equal(existsSync(join(dir, '.sentry-onprem/upgrade.json')), false, 'the upgrade marker was left behind');
    const { running: n, checked } = assertAllHealthy(dir, to, RELEASES[TARGET].profiles?.default, 60_000);
    await assertVhostAndAdmin(dir, to, ports.https);
    assert.equal(userRows(to), rows, 'the seeded PostgreSQL rows changed');
    assert.equal(clickhouse(to, 'SELECT version()'), clickhouseVersion(TARGET));
    assert.equal(clickhouse(to, 'SELECT * FROM events_local'), chRows, 'the ClickHouse rows changed');
    if (KRAFT) {
      // Drained before the ZooKeeper-era data went: the consumer was started and read every seeded message.
      assert.match(up.stderr, new RegExp(`waiting for .*ingest-consumer ${SEEDED_TOPIC}\\[0\\] lag ${LATE_MESSAGES.length}`));
      assert.match(up.stderr, /started the stopped events-consumer/);
      assert.match(up.stderr, /every consumer group at lag 0/);
      assert.match(docker(['exec', running(to, 'kafka'), 'cat', '/var/lib/kafka/data/meta.properties']), /node\.id=/);
      const left = docker(['volume', 'ls', '-q']).split('\n');
      for (const v of ['sentry-zookeeper', 'sentry-self-hosted_sentry-zookeeper-log', 'sentry-kafka.before-24.8.0', 'sentry-clickhouse.before-24.8.0']) assert.ok(!left.includes(v), `${v} was left behind`);
      assert.equal(psql(to, `SELECT count(*) FROM pg_constraint WHERE conname = '${CONSTRAINT}'`), '0');
    } else {
      const log = kafkaLog(to, SEEDED_TOPIC);
      for (const m of SEEDED_MESSAGES) assert.ok(log.includes(m), `Kafka message lost: ${m}`);
    }
    // Each hop left a verified backup (its manifest; the dump in it).
    const backups = readdirSync(join(dir, 'backups')).filter((b) => /-to-/.test(b));
    const path = [FROM, ...(up.stderr.match(/-> (\d+\.\d+\.\d+)/g) ?? []).map((s) => s.slice(3))];
    assert.ok(backups.length >= 1, `no hop backup in ${join(dir, 'backups')}`);
    for (const b of backups) assert.ok(existsSync(join(dir, 'backups', b, 'manifest.json')), `backup ${b} has no manifest`);
    assert.match(psql(to, "SELECT count(*) FROM django_migrations WHERE app = 'sentry'"), /^[1-9]\d*$/);

    const again = await runCli(['upgrade', '--tag', TARGET, '--dir', dir, '--yes'], env);
    assert.equal(again.code, 0, again.stderr.slice(-2000));
    assert.match(again.stderr, new RegExp(`Sentry ${TARGET.replace(/\./g, '\\.')} is installed in .*: nothing to upgrade`));
    const t1 = Date.now();
    console.log(
      `# ${FROM} -> ${TARGET} (${path.length ? [...new Set(path)].join(' -> ') : ''}): install+seed ${((seeded - t0) / 1000).toFixed(1)} s, ` +
        `upgrade ${((upgraded - seeded) / 1000).toFixed(1)} s, checks+re-run ${((t1 - upgraded) / 1000).toFixed(1)} s; ` +
        `${n} containers, ${checked.length} healthchecks, ${backups.length} hop backups`,
    );
    console.log(up.stderr.split('\n').filter((l) => /s\)$|->.* s\b|took/.test(l)).slice(-40).map((l) => `#   ${l}`).join('\n'));
  } finally {
    for (const p of new Set([FROM, TARGET].map((t) => RELEASES[t].projectName))) teardown(dir, 'v2', p, volumes);
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});
