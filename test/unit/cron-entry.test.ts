import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cronCommand, cronLines, installCron, removeCron, showCron, cronFilePath } from '../../src/cron/entry.js';
import { UserError, EXIT } from '../../src/errors.js';

const root = process.getuid?.() === 0;
before(() => {
  process.env.SENTRY_ONPREM_CRON_D = mkdtempSync(join(tmpdir(), 'cron-d-'));
});

const spec = (over: Record<string, unknown> = {}) => ({ dir: '/srv/sentry one', schedule: '17 4 * * *', days: 30, vacuum: 'analyze' as const, ...over });

test('the cron command has absolute paths, its own PATH, the Docker settings, --scheduled --quiet and the log file', () => {
  const cmd = cronCommand(spec(), { PATH: '/usr/bin:/bin', DOCKER_CONFIG: '/tmp/a dir%x', HOME: '/root' });
  assert.match(cmd, /^PATH=[^ ]*\/usr\/local\/bin[^ ]* DOCKER_CONFIG='\/tmp\/a dir\\%x' \//);
  assert.ok(cmd.includes(` ${process.execPath} `));
  assert.match(cmd, /dist\/install\.js cleanup --dir '\/srv\/sentry one' --days 30 --vacuum analyze --scheduled --quiet --log-file '\/srv\/sentry one\/logs\/cleanup\.log'$/);
  assert.doesNotMatch(cmd, /HOME=/);
});

test('the cron command, unescaped as cron does, is one valid sh command line with the assignments in effect', () => {
  const cmd = cronCommand(spec(), { PATH: '/usr/bin:/bin', DOCKER_CONFIG: "/tmp/it's here%" }).replace(/\\%/g, '%');
  // Replace the program with a printer of its environment and argv.
  const probe = cmd.replace(/ (\S+node\S*) \S+install\.js /, ' sh -c \'echo "$DOCKER_CONFIG"; for a; do echo "[$a]"; done\' x ');
  const out = execFileSync('sh', ['-c', probe], { encoding: 'utf8', env: {} }).split('\n');
  assert.equal(out[0], "/tmp/it's here%");
  assert.deepEqual(out.slice(1, 4), ['[cleanup]', '[--dir]', '[/srv/sentry one]']);
});

test('a bad schedule is refused before anything is written', () => {
  for (const bad of ['* * * *', '61 * * * *', '0 3 * * * *', '@daily', 'a b c d e']) {
    assert.throws(() => cronLines(spec({ schedule: bad })), (e: unknown) => e instanceof UserError && e.exitCode === EXIT.usage, bad);
  }
  assert.deepEqual(readdirSync(process.env.SENTRY_ONPREM_CRON_D!), []);
});

test('installing twice leaves one entry; new days or schedule replace it; remove removes it', { skip: !root && 'needs root for /etc/cron.d mode' }, () => {
  assert.equal(installCron(spec()), true);
  assert.equal(installCron(spec()), false);
  assert.equal(readdirSync(process.env.SENTRY_ONPREM_CRON_D!).length, 1);
  assert.equal(installCron(spec({ days: 45, schedule: '0 2 * * 0' })), true);
  const text = readFileSync(cronFilePath(spec().dir), 'utf8');
  assert.equal(text.match(/install\.js cleanup /g)?.length, 1);
  assert.match(text, /^0 2 \* \* 0 root .* --days 45 /m);
  assert.match(text, /^PATH=/m);
  assert.equal(showCron(spec().dir), text);
  assert.equal(removeCron(spec().dir), true);
  assert.equal(removeCron(spec().dir), false);
  assert.equal(showCron(spec().dir), undefined);
});
