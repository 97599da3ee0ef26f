import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rlimitFailure, rlimitName } from '../../src/engine/rlimits.js';
import { explainRlimitFailure } from '../../compose/rlimit-error.js';
import { CommandError } from '../../compose/runner.js';

// What Compose prints when runc cannot set a limit (v1, then v2 on Docker 20.10).
const V1 = 'Creating sentry_onpremise_clickhouse_1 ... error\n\nERROR: for sentry_onpremise_clickhouse_1  Cannot start service clickhouse: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: unknown\n';
const V2 = ' Container sentry_onpremise-clickhouse-1  Starting\nError response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: unknown\n';

test('runc rlimit types are the Linux RLIMIT_* numbers, named as Docker names them', () => {
  assert.deepEqual([0, 3, 4, 6, 7, 8, 13, 15].map(rlimitName), ['cpu', 'stack', 'core', 'nproc', 'nofile', 'memlock', 'nice', 'rttime']);
  assert.equal(rlimitName(16), undefined);
  for (const out of [V1, V2]) assert.deepEqual(rlimitFailure(out), { type: 7, name: 'nofile', detail: 'error setting rlimit type 7: operation not permitted' });
  assert.equal(rlimitFailure('Error response from daemon: driver failed programming external connectivity'), null);
});

test('the translation names the limit, the services of this install that ask for it, and the override lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlimit-error-'));
  try {
    writeFileSync(join(dir, 'docker-compose.yml'), "version: '3.4'\nservices:\n  clickhouse:\n    image: yandex/clickhouse-server:20.3.9.70\n    ulimits:\n      nofile:\n        soft: 262144\n        hard: 262144\n  web:\n    image: sentry-onpremise-local\n");
    writeFileSync(join(dir, 'docker-compose.override.yml'), "version: '3.4'\nservices:\n  clickhouse:\n    ulimits:\n      nofile: 4000000\n");
    const e = await explainRlimitFailure(V2, dir);
    assert.ok(e);
    assert.match(e.message, /could not set the container limit nofile \(RLIMIT_NOFILE; runc: "error setting rlimit type 7: operation not permitted"\) \(asked for by clickhouse: 4000000\/4000000\)/);
    assert.ok(e.hint.includes(`add to ${join(dir, 'docker-compose.override.yml')}\nversion: '3.4'\nservices:\n  clickhouse:\n    ulimits:\n      nofile:\n`), e.hint);
    assert.match(e.hint, /LimitNOFILE=4000000/);
    assert.match(e.hint, /sysctl -w fs\.nr_open=4000000/);
    assert.equal(await explainRlimitFailure('some other failure', dir), null);
    // The runner's error carries it: the message under the command's output, the remedy as the hint.
    const err = new CommandError('docker compose run --rm -T snuba-api bootstrap --force', 1, V2.trim(), e);
    assert.match(err.message, /exited with code 1; last output:\n[\s\S]*RLIMIT_NOFILE/);
    assert.equal(err.hint, e.hint);
    assert.equal(err.exitCode, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a readable compose file the limit is still named, with a placeholder service', async () => {
  const e = await explainRlimitFailure(V1.replace('type 7', 'type 6'), join(tmpdir(), 'no-such-dir-rlimit'));
  assert.match(e!.message, /limit nproc \(RLIMIT_NPROC/);
  assert.match(e!.hint, /<service>:\n    ulimits:\n      nproc:/);
  assert.match(e!.hint, /LimitNPROC=<the limit>/);
});

test('the systemd line asks for the highest limit any service wants, whatever order the services come in', async () => {
  const { ulimitRemedy } = await import('../../src/engine/rlimits.js');
  const items = [
    { service: 'kafka', name: 'nofile', wanted: { soft: 100000, hard: 100000 } },
    { service: 'web', name: 'nofile', wanted: { soft: 4096, hard: 4096 } },
  ];
  for (const list of [items, [...items].reverse()]) {
    const hint = ulimitRemedy(list, '/opt/sentry/docker-compose.override.yml', false);
    assert.match(hint, /^LimitNOFILE=100000$/m);
    assert.doesNotMatch(hint, /LimitNOFILE=4096/);
  }
});
