/**
 * The cleanup images' entrypoint (20.7.0 to 25.x), rendered by the CLI and run by bash: it keeps the crontab
 * lines' schedule itself, so the cron Dockerfiles install nothing (no apt-get: the same build online and from a
 * bundle). The clock is a `date` on PATH that answers a fixed instant; `sleep` on PATH records how long the
 * entrypoint would wait and ends the job's loop on its second call, after the command ran once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureBuilt, minimalAnswers, removeDir, render, tempDir, writeAnswers, writeFixedSecrets } from '../helpers/cli.js';
import { RELEASES, SUPPORTED_TAGS } from '../../src/catalog.js';

ensureBuilt();

/** 2026-12-07 00:42:10 UTC */
const NOW = Date.UTC(2026, 11, 7, 0, 42, 10) / 1000;

function run(entrypoint: string, bin: string, line: string, env: Record<string, string> = {}) {
  const log = join(bin, 'sleeps.log');
  writeFileSync(log, '');
  const r = spawnSync('bash', [entrypoint, line], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: `${bin}:${process.env.PATH}`, SLEEP_LOG: log, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, sleeps: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(Number) };
}

test('cron entrypoint: "*/N" every N minutes and "M H" daily, from the next matching minute; the job runs with the container environment; other lines exit 2', () => {
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    const r = render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers('20.7.0')));
    assert.equal(r.code, 0, r.stderr);
    const entrypoint = join(dir, 'cron', 'entrypoint.sh');
    const bin = join(dir, 'bin');
    spawnSync('mkdir', [bin]);
    writeFileSync(join(bin, 'date'), `#!/bin/bash\nif [ "$*" = "-u +%s" ]; then echo ${NOW}; else exec /bin/date "$@"; fi\n`);
    writeFileSync(join(bin, 'sleep'), '#!/bin/bash\necho "$1" >> "$SLEEP_LOG"\n[ "$(wc -l < "$SLEEP_LOG")" -ge 2 ] && kill $PPID\nexit 0\n');
    chmodSync(join(bin, 'date'), 0o755);
    chmodSync(join(bin, 'sleep'), 0o755);

    // Snuba's cleanup (20.7.0, 21.x): every 5 minutes; 00:42:10 -> 00:45:00.
    const five = run(entrypoint, bin, '*/5 * * * * echo cleaned --dry-run False');
    assert.equal(five.code, 0, five.stderr);
    assert.deepEqual(five.sleeps, [170, 170]);
    assert.match(five.stdout, /^entrypoint: at "\*\/5 \*" \(UTC\): echo cleaned --dry-run False$/m);
    assert.match(five.stdout, /^cleaned --dry-run False$/m);
    // Sentry's cleanup: daily at 00:00 -> tomorrow; the job sees the container's environment (cron needed /container.env for it).
    const daily = run(entrypoint, bin, '0 0 * * * echo days=$SENTRY_EVENT_RETENTION_DAYS', { SENTRY_EVENT_RETENTION_DAYS: '90' });
    assert.equal(daily.code, 0, daily.stderr);
    assert.deepEqual(daily.sleeps, [86400 - 2530, 86400 - 2530]);
    assert.match(daily.stdout, /^days=90$/m);
    // Symbolicator's: 23:55 today.
    const late = run(entrypoint, bin, '55 23 * * * true');
    assert.deepEqual(late.sleeps, [23 * 3600 + 55 * 60 - 2530, 23 * 3600 + 55 * 60 - 2530]);
    for (const bad of ['0 0 * * 1 weekly', '*/5 3 * * * x', '*/0 * * * * x', '0 0 1 * * monthly']) {
      const b = run(entrypoint, bin, bad);
      assert.equal(b.code, 2, bad);
      assert.match(b.stderr, /only "M H \* \* \* command" and "\*\/N \* \* \* \* command" lines are supported/, bad);
      assert.deepEqual(b.sleeps, [], `${bad}: nothing scheduled`);
    }
  } finally {
    removeDir(dir);
  }
});

test('cron images of every release build from their inputs alone: no RUN step (no apt-get) in any cron Dockerfile, and each release renders the shared entrypoint or its own bash one', () => {
  let n = 0;
  for (const tag of SUPPORTED_TAGS) {
    const file = RELEASES[tag].files.find((f) => f.path === 'cron/Dockerfile');
    if (!file) continue;
    n++;
    const text = readFileSync(file.template, 'utf8');
    assert.doesNotMatch(text, /^\s*RUN\b/m, `${tag}: ${file.template}`);
    const entry = RELEASES[tag].files.find((f) => f.path === 'cron/entrypoint.sh');
    assert.ok(entry, tag);
    assert.doesNotMatch(readFileSync(entry.template, 'utf8'), /^[^#]*\b(crontab|exec cron)\b/m, `${tag}: ${entry.template}`);
  }
  assert.equal(n, 9, 'the releases with cleanup images: 20.7.0 to 26.8.0');
});
