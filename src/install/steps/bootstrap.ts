/**
 * Step: release-specific bootstrap. For 20.7.0: `snuba-api bootstrap --force` (once per Snuba image) and
 * the Relay credentials (written once, 0600, kept forever: a new key would orphan the registered Relay).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { imagesFor } from '../../render/images.js';
import { RELEASES } from '../../catalog.js';
import { inspectImage } from '../docker.js';
import { repairZookeeper } from '../zookeeper.js';
import { syncDependencies } from '../sync-deps.js';
import { writeFileAtomic } from '../../fs/atomic.js';
import { UserError, EXIT } from '../../errors.js';
import { done, skipped, type Step } from '../context.js';

const RELAY_UID = 10001;

export const bootstrapStep: Step = {
  id: 'bootstrap',
  title: 'Bootstrap Snuba and Relay',
  async run(ctx, out) {
    const a = ctx.answers!;
    if (a.tag === '9.1.2') return skipped('Sentry 9.1.2 has no Snuba or Relay');
    const did: string[] = [];
    const snuba = await inspectImage(imagesFor(a.tag, a.images.registry).snuba!);
    const snubaDone = snuba && ctx.state.snubaBootstrapped === snuba.id;
    const credsPath = join(ctx.layout.dir, 'relay/credentials.json');
    const credsDone = existsSync(credsPath);
    if (snubaDone && credsDone) return skipped('Snuba bootstrapped with this image; Relay credentials exist');
    if (ctx.dryRun) {
      return skipped(`dry run: would ${[!snubaDone && 'run snuba-api bootstrap --force', !credsDone && 'generate Relay credentials'].filter(Boolean).join(' and ')}`);
    }
    if (!snubaDone) {
      if (await repairZookeeper(ctx.runner!, out)) did.push('zookeeper snapshot');
      // After the repair: a recreated zookeeper starts at once and must find its data sound.
      const recreated = await syncDependencies(ctx, 'snuba-api', out);
      if (recreated.length) did.push(`recreated ${recreated.join(', ')}`);
      await ctx.runner!.run(['run', '--rm', '-T', 'snuba-api', 'bootstrap', '--force'], { onLine: out });
      ctx.state.snubaBootstrapped = snuba?.id;
      did.push('snuba bootstrap');
    }
    if (!credsDone) {
      const cfg = join(ctx.layout.dir, 'relay/config.yml');
      const res = await ctx.runner!.run(
        ['run', '--rm', '--no-deps', '-T', '-v', `${cfg}:/tmp/config.yml:ro`, 'relay', '--config', '/tmp', 'credentials', 'generate', '--stdout'],
        { onLine: () => undefined },
      );
      const line = res.stdout.trim().split('\n').filter((l) => l.trim().startsWith('{')).pop() ?? '';
      let creds: { secret_key?: string; public_key?: string; id?: string };
      try {
        creds = JSON.parse(line);
      } catch {
        throw new UserError('relay credentials generate --stdout printed no JSON credentials', EXIT.failure, 'See the log for what relay printed.');
      }
      if (!creds.secret_key || !creds.public_key || !creds.id) {
        throw new UserError('relay printed credentials without secret_key, public_key and id', EXIT.failure);
      }
      ctx.log.addSecrets([creds.secret_key]);
      // The relay image reads it as its own user (uid 10001 in getsentry/relay's Dockerfile): 0600 and
      // root-owned, relay could not open it and restarted forever. Without root, 0644 like the other files.
      writeFileAtomic(credsPath, JSON.stringify(creds) + '\n', { mode: process.getuid?.() === 0 ? 0o600 : 0o644, uid: RELAY_UID });
      out(`relay/credentials.json written (relay id ${creds.id})`);
      did.push('relay credentials');
    }
    return done(did.join(', '));
  },
};
