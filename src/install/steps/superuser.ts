/**
 * Step: the admin user. The password reaches Sentry only through stdin of `sentry exec` (base64 inside a
 * script): never argv of ours, of docker or in the container, never the environment, log or screen.
 */
import { done, skipped, type Step } from '../context.js';
import { UserError, EXIT } from '../../errors.js';
import { syncDependencies } from '../sync-deps.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Python 2.7 and 3; no multi-line literals or __future__ imports (sentry exec re-indents the script). */
export function superuserScript(email: string, password: string): string {
  return [
    'import base64',
    'import sys',
    `E = base64.b64decode('${b64(email)}').decode('utf-8')`,
    `P = base64.b64decode('${b64(password)}').decode('utf-8')`,
    'if User.objects.filter(username=E).exists():',
    '    sys.stdout.write("exists\\n")',
    '    sys.exit(3)',
    'u = User(email=E, username=E, is_superuser=True, is_staff=True, is_active=True)',
    'u.set_password(P)',
    'u.save()',
    'org = Organization.get_default()',
    "OrganizationMember.objects.create(organization=org, user=u, role='owner')",
    'sys.stdout.write("created\\n")',
    '',
  ].join('\n');
}

export const superuserStep: Step = {
  id: 'superuser',
  title: 'Create the admin user',
  async run(ctx, out) {
    const email = ctx.answers!.admin.email;
    if (ctx.state.superuser === email) return skipped(`${email} exists`);
    if (ctx.dryRun) return skipped(`dry run: would create ${email} unless that user exists`);
    const password = ctx.adminPassword;
    if (!password) throw new UserError('no admin password in the answers', EXIT.usage, 'Set admin.password or admin.passwordFile.');
    ctx.log.addSecrets([password]);
    await syncDependencies(ctx, 'web', out);
    const res = await ctx.runner!.run(['run', '--rm', '-T', 'web', 'sentry', 'exec'], {
      input: superuserScript(email, password),
      okCodes: [3],
      onLine: out,
    });
    ctx.state.superuser = email;
    return res.exitCode === 3 ? skipped(`${email} already exists (left unchanged)`) : done(`created ${email}`);
  },
};
