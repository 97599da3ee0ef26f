/**
 * Kafka's move to KRaft as one-off steps, against a fake engine: the drain (producers stopped, lag polled to 0,
 * a bounded wait that refuses naming the groups and starts the producers again), the fresh volume (copy, empty,
 * resume after a kill, leave a KRaft or empty volume alone), the undo and the clean-up after success.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLags, drainKafka, freshKafkaVolume, kafkaDirKind, parseLags, pendingLags, type KafkaEngine } from '../../src/upgrade/one-offs/kafka-kraft.js';
import { ONE_OFFS } from '../../src/upgrade/one-offs/index.js';
import { oneOffsFor } from '../../src/upgrade/hops.js';

const HEAD = 'GROUP                          TOPIC                          PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID';
const row = (g: string, t: string, cur: number | '-', end: number, lag: number | '-') => `${g} ${t} 0 ${cur} ${end} ${lag} - - -`;
const describe = (...rows: string[]) => `\nConsumer group 'x' has no active members.\n\n${HEAD}\n${rows.join('\n')}\n`;

test('parseLags reads the describe table; "-" as lag counts the whole log; pendingLags keeps lag > 0', () => {
  const rows = parseLags(describe(row('snuba-consumers', 'events', 5, 8, 3), row('ingest-consumer', 'ingest-events', 6, 6, 0), row('new-group', 'outcomes', '-', 4, '-')));
  assert.deepEqual(rows.map((r) => [r.group, r.topic, r.lag]), [['snuba-consumers', 'events', 3], ['ingest-consumer', 'ingest-events', 0], ['new-group', 'outcomes', 4]]);
  assert.equal(describeLags(pendingLags(rows)), 'snuba-consumers events[0] lag 3, new-group outcomes[0] lag 4');
  assert.deepEqual(parseLags("Consumer group 'gone' does not exist."), []);
});

test('kafkaDirKind: empty, KRaft (node.id, version 1), else ZooKeeper-era', () => {
  assert.equal(kafkaDirKind(undefined, false), 'empty');
  assert.equal(kafkaDirKind('#\nnode.id=1001\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qk', true), 'kraft');
  assert.equal(kafkaDirKind('#\nversion=0\nbroker.id=1001\ncluster.id=abc', true), 'zookeeper');
  assert.equal(kafkaDirKind(undefined, true), 'zookeeper');
});

function fake(lags: number[][], volumes: Record<string, Record<string, string>> = {}, stoppedConsumers: string[] = []) {
  const calls: string[] = [];
  let t = 0;
  let poll = 0;
  const vols = new Map(Object.entries(volumes).map(([k, v]) => [k, new Map(Object.entries(v))]));
  const e: KafkaEngine = {
    async stopServices(p, s) { calls.push(`stop ${p} ${s.join(',')}`); return ['n1', 'r1']; },
    async startContainers(ids) { calls.push(`start ${ids.join(',')}`); },
    async startStoppedExcept(p, s) { calls.push(`start-stopped ${p} except ${s.join(',')}`); return stoppedConsumers; },
    async describeGroups() {
      const l = lags[Math.min(poll++, lags.length - 1)];
      return describe(...l.map((lag, i) => row(`group-${i}`, `topic-${i}`, 10 - lag, 10, lag)));
    },
    async readMeta(s) { return vols.get(s)?.get('meta.properties'); },
    async hasData(s) { return (vols.get(s)?.size ?? 0) > 0; },
    async empty(s) { calls.push(`empty ${s}`); vols.set(s, new Map()); },
    async isCompleteCopy(c) { return vols.get(c)?.get('complete') === 'yes'; },
    async copy(s, c) { calls.push(`copy ${s} ${c}`); vols.set(c, new Map([...vols.get(s)!, ['complete', 'yes']])); },
    async restore(c, s) { calls.push(`restore ${c} ${s}`); const m = new Map(vols.get(c)!); m.delete('complete'); vols.set(s, m); },
    async remove(c) { calls.push(`remove ${c}`); vols.delete(c); },
    async removeVolume(n) { calls.push(`remove-volume ${n}`); vols.delete(n); },
    async sleep(ms) { t += ms; },
    now: () => t,
  };
  return { e, calls, vols };
}
const say = () => undefined;

test('drain: producers stopped first, a stopped consumer started, lag polled until every group is at 0; the undo starts the producers again', async () => {
  const f = fake([[3, 1], [1, 0], [0, 0]], {}, ['events-consumer']);
  const lines: string[] = [];
  const r = await drainKafka({ project: 'sentry-self-hosted', timeoutMs: 60_000 }, f.e, (l) => lines.push(l));
  assert.equal(r.done, 'every consumer group at lag 0 (2 groups); producers stopped');
  assert.deepEqual(f.calls, ['stop sentry-self-hosted nginx,relay', 'start-stopped sentry-self-hosted except nginx,relay']);
  assert.ok(lines.includes('waiting for group-0 topic-0[0] lag 3, group-1 topic-1[0] lag 1'), lines.join('\n'));
  assert.ok(lines.some((l) => /started the stopped events-consumer/.test(l)));
  await r.undo(say);
  assert.deepEqual(f.calls.slice(2), ['start n1,r1']);
});

test('drain: a group that stays behind refuses after the bounded wait, naming group, topic and lag, with the producers running again', async () => {
  const f = fake([[0, 2]]);
  await assert.rejects(drainKafka({ project: 'p', timeoutMs: 10_000, pollMs: 2000 }, f.e, say), (err: Error) => {
    assert.match(err.message, /Kafka did not drain within 10 s; messages not consumed yet: group-1 topic-1\[0\] lag 2/);
    return true;
  });
  assert.deepEqual(f.calls, ['stop p nginx,relay', 'start-stopped p except nginx,relay', 'start n1,r1']);
});

const vol = { source: 'sentry-kafka', copy: 'sentry-kafka.before-24.8.0', zookeeper: ['sentry-zookeeper', 'sentry-self-hosted_sentry-zookeeper-log'] };
const ZK = { 'meta.properties': 'version=0\nbroker.id=1001', 'events-0/00000000000000000000.log': 'm1\nm2\n' };

test('fresh volume: ZooKeeper-era data copied aside, then emptied; the undo puts it back; finish drops the copy and sentry-zookeeper', async () => {
  const f = fake([], { 'sentry-kafka': ZK, 'sentry-zookeeper': { 'version-2/snapshot.0': 'x' }, 'sentry-self-hosted_sentry-zookeeper-log': { 'version-2/log.1': 'x' } });
  const r = await freshKafkaVolume(vol, f.e, say);
  assert.match(r.done!, /kept in sentry-kafka\.before-24\.8\.0/);
  assert.deepEqual(f.calls, ['copy sentry-kafka sentry-kafka.before-24.8.0', 'empty sentry-kafka']);
  assert.equal(f.vols.get('sentry-kafka')!.size, 0);
  await r.undo!(say);
  assert.equal(f.vols.get('sentry-kafka')!.get('events-0/00000000000000000000.log'), 'm1\nm2\n');
  await r.finish!();
  assert.equal(f.vols.has('sentry-kafka.before-24.8.0'), false);
  assert.equal(f.vols.has('sentry-zookeeper'), false);
  assert.equal(f.vols.has('sentry-self-hosted_sentry-zookeeper-log'), false, 'a ZooKeeper log without its snapshots would stop a later ZooKeeper');
});

test('fresh volume after a kill: a complete copy is not made again (only the emptying runs); a cut copy is made again; KRaft data is left alone', async () => {
  const killedAfterCopy = fake([], { 'sentry-kafka': ZK, 'sentry-kafka.before-24.8.0': { ...ZK, complete: 'yes' } });
  const r = await freshKafkaVolume(vol, killedAfterCopy.e, say);
  assert.deepEqual(killedAfterCopy.calls, ['empty sentry-kafka']);
  assert.ok(r.undo);
  const cut = fake([], { 'sentry-kafka': ZK, 'sentry-kafka.before-24.8.0': { 'meta.properties': 'half' } });
  await freshKafkaVolume(vol, cut.e, say);
  assert.deepEqual(cut.calls, ['copy sentry-kafka sentry-kafka.before-24.8.0', 'empty sentry-kafka']);
  // Killed after the emptying, KRaft already formatted it: nothing to do, the earlier copy is still the undo.
  const kraft = fake([], { 'sentry-kafka': { 'meta.properties': 'node.id=1001\nversion=1\ncluster.id=MkU3' }, 'sentry-kafka.before-24.8.0': { ...ZK, complete: 'yes' } });
  const k = await freshKafkaVolume(vol, kraft.e, say);
  assert.match(k.skipped!, /in KRaft format already/);
  assert.deepEqual(kraft.calls, []);
  assert.ok(k.undo);
  const empty = fake([], {});
  const n = await freshKafkaVolume(vol, empty.e, say);
  assert.match(n.skipped!, /empty/);
  assert.equal(n.undo, undefined);
});

test('the 24.8.0 hop runs the ClickHouse steps and the KRaft move; the drain runs before the old stack stops', () => {
  assert.deepEqual(oneOffsFor('23.11.0', '24.8.0'), ['clickhouse-21.8-to-23.3', 'kafka-zookeeper-to-kraft']);
  assert.ok(ONE_OFFS['kafka-zookeeper-to-kraft'].beforeStop);
  assert.equal(ONE_OFFS['clickhouse-21.8-to-23.3'].beforeStop, undefined);
});
