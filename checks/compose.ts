/** compose: which Docker Compose the install will run, and whether it is new enough for the release. */
import type { Minimums } from '../src/catalog.js';
import type { ComposeDetection, ComposeProbe } from '../src/engine/detect-compose.js';
import type { Check, Verdict } from './types.js';

function describe(p: ComposeProbe): string {
  return p.ok ? `${p.info.argv.join(' ')} ${p.info.printed} (${p.info.flavor}${p.info.cached ? ', cached' : ''})` : `${p.argv.join(' ')}: ${p.reason}`;
}

export function decideCompose(d: ComposeDetection, min: Pick<Minimums, 'compose' | 'composeV1' | 'composeWhy'>): Verdict {
  const required = `Docker Compose ${min.compose} or newer${min.composeV1 ? ' (v2 plugin, or v1 docker-compose)' : ' (v2)'}${min.composeWhy ? `: ${min.composeWhy}` : ''}`;
  const probes = [d.plugin, ...(d.standalone ? [d.standalone] : [])];
  const data = {
    argv: d.chosen?.argv ?? null,
    version: d.chosen?.version ?? null,
    printed: d.chosen?.printed ?? null,
    flavor: d.chosen?.flavor ?? null,
    cached: d.chosen?.cached ?? false,
    probes: probes.map((p) => (p.ok ? { argv: p.info.argv, version: p.info.version, printed: p.info.printed } : { argv: p.argv, error: p.reason })),
  };
  if (d.chosen) {
    const others = probes.filter((p) => !p.ok || p.info !== d.chosen).map(describe);
    const found = `will use \`${d.chosen.argv.join(' ')}\` ${d.chosen.printed} (${d.chosen.flavor})${others.length ? `; also seen: ${others.join('; ')}` : ''}`;
    return { status: 'pass', found, required, remedy: null, data };
  }
  const remedy = min.composeV1
    ? `Install the Docker Compose plugin (docker-compose-plugin) ${min.compose} or newer, or docker-compose ${min.compose} or newer.`
    : `Install the Docker Compose v2 plugin (docker-compose-plugin) ${min.compose} or newer.`;
  return { status: 'fail', found: probes.map(describe).join('; '), required, remedy, data };
}

export const composeCheck: Check = {
  id: 'compose',
  title: 'Docker Compose',
  async run(ctx) {
    return decideCompose(await ctx.compose(), ctx.minimums);
  },
};
