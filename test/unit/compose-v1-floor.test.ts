import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { detectCompose } from '../../src/engine/detect-compose.js';
import type { RunProbe } from '../../src/engine/run-probe.js';
import { decideCompose } from '../../checks/compose.js';
import { minimumsFor, SUPPORTED_TAGS } from '../../src/catalog.js';
import { CONFIG_HASH_SINCE_V1 } from '../../compose/versions.js';

// Compose v1 releases operators have: distribution packages (Ubuntu 18.04 1.17.1, Debian buster 1.21.0,
// Ubuntu 20.04 1.25.0, Debian bullseye 1.25.0, bookworm 1.29.2) and the edges of `config --hash` (1.23.0).
const V1_TABLE = ['1.17.0', '1.17.1', '1.21.0', '1.22.0', '1.23.0', '1.23.2', '1.24.1', '1.25.0', '1.27.4', '1.29.2'];

test('no supported release accepts a Compose v1 without `config --hash`; each accepts every v1 from its floor on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-floor-'));
  try {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'docker-compose'), '#!/bin/sh\n');
    chmodSync(join(dir, 'bin', 'docker-compose'), 0o755);
    const env = { PATH: join(dir, 'bin'), DOCKER_CONFIG: join(dir, 'cfg'), HOME: dir };
    for (const tag of SUPPORTED_TAGS) {
      const min = minimumsFor(tag);
      assert.ok(semver.gte(min.compose, CONFIG_HASH_SINCE_V1), `${tag}: floor ${min.compose} is under ${CONFIG_HASH_SINCE_V1}`);
      for (const v of V1_TABLE) {
        const run: RunProbe = async (file) =>
          file.endsWith('docker-compose') ? { exitCode: 0, stdout: `docker-compose version ${v}, build 1110ad01\n`, stderr: '' } : { exitCode: -1, stdout: '', stderr: '', spawnError: 'ENOENT' };
        const d = await detectCompose({ minimum: min.compose, allowV1: min.composeV1, env, run, cacheFile: null });
        const verdict = decideCompose(d, min);
        const expected = semver.gte(v, CONFIG_HASH_SINCE_V1) && semver.gte(v, min.compose);
        assert.equal(verdict.status, expected ? 'pass' : 'fail', `${tag} with docker-compose ${v}`);
        if (tag === '9.1.2' && !expected) assert.match(verdict.required, /1\.23\.0 or newer .*config --hash.*1\.17\.0/, verdict.required);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
