/**
 * Step: the admin user. The password reaches Sentry only through stdin of `sentry exec` (base64 inside a
 * script): never argv of ours, of docker or in the container, never the environment, log or screen.
 */
import { done, skipped, type Step } from '../context.js';
import { UserError, EXIT } from '../../errors.js';
import { syncDependencies } from '../sync-deps.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * Python 2.7 and 3; no multi-line literals or __future__ imports (sentry exec re-indents the script).
 * A new user is made as `sentry createuser --superuser` makes one on 9.1.2 and 20.7.0: an `owner` member of
 * the default organization and, when that organization has exactly one team, a member of that team.
 * An existing user keeps its password and flags; only a missing membership is added (get_or_create).
 * Exit 3 = the user existed. Each addition prints a line the step reports.
 */
export function superuserScript(email: string, password: string): string {
  return [
    'import base64',
    'import sys',
    `E = base64.b64decode('${b64(email)}').decode('utf-8')`,
    `P = base64.b64decode('${b64(password)}').decode('utf-8')`,
    'u = User.objects.filter(username=E).first()',
    'existed = u is not None',
    'if not existed:',
    '    u = User(email=E, username=E, is_superuser=True, is_staff=True, is_active=True)',
    '    u.set_password(P)',
    '    u.save()',
    '    sys.stdout.write("created\\n")',
    'if settings.SENTRY_SINGLE_ORGANIZATION:',
    '    org = Organization.get_default()',
    "    m, added = OrganizationMember.objects.get_or_create(organization=org, user=u, defaults={'role': 'owner'})",
    '    if added:',
    '        sys.stdout.write("member of organization %s\\n" % org.slug)',
    '    teams = list(Team.objects.filter(organization=org)[0:2])',
    '    if len(teams) == 1:',
    '        t, added = OrganizationMemberTeam.objects.get_or_create(team=teams[0], organizationmember=m)',
    '        if added:',
    '            sys.stdout.write("member of team %s\\n" % teams[0].slug)',
    'if existed:',
    '    sys.exit(3)',
    '',
  ].join('\n');
}

/** What the script added, from its stdout (compose may add lines of its own). */
export function additions(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => /^member of (organization|team) \S+$/.test(l));
}

export const superuserStep: Step = {
  id: 'superuser',
  title: 'Create the admin user',
  async run(ctx, out) {
    const email = ctx.answers!.admin.email;
    // `superuserMember`: installs made before the step added the memberships run the script once more.
    if (ctx.state.superuser === email && ctx.state.superuserMember === email) return skipped(`${email} exists`);
    if (ctx.dryRun) return skipped(`dry run: would create ${email} unless that user exists, and make it an owner of the default organization`);
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
    ctx.state.superuserMember = email;
    const added = additions(res.stdout);
    if (res.exitCode !== 3) return done(`created ${email}${added.length ? `, ${added.join(', ')}` : ''}`);
    return added.length ? done(`${email} already existed (password left unchanged); made it ${added.join(', ')}`) : skipped(`${email} already exists (left unchanged)`);
  },
};
