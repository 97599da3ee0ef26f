/**
 * ClickHouse upgrades one version at a time (install/upgrade-clickhouse.sh of 24.8.0 and 25.9.0 on): a server
 * refuses data last written more than one step back, so between the release that ran and the target every
 * intermediate server starts on the data once, converts it, and stops. The official script keys on the running
 * clickhouse container of the old project and skips silently when it is gone; here the version is asked of the
 * data itself (the old release's server, started on it in a one-off container), before the target starts.
 *
 * Explicit, idempotent, resumable: each step that has run is recorded in the data directory
 * (.sentry-onprem-clickhouse-steps), so a run killed in the middle goes on from the last recorded step (a step
 * started twice is a no-op for the server). Undo: the data is rewritten, so before the first step the whole
 * directory is copied (sentry-clickhouse.before-<target>, sized by the hop preflight); the undo puts that copy
 * back; the copy goes when the hop has succeeded.
 */
import { imagesFor, mirroredName } from '../../render/images.js';
import { demux, docker, execIn } from '../../install/docker.js';
import { UserError, EXIT } from '../../errors.js';
import { DIR_LABEL, TAG_LABEL } from '../../ownership/engine.js';
import { must, volumeCopies, type VolumeCopies } from './volume-copy.js';
import { ensureImage } from '../stack.js';
import { dataSource, runThrowaway } from './throwaway.js';
import type { OneOff, OneOffEnv } from './types.js';

export interface ClickhouseChain {
  /** Versions (as `SELECT version()` says) the chain starts from. */
  start: string[];
  /** Base images of the intermediate servers, in order; the target release's own server follows them. */
  steps: string[];
}

/** 23.11.0 -> 24.8.0: 21.8 -> 22.8 -> 23.3, then 24.8.0's 23.8. */
export const CLICKHOUSE_21_8_TO_23_3: ClickhouseChain = {
  start: ['21.8.13.1.altinitystable', '21.8.12.29.altinitydev.arm'],
  steps: ['altinity/clickhouse-server:22.8.15.25.altinitystable', 'altinity/clickhouse-server:23.3.19.33.altinitystable'],
};

/** 25.5.1 -> 26.5.1: 23.8 -> 24.8, then 26.5.1's 25.3. */
export const CLICKHOUSE_23_8_TO_24_8: ClickhouseChain = {
  start: ['23.8.11.29.altinitystable'],
  steps: ['altinity/clickhouse-server:24.8.14.10459.altinitystable'],
};

export const RECORD = '.sentry-onprem-clickhouse-steps';

/** What the one-off needs of the engine: the seam unit tests fake. */
export interface ClickhouseEngine extends VolumeCopies {
  /** A file of the data directory, or undefined. */
  readFile(source: string, name: string): Promise<string | undefined>;
  appendLine(source: string, name: string, line: string): Promise<void>;
  /** Starts `image`'s server on the data, asks SELECT version(), stops it. */
  serverVersion(image: string, source: string): Promise<{ version?: string; log: string }>;
  ensureImage(image: string, out: (l: string) => void): Promise<void>;
}

const versionOf = (image: string) => image.split(':').pop() ?? image;

/** Pure: the steps still to run, from the version found (or the record of an interrupted run). */
export function clickhousePlan(chain: ClickhouseChain, found: { version?: string; recorded: string[] }): { steps: string[]; why: string } {
  const done = new Set(found.recorded);
  if (found.recorded.length) {
    const left = chain.steps.filter((s) => !done.has(versionOf(s)));
    return { steps: left, why: left.length ? `resuming after ${found.recorded[found.recorded.length - 1]} (recorded by an earlier run)` : `every step recorded: ${found.recorded.join(' -> ')}` };
  }
  if (found.version && chain.start.includes(found.version)) return { steps: chain.steps, why: `data at ${found.version}: ${chain.steps.map(versionOf).join(' -> ')}` };
  return { steps: [], why: `data at ${found.version ?? 'an unknown version'}: no step of ${chain.start[0]} -> ${chain.steps.map(versionOf).join(' -> ')} applies` };
}

export async function runClickhouseSteps(
  o: { id: string; chain: ClickhouseChain; fromImage: string; source: string; copy: string; registry: Parameters<typeof mirroredName>[1] },
  e: ClickhouseEngine,
  out: (l: string) => void,
) {
  if (!(await e.hasData(o.source))) return { skipped: 'no ClickHouse data yet' };
  const recorded = ((await e.readFile(o.source, RECORD)) ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  let version: string | undefined;
  if (!recorded.length) {
    await e.ensureImage(o.fromImage, out);
    const r = await e.serverVersion(o.fromImage, o.source);
    if (!r.version) throw new UserError(`the ClickHouse server of the running release (${o.fromImage}) did not start on its data: ${r.log.trim().slice(-600)}`, EXIT.failure);
    version = r.version;
  }
  const plan = clickhousePlan(o.chain, { version, recorded });
  out(plan.why);
  if (!plan.steps.length && !recorded.length) return { skipped: plan.why };
  // The copy for the undo: made once, before the first step rewrites anything.
  if (!recorded.length && !(await e.isCompleteCopy(o.copy))) {
    out(`copying the ClickHouse data to ${o.copy} (the undo)`);
    await e.copy(o.source, o.copy);
  }
  const walked: string[] = [];
  for (const step of plan.steps) {
    const image = mirroredName(step, o.registry);
    await e.ensureImage(image, out);
    const r = await e.serverVersion(image, o.source);
    if (r.version !== versionOf(step)) {
      throw new UserError(`ClickHouse ${versionOf(step)} did not start on the data (${r.version ? `it says ${r.version}` : 'no answer'}): ${r.log.trim().slice(-600)}`, EXIT.failure);
    }
    await e.appendLine(o.source, RECORD, versionOf(step));
    walked.push(versionOf(step));
    out(`ClickHouse ${versionOf(step)} started on the data and stopped`);
  }
  const hasCopy = await e.isCompleteCopy(o.copy);
  return {
    done: `ClickHouse data ${version ?? recorded[0] ?? ''} -> ${[...recorded, ...walked].join(' -> ')}${hasCopy ? ` (copy for the undo: ${o.copy})` : ''}`,
    undo: hasCopy
      ? async (u: (l: string) => void) => {
          await e.restore(o.copy, o.source);
          u(`put back the ClickHouse data from ${o.copy}`);
        }
      : undefined,
    finish: hasCopy ? () => e.remove(o.copy) : undefined,
  };
}

// --- the real engine ---

export function engineClickhouse(helper: string, labels: Record<string, string>, timeoutMs = Number(process.env.SENTRY_ONPREM_CLICKHOUSE_START_MS ?? 180_000)): ClickhouseEngine {
  const sh = (binds: string[], script: string, label: string) => runThrowaway({ image: helper, binds, script, label });
  return {
    ...volumeCopies(helper, labels),
    async readFile(source, name) {
      const r = await sh([`${source}:/d:ro`], `cat /d/${name} 2>/dev/null || true`, 'clickhouse-read');
      return r.output.trim() || undefined;
    },
    async appendLine(source, name, line) {
      // The whole record rewritten and renamed into place: a kill leaves the old record or the new one.
      await must(sh([`${source}:/d`], `set -e; { cat /d/${name} 2>/dev/null || true; echo '${line}'; } > /d/${name}.new; mv /d/${name}.new /d/${name}`, 'clickhouse-record'), 'recording the ClickHouse step');
    },
    async serverVersion(image, source) {
      const d = await docker();
      const c = await d.createContainer({ Image: image, Labels: { 'io.sentry-onprem.one-off': 'clickhouse-step' }, HostConfig: { Binds: [`${source}:/var/lib/clickhouse`] } });
      try {
        await c.start();
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          const st = (await c.inspect()) as { State: { Running: boolean } };
          if (!st.State.Running) break;
          const r = await execIn(c.id, ['clickhouse-client', '--query', 'SELECT version()']).catch(() => ({ exitCode: 1, output: '' }));
          // The answer is the line that is a version (stderr may carry other lines).
          const version = r.exitCode === 0 ? r.output.split('\n').map((l) => l.trim()).find((l) => /^\d+\.\d+\.\d+/.test(l)) : undefined;
          if (version) {
            await c.stop({ t: 30 }).catch(() => undefined);
            return { version, log: '' };
          }
          await new Promise((res) => setTimeout(res, 1000));
        }
        const logs = (await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
        return { log: demux(logs) };
      } finally {
        await c.remove({ force: true, v: true }).catch(() => undefined);
      }
    },
    ensureImage,
  };
}

export function clickhouseStepsOneOff(id: OneOff['id'], chain: ClickhouseChain, engine?: (env: OneOffEnv) => ClickhouseEngine): OneOff {
  return {
    id,
    title: `ClickHouse one version at a time: ${chain.start[0].split('.').slice(0, 2).join('.')} -> ${chain.steps.map((s) => versionOf(s).split('.').slice(0, 2).join('.')).join(' -> ')}`,
    plan: `start each intermediate ClickHouse (${chain.steps.map(versionOf).join(', ')}) on sentry-clickhouse once, after a copy of it for the undo`,
    images: (answers) => chain.steps.map((s) => mirroredName(s, answers.images)),
    async run(env, out) {
      const fromImage = imagesFor(env.from, env.answers.images).clickhouseBase;
      const source = dataSource(env.answers, env.dir, 'sentry-clickhouse');
      const copy = dataSource(env.answers, env.dir, `sentry-clickhouse.before-${env.to}`);
      const e = engine ? engine(env) : engineClickhouse(imagesFor(env.to, env.answers.images).postgres, { [DIR_LABEL]: env.dir, [TAG_LABEL]: env.to });
      return runClickhouseSteps({ id, chain, fromImage, source, copy, registry: env.answers.images }, e, out);
    },
  };
}
