/**
 * Step: database migrations. Waits (bounded) until PostgreSQL accepts connections, because Sentry's own
 * `upgrade` does not retry, then runs `upgrade --noinput` once per Sentry image.
 */
import { inspectImage, projectContainers, execIn } from '../docker.js';
import { sentryImageFor } from '../../render/images.js';
import { RELEASES } from '../../releases/index.js';
import { CancelledError, UserError, EXIT } from '../../errors.js';
import { syncDependencies } from '../sync-deps.js';
import { done, skipped, type Ctx, type Step } from '../context.js';
import { postgresSource, refuseSecondPostgres } from '../../ownership/postgres-guard.js';

export async function waitForPostgres(ctx: Ctx, out: (l: string) => void, timeoutMs = Number(process.env.SENTRY_ONPREM_PG_TIMEOUT_MS ?? 90_000)): Promise<void> {
  const runner = ctx.runner!;
  const external = ctx.answers!.postgres?.external;
  if (external) {
    // Not ours to start: the preflight check `external-db` connected to it as Sentry will.
    out(`PostgreSQL is the external server ${external.host}:${external.port} (checked before the install changed anything)`);
    return;
  }
  const find = async () => (await projectContainers(ctx.project!)).find((c) => c.service === 'postgres' && !c.oneoff);
  let pg = await find();
  if (!pg || pg.state !== 'running') {
    await refuseSecondPostgres({ source: postgresSource(ctx.answers!, ctx.layout.dir), ownProject: ctx.project });
    await runner.run(['up', '-d', 'postgres'], { onLine: out });
    pg = await find();
  }
  if (!pg) throw new UserError('the postgres service has no container after `up -d postgres`', EXIT.failure);
  const start = Date.now();
  let last = '';
  while (Date.now() - start < timeoutMs) {
    if (runner.cancelled) throw new CancelledError('cancelled while waiting for PostgreSQL');
    try {
      const r = await execIn(pg.id, ['pg_isready', '-U', 'postgres', '-h', '127.0.0.1', '-q']);
      // initdb's temporary server listens on the socket only; a TCP answer means the real server is up.
      if (r.exitCode === 0) {
        const q = await execIn(pg.id, ['psql', '-U', 'postgres', '-h', '127.0.0.1', '-Atc', 'select 1']);
        if (q.exitCode === 0 && q.output.trim() === '1') {
          out(`PostgreSQL accepts connections after ${((Date.now() - start) / 1000).toFixed(1)} s`);
          ctx.log.write(`wait postgres ${Date.now() - start} ms`);
          return;
        }
        last = q.output.trim();
      } else last = r.output.trim() || `pg_isready exit ${r.exitCode}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new UserError(
    `PostgreSQL did not accept connections within ${Math.round(timeoutMs / 1000)} s (last answer: ${last || 'none'})`,
    EXIT.failure,
    'Look at `docker compose logs postgres` (disk full, a damaged data directory, or a slow disk), then run again.',
  );
}

/** The release's migrations command (`migrate`), by default `sentry upgrade --noinput`. */
const migrateCommand = (ctx: Ctx) => RELEASES[ctx.answers!.tag].migrate ?? ['sentry', 'upgrade', '--noinput'];

export const migrationsStep: Step = {
  id: 'migrations',
  title: 'Run database migrations',
  async run(ctx, out) {
    const sentryImage = sentryImageFor(ctx.answers!.tag, ctx.answers!.images);
    const image = await inspectImage(sentryImage);
    if (ctx.dryRun && ctx.wouldBuild?.includes(sentryImage)) return skipped('dry run: would run `sentry upgrade --noinput` with the rebuilt Sentry image');
    if (image && ctx.state.migratedImage === image.id && ctx.state.tag === ctx.answers!.tag) {
      return skipped('the database is migrated for this Sentry image');
    }
    if (ctx.dryRun) return skipped(`dry run: would wait for PostgreSQL, then run \`${migrateCommand(ctx).join(' ')}\``);
    await syncDependencies(ctx, 'web', out);
    await waitForPostgres(ctx, out);
    await ctx.runner!.run(['run', '--rm', '-T', 'web', ...migrateCommand(ctx)], { onLine: out });
    ctx.state.migratedImage = image?.id;
    ctx.state.tag = ctx.answers!.tag;
    return done('migrations applied');
  },
};
