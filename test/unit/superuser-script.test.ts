import { test } from 'node:test';
import assert from 'node:assert/strict';
import { additions, superuserScript } from '../../src/install/steps/superuser.js';

test('the admin script: ASCII, no multi-line literals or f-strings (sentry exec re-indents Python 2 scripts), password only as base64', () => {
  const script = superuserScript('admin@example.com', 'pässwörd "quoted"\nline');
  assert.match(script, /^[\x20-\x7e\n]*$/);
  assert.doesNotMatch(script, /"""|'''|\bf"|\bf'/);
  assert.ok(!script.includes('pässwörd') && !script.includes('quoted'));
  assert.match(script, new RegExp(Buffer.from('pässwörd "quoted"\nline').toString('base64').replace(/[+/]/g, '\\$&')));
});

test('the admin script does what createuser --superuser does: owner of the default organization, and of its only team', () => {
  const script = superuserScript('admin@example.com', 'pw');
  assert.match(script, /OrganizationMember\.objects\.get_or_create\(organization=org, user=u, defaults=\{'role': 'owner'\}\)/);
  assert.match(script, /teams = list\(Team\.objects\.filter\(organization=org\)\[0:2\]\)\n\s+if len\(teams\) == 1:\n\s+t, added = OrganizationMemberTeam\.objects\.get_or_create\(team=teams\[0\], organizationmember=m\)/);
  // An existing user: memberships still made sure of, then exit 3 (the password is not touched).
  assert.ok(script.indexOf('OrganizationMember.objects') < script.indexOf('sys.exit(3)'));
  assert.match(script, /\nif not existed:\n {4}u = User\(.*\)\n {4}u\.set_password\(P\)\n/);
  assert.equal(script.split('set_password').length, 2, 'set_password only for a new user');
});

test('additions: only the lines the script prints for a membership it added', () => {
  assert.deepEqual(additions('Creating onpremise_web_run ... done\ncreated\nmember of organization sentry\nmember of team sentry\n'), [
    'member of organization sentry',
    'member of team sentry',
  ]);
  assert.deepEqual(additions('created\n'), []);
});
