/**
 * Kafka 5.5 on ZooKeeper -> 7.6 in KRaft mode (24.8.0). The official installer starts the KRaft broker on the
 * ZooKeeper-era sentry-kafka volume, which fails ("Invalid cluster.id", getsentry/snuba#6562); its documented way
 * out deletes the volume with whatever was not consumed yet. Here, safely:
 *
 * 1. while the old release still runs (before its stop): the producers (nginx, relay) are stopped, then every
 *    consumer group is waited for until its lag is 0 (`kafka-consumer-groups --all-groups --describe`), bounded
 *    in time; a group that does not drain refuses the hop naming the groups and lags (the undo starts the
 *    producers again);
 * 2. with the old stack stopped: a ZooKeeper-era sentry-kafka is copied aside (sentry-kafka.before-<target>: the
 *    undo) and emptied, so the KRaft broker formats it fresh. A KRaft-formatted or empty volume is left alone,
 *    and a copy cut short is made again, so a re-run after a kill completes the step;
 * 3. after the hop succeeded: the copy, the sentry-zookeeper volume and the project's ZooKeeper log volume go.
 */
import { imagesFor } from '../../render/images.js';
import { docker, execIn } from '../../install/docker.js';
import { UserError, EXIT } from '../../errors.js';
import { DIR_LABEL, TAG_LABEL } from '../../ownership/engine.js';
import { dataSource, runThrowaway } from './throwaway.js';
import { volumeCopies, must, type VolumeCopies } from './volume-copy.js';
import type { OneOff, OneOffEnv } from './types.js';

export interface GroupLag {
  group: string;
  topic: string;
  partition: string;
  lag: number;
}

/**
 * Pure: the rows of `kafka-consumer-groups --describe` output. LAG "-" (no committed offset) counts the whole
 * log as unread.
 */
export function parseLags(text: string): GroupLag[] {
  const rows: GroupLag[] = [];
  let cols: string[] | undefined;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'GROUP') {
      cols = f;
      continue;
    }
    if (!cols || f.length < cols.length - 3) continue;
    const at = (name: string) => f[cols!.indexOf(name)];
    const lag = at('LAG');
    const end = Number(at('LOG-END-OFFSET'));
    const n = lag === '-' ? (Number.isFinite(end) ? end : 0) : Number(lag);
    if (!Number.isFinite(n)) continue;
    rows.push({ group: at('GROUP'), topic: at('TOPIC'), partition: at('PARTITION'), lag: n });
  }
  return rows;
}

export function pendingLags(rows: GroupLag[]): GroupLag[] {
  return rows.filter((r) => r.lag > 0);
}

export const describeLags = (rows: GroupLag[]) => rows.map((r) => `${r.group} ${r.topic}[${r.partition}] lag ${r.lag}`).join(', ');

/** What meta.properties says about a Kafka data directory. */
export function kafkaDirKind(meta: string | undefined, hasData: boolean): 'empty' | 'kraft' | 'zookeeper' {
  if (!hasData) return 'empty';
  const props = Object.fromEntries((meta ?? '').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]));
  return props['node.id'] !== undefined && props.version === '1' ? 'kraft' : 'zookeeper';
}

export interface KafkaEngine extends VolumeCopies {
  /** Stops the running containers of these services of the project; returns their ids. */
  stopServices(project: string, services: string[]): Promise<string[]>;
  startContainers(ids: string[]): Promise<void>;
  /** Starts the project's stopped containers other than these services (a consumer that does not run cannot drain); returns their service names. */
  startStoppedExcept(project: string, services: string[]): Promise<string[]>;
  /** `kafka-consumer-groups --all-groups --describe` in the project's running kafka container. */
  describeGroups(project: string): Promise<string>;
  readMeta(source: string): Promise<string | undefined>;
  empty(source: string): Promise<void>;
  removeVolume(name: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export const PRODUCERS = ['nginx', 'relay'];

export async function drainKafka(o: { project: string; timeoutMs: number; pollMs?: number }, e: KafkaEngine, out: (l: string) => void) {
  const stopped = await e.stopServices(o.project, PRODUCERS);
  out(`stopped the producers (${PRODUCERS.join(', ')}: ${stopped.length} containers)`);
  const started = await e.startStoppedExcept(o.project, PRODUCERS);
  if (started.length) out(`started the stopped ${started.join(', ')}: a consumer that does not run cannot drain`);
  const undo = async (u: (l: string) => void) => {
    await e.startContainers(stopped);
    u(`started ${PRODUCERS.join(', ')} again`);
  };
  const deadline = e.now() + o.timeoutMs;
  let pending: GroupLag[] = [];
  let groups = 0;
  for (;;) {
    const rows = parseLags(await e.describeGroups(o.project));
    groups = new Set(rows.map((r) => r.group)).size;
    pending = pendingLags(rows);
    if (!pending.length) break;
    if (e.now() >= deadline) {
      await undo(out).catch(() => undefined);
      throw new UserError(
        `Kafka did not drain within ${Math.round(o.timeoutMs / 1000)} s; messages not consumed yet: ${describeLags(pending)}`,
        EXIT.failure,
        'Nothing of the new release was started and the producers run again. Make those consumers run (docker compose ps; their logs), then run the upgrade again; SENTRY_ONPREM_KAFKA_DRAIN_MS sets the wait.',
      );
    }
    out(`waiting for ${describeLags(pending)}`);
    await e.sleep(o.pollMs ?? 2000);
  }
  return { done: `every consumer group at lag 0 (${groups} groups); producers stopped`, undo };
}

export async function freshKafkaVolume(o: { source: string; copy: string; zookeeper: string[] }, e: KafkaEngine, out: (l: string) => void) {
  const kind = kafkaDirKind(await e.readMeta(o.source), await e.hasData(o.source));
  // ZooKeeper's data and its transaction log go together: a log without its snapshots stops a later ZooKeeper.
  const finish = async () => {
    await e.remove(o.copy);
    for (const z of o.zookeeper) await e.removeVolume(z);
  };
  if (kind !== 'zookeeper') {
    const copied = await e.isCompleteCopy(o.copy);
    return { skipped: `sentry-kafka is ${kind === 'kraft' ? 'in KRaft format already' : 'empty'}: the KRaft broker starts on it`, undo: copied ? restoreUndo(o, e) : undefined, finish };
  }
  if (!(await e.isCompleteCopy(o.copy))) {
    out(`copying the drained ZooKeeper-era Kafka data to ${o.copy} (the undo)`);
    await e.copy(o.source, o.copy);
  }
  await e.empty(o.source);
  return { done: `ZooKeeper-era data kept in ${o.copy}; sentry-kafka emptied for the KRaft broker`, undo: restoreUndo(o, e), finish };
}

function restoreUndo(o: { source: string; copy: string }, e: KafkaEngine) {
  return async (u: (l: string) => void) => {
    await e.restore(o.copy, o.source);
    u(`put back the ZooKeeper-era Kafka data from ${o.copy}`);
  };
}

// --- the real engine ---

const projectFilter = (project: string, service: string) => ({ label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] });

export function engineKafka(helper: string, labels: Record<string, string>): KafkaEngine {
  const sh = (binds: string[], script: string, label: string) => runThrowaway({ image: helper, binds, script, label });
  return {
    ...volumeCopies(helper, labels),
    async stopServices(project, services) {
      const d = await docker();
      const ids: string[] = [];
      for (const s of services) {
        for (const c of await d.listContainers({ filters: projectFilter(project, s) })) {
          await d.getContainer(c.Id).stop({ t: 10 }).catch(() => undefined);
          ids.push(c.Id);
        }
      }
      return ids;
    },
    async startStoppedExcept(project, services) {
      const d = await docker();
      const list = await d.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`], status: ['exited', 'created'] } });
      const names: string[] = [];
      for (const c of list) {
        const service = c.Labels['com.docker.compose.service'];
        if (services.includes(service) || (c.Labels['com.docker.compose.oneoff'] ?? '').toLowerCase() === 'true') continue;
        await d.getContainer(c.Id).start();
        names.push(service);
      }
      return names;
    },
    async startContainers(ids) {
      const d = await docker();
      for (const id of ids) await d.getContainer(id).start().catch(() => undefined);
    },
    async describeGroups(project) {
      const d = await docker();
      const [kafka] = await d.listContainers({ filters: projectFilter(project, 'kafka') });
      if (!kafka) throw new UserError(`the kafka service of project ${project} is not running: its consumer groups cannot be drained`, EXIT.failure, 'Start Sentry (docker compose up -d), then run the upgrade again.');
      return must(execIn(kafka.Id, ['kafka-consumer-groups', '--bootstrap-server', 'localhost:9092', '--all-groups', '--describe']), 'kafka-consumer-groups --describe');
    },
    async readMeta(source) {
      return (await sh([`${source}:/d:ro`], 'cat /d/meta.properties 2>/dev/null || true', 'kafka-meta')).output.trim() || undefined;
    },
    async empty(source) {
      await must(sh([`${source}:/d`], 'find /d -mindepth 1 -delete', 'kafka-empty'), 'emptying sentry-kafka');
    },
    async removeVolume(name) {
      if (name.startsWith('/')) await must(sh([`${name}:/d`], 'find /d -mindepth 1 -delete', 'zookeeper-remove'), `emptying ${name}`);
      else await (await docker()).getVolume(name).remove().catch(() => undefined);
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
}

export function kafkaKraftOneOff(engine?: (env: OneOffEnv) => KafkaEngine): OneOff {
  const eng = (env: OneOffEnv) => (engine ? engine(env) : engineKafka(imagesFor(env.to, env.answers.images).postgres, { [DIR_LABEL]: env.dir, [TAG_LABEL]: env.to }));
  return {
    id: 'kafka-zookeeper-to-kraft',
    title: 'Kafka on ZooKeeper -> KRaft on a fresh sentry-kafka',
    plan: 'stop nginx and relay, wait for every consumer group to reach lag 0, then keep the old sentry-kafka as a copy and start KRaft on it emptied; sentry-zookeeper removed after success',
    beforeStop: {
      title: 'Drain Kafka: producers stopped, every consumer group to lag 0',
      run: (env, out) => drainKafka({ project: env.fromProject!, timeoutMs: Number(process.env.SENTRY_ONPREM_KAFKA_DRAIN_MS ?? 300_000) }, eng(env), out),
    },
    async run(env, out) {
      const source = dataSource(env.answers, env.dir, 'sentry-kafka');
      return freshKafkaVolume(
        {
          source,
          copy: dataSource(env.answers, env.dir, `sentry-kafka.before-${env.to}`),
          zookeeper: [dataSource(env.answers, env.dir, 'sentry-zookeeper'), ...(env.fromProject ? [`${env.fromProject}_sentry-zookeeper-log`] : [])],
        },
        eng(env),
        out,
      );
    },
  };
}
