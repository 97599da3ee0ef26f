/** Step: what the operator needs next: the URL, the admin, where everything is, what to run. */
import { relative } from 'node:path';
import { showCron } from '../../cron/entry.js';
import { done, type Step } from '../context.js';

export const summaryStep: Step = {
  id: 'summary',
  title: 'Summary',
  async run(ctx, out) {
    const a = ctx.answers!;
    const rel = (p: string) => {
      const r = relative(process.cwd(), p);
      return r === '' ? '.' : r.startsWith('..') ? p : r;
    };
    const lines = [
      `Sentry ${a.tag}: ${a.url}${a.ports.https !== 443 && a.tls.mode !== 'off' ? ` (https port ${a.ports.https})` : ''}`,
      `admin: ${a.admin.email}`,
      `answers: ${rel(ctx.layout.answersFile)} (edit, then \`sentry-onprem install --dir ${rel(ctx.layout.dir)}\` applies them)`,
      `secrets: ${rel(ctx.layout.secretsFile)} (mode 0600; back it up: the secret key cannot be regenerated without logging everyone out)`,
      `log: ${rel(ctx.log.path)}`,
      `cleanup cron: ${showCron(ctx.layout.dir) ? 'installed' : 'not installed'} (\`sentry-onprem cron show --dir ${rel(ctx.layout.dir)}\`)`,
      ...ctx.notes,
    ];
    for (const l of lines) out(l);
    return done(lines[0]);
  },
};
