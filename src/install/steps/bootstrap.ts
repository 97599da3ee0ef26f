/**
 * Step: the release's bootstrap actions (src/releases: `bootstrap`), each deciding for itself whether it is
 * done. Snuba's bootstrap runs once per Snuba image; the Relay credentials are written once, 0600, and kept
 * forever (a new key would orphan the registered Relay).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { imagesFor, sentryImageFor } from '../../render/images.js';
import { emptyCityDatabase } from '../geoip.js';
import { readPlanned } from '../planned-file.js';
import { RELEASES, omittedServices, type BootstrapAction } from '../../releases/index.js';
import { inspectImage } from '../docker.js';
import { repairZookeeper } from '../zookeeper.js';
import { syncDependencies } from '../sync-deps.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import { UserError, EXIT } from '../../errors.js';
import { done, skipped, type Ctx, type Step } from '../context.js';
import { profileOf } from '../../render/view.js';
import { S3_BUCKETS_PY } from '../s3-buckets.js';
import { waitComposeHealthy } from './up.js';

/** One action kind: whether it is done (and why), what it would do, and doing it (what it did, for the summary). */
interface Action<A extends BootstrapAction> {
  check(ctx: Ctx, a: A): Promise<{ done: string } | { would: string }>;
  run(ctx: Ctx, a: A, out: (l: string) => void): Promise<string[]>;
}

const snubaBootstrap: Action<Extract<BootstrapAction, { kind: 'snuba-bootstrap' }>> = {
  async check(ctx, a) {
    const snuba = await inspectImage(imagesFor(ctx.answers!.tag, ctx.answers!.images).snuba);
    if (snuba && ctx.state.snubaBootstrapped === snuba.id) return { done: 'Snuba bootstrapped with this image' };
    return { would: a.commands.map((c) => `run snuba-api ${c.join(' ')}`).join(', ') };
  },
  async run(ctx, a, out) {
    const did: string[] = [];
    const snuba = await inspectImage(imagesFor(ctx.answers!.tag, ctx.answers!.images).snuba);
    if (a.zookeeper && (await repairZookeeper(ctx.runner!, out))) did.push('zookeeper snapshot');
    // After the repair: a recreated zookeeper starts at once and must find its data sound.
    const recreated = await syncDependencies(ctx, 'snuba-api', out);
    if (recreated.length) did.push(`recreated ${recreated.join(', ')}`);
    for (const c of a.commands) await ctx.runner!.run(['run', '--rm', '-T', 'snuba-api', ...c], { onLine: out });
    ctx.state.snubaBootstrapped = snuba?.id;
    did.push('snuba bootstrap');
    return did;
  },
};

const relayCredentials: Action<Extract<BootstrapAction, { kind: 'relay-credentials' }>> = {
  async check(ctx) {
    return existsSync(join(ctx.layout.dir, 'relay/credentials.json')) ? { done: 'Relay credentials exist' } : { would: 'generate Relay credentials' };
  },
  async run(ctx, a, out) {
    const credsPath = join(ctx.layout.dir, 'relay/credentials.json');
    const cfg = join(ctx.layout.dir, 'relay/config.yml');
    const res = await ctx.runner!.run(
      ['run', '--rm', '--no-deps', '-T', '-v', `${cfg}:/tmp/config.yml:ro`, 'relay', '--config', '/tmp', 'credentials', 'generate', '--stdout'],
      { onLine: () => undefined, secretStdout: true },
    );
    const line = res.stdout.trim().split('\n').filter((l) => l.trim().startsWith('{')).pop() ?? '';
    let creds: { secret_key?: string; public_key?: string; id?: string };
    try {
      creds = JSON.parse(line);
    } catch {
      throw new UserError('relay credentials generate --stdout printed no JSON credentials', EXIT.failure, 'Its stdout is not logged (it would hold the secret); run it by hand to see what relay prints: docker compose run --rm --no-deps relay credentials generate --stdout.');
    }
    if (!creds.secret_key || !creds.public_key || !creds.id) {
      throw new UserError('relay printed credentials without secret_key, public_key and id', EXIT.failure);
    }
    ctx.log.addSecrets([creds.secret_key]);
    // The relay image reads it as its own user (a.uid): 0600 and root-owned, relay could not open it and
    // restarted forever. Without root, 0644 like the other files.
    writeFileAtomic(credsPath, JSON.stringify(creds) + '\n', { mode: process.getuid?.() === 0 ? 0o600 : 0o644, uid: a.uid });
    out(`relay/credentials.json written (relay id ${creds.id})`);
    return ['relay credentials'];
  },
};

/** Reads the file as rendered (or as planned in a dry run); nothing to record, so it runs every time. */
const fileCheck: Action<Extract<BootstrapAction, { kind: 'file-check' }>> = {
  async check(ctx, a) {
    const text = String(readPlanned(ctx, join(ctx.layout.dir, a.file)));
    if (text.includes(a.require)) return { done: `${a.file} names ${a.require}` };
    if (text.includes(a.refuse)) throw new UserError(`${a.file} names ${a.refuse}: ${a.why}`, EXIT.prerequisite, `Edit ${a.file}, then run again.`);
    return { done: `${a.file} names neither ${a.require} nor ${a.refuse} (edited by hand; left as it is)` };
  },
  async run() {
    return [];
  },
};

type S3Buckets = Extract<BootstrapAction, { kind: 's3-buckets' }>;
/** The buckets of the action that the install's profile uses, each with the retention days as its expiry. */
const wantedBuckets = (ctx: Ctx, a: S3Buckets) =>
  a.buckets.filter((b) => !b.profile || b.profile === profileOf(ctx.answers!)).map((b) => ({ name: b.name, days: ctx.answers!.retention.days }));

const s3Buckets: Action<S3Buckets> = {
  async check(ctx, a) {
    const missing = wantedBuckets(ctx, a).filter((b) => ctx.state.s3Buckets?.[b.name] !== b.days);
    if (!missing.length) return { done: `${a.service} buckets exist with their expiry` };
    return { would: `make ${a.service} buckets ${missing.map((b) => `${b.name} (expiry ${b.days} days)`).join(', ')}` };
  },
  async run(ctx, a, out) {
    const buckets = wantedBuckets(ctx, a);
    await waitComposeHealthy(ctx, out, [a.service]);
    const input = JSON.stringify({ endpoint: a.endpoint, accessKey: a.accessKey, secretKey: a.secretKey, buckets });
    await ctx.runner!.run(['run', '--rm', '--no-deps', '-T', '--entrypoint', 'python3', a.runIn, '-c', S3_BUCKETS_PY], { input, onLine: out });
    ctx.state.s3Buckets = { ...ctx.state.s3Buckets, ...Object.fromEntries(buckets.map((b) => [b.name, b.days])) };
    return [`${a.service} buckets ${buckets.map((b) => b.name).join(', ')}`];
  },
};

/** The services of a wait that the compose file has: those of an external server are not rendered. */
const waited = (ctx: Ctx, services: string[]) => {
  const omitted = omittedServices(ctx.answers!);
  return services.filter((s) => !omitted.has(s));
};

/** Needed only before other pending work: on its own, a wait is never the reason to run the bootstrap. */
const composeWait: Action<Extract<BootstrapAction, { kind: 'compose-wait' }>> = {
  async check(ctx, a) {
    const services = waited(ctx, a.services);
    return services.length ? { would: `wait for ${services.join(', ')} healthy` } : { done: `${a.services.join(', ')}: external, not run here` };
  },
  async run(ctx, a, out) {
    const services = waited(ctx, a.services);
    if (services.length) await waitComposeHealthy(ctx, out, services);
    return [];
  },
};

type KafkaTopics = Extract<BootstrapAction, { kind: 'kafka-topics' }>;
const kafkaTopics: Action<KafkaTopics> = {
  async check(ctx, a) {
    const missing = a.topics.filter((t) => !ctx.state.kafkaTopics?.includes(t));
    return missing.length ? { would: `create Kafka topics ${missing.join(', ')} when missing` } : { done: 'Kafka topics exist' };
  },
  async run(ctx, a, out) {
    const kafka = (...args: string[]) => ['run', '--rm', '-T', a.service, 'kafka-topics', ...args, '--bootstrap-server', a.bootstrapServer];
    const listed = await ctx.runner!.run(kafka('--list'), { onLine: () => undefined });
    const existing = new Set(listed.stdout.split('\n').map((l) => l.trim()));
    const created = a.topics.filter((t) => !existing.has(t));
    for (const t of created) await ctx.runner!.run(kafka('--create', '--topic', t), { onLine: out });
    ctx.state.kafkaTopics = [...new Set([...(ctx.state.kafkaTopics ?? []), ...a.topics])];
    return created.length ? [`kafka topics ${created.join(', ')}`] : [];
  },
};

const geoipDatabase: Action<Extract<BootstrapAction, { kind: 'geoip-database' }>> = {
  async check(ctx, a) {
    return existsSync(join(ctx.layout.dir, a.path)) ? { done: `${a.path} exists` } : { would: `write an empty ${a.path}` };
  },
  async run(ctx, a, out) {
    const path = join(ctx.layout.dir, a.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, emptyCityDatabase(Math.floor(Date.now() / 1000)), { mode: 0o644 });
    out(`${a.path} written (empty: IP geolocation needs a MaxMind license in geoip/GeoIP.conf)`);
    return ['empty geoip database'];
  },
};

/** `sentry exec` with the script on stdin (as the superuser step): Django is set up and the script runs against the database. */
const sentryScript: Action<Extract<BootstrapAction, { kind: 'sentry-script' }>> = {
  async check(ctx, a) {
    const image = await inspectImage(sentryImageFor(ctx.answers!.tag, ctx.answers!.images.registry));
    if (image && ctx.state.sentryScripts?.[a.id] === image.id) return { done: `${a.id} done with this Sentry image` };
    return { would: `run ${a.id} (sentry exec)` };
  },
  async run(ctx, a, out) {
    const image = await inspectImage(sentryImageFor(ctx.answers!.tag, ctx.answers!.images.registry));
    await ctx.runner!.run(['run', '--rm', '-T', 'web', 'sentry', 'exec'], { input: a.script + '\n', onLine: out });
    ctx.state.sentryScripts = { ...ctx.state.sentryScripts, [a.id]: image?.id ?? '' };
    return [a.id];
  },
};

const ACTIONS: { [K in BootstrapAction['kind']]: Action<Extract<BootstrapAction, { kind: K }>> } = {
  'snuba-bootstrap': snubaBootstrap,
  'relay-credentials': relayCredentials,
  'file-check': fileCheck,
  'geoip-database': geoipDatabase,
  'sentry-script': sentryScript,
  's3-buckets': s3Buckets,
  'compose-wait': composeWait,
  'kafka-topics': kafkaTopics,
};
const actionOf = <A extends BootstrapAction>(a: A) => ACTIONS[a.kind] as unknown as Action<A>;

export const bootstrapStep: Step = {
  id: 'bootstrap',
  title: 'Bootstrap Snuba and Relay',
  async run(ctx, out) {
    const a = ctx.answers!;
    const actions = RELEASES[a.tag].bootstrap;
    if (!actions.length) return skipped(`Sentry ${a.tag} has no bootstrap work (no Snuba or Relay)`);
    const pending: BootstrapAction[] = [];
    const doneNotes: string[] = [];
    const would: string[] = [];
    for (const action of actions) {
      const c = await actionOf(action).check(ctx, action);
      if ('done' in c) doneNotes.push(c.done);
      else {
        pending.push(action);
        would.push(c.would);
      }
    }
    if (!pending.some((p) => p.kind !== 'compose-wait')) return skipped(doneNotes.join('; '));
    if (ctx.dryRun) return skipped(`dry run: would ${would.join(' and ')}`);
    const did: string[] = [];
    for (const action of pending) did.push(...(await actionOf(action).run(ctx, action, out)));
    return done(did.join(', '));
  },
};
