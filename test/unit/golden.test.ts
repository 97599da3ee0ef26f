/**
 * Golden renders: every rendered file of both releases, for a full and a minimal answers file, compared
 * byte for byte with test/golden/<case>/. The secret key is fixed by writing secrets.json before the
 * render; the self-signed certificate is not part of the comparison. With minimal answers the web worker
 * count follows the host's CPUs, so that one value is masked (and checked separately).
 * UPDATE_GOLDEN=1 rewrites the golden files (review the diff before committing it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { render } from '../../src/commands/render.js';
import { FIXED_SECRET_KEY, fullAnswers, minimalAnswers, removeDir, ROOT, tempDir, writeAnswers, writeFixedSecrets } from '../helpers/cli.js';

const GOLDEN = join(ROOT, 'test', 'golden');
const WORKERS = /^(\s*'workers': )\d+,$/m;

const CASES = [
  { name: '9.1.2-full', answers: fullAnswers('9.1.2'), maskWorkers: false },
  { name: '9.1.2-minimal', answers: minimalAnswers('9.1.2'), maskWorkers: true },
  { name: '20.7.0-full', answers: fullAnswers('20.7.0'), maskWorkers: false },
  { name: '20.7.0-minimal', answers: minimalAnswers('20.7.0'), maskWorkers: true },
  { name: '26.8.0-full', answers: { ...fullAnswers('26.8.0'), profile: 'errors-only' }, maskWorkers: false },
  { name: '26.8.0-minimal', answers: minimalAnswers('26.8.0'), maskWorkers: true },
];

function listFiles(dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(p);
      else out.push(rel);
    }
  };
  walk(dir);
  return out.sort();
}

for (const c of CASES) {
  test(`golden render: ${c.name}`, async (t) => {
    t.mock.method(process.stderr, 'write', () => true);
    const dir = tempDir();
    try {
      const install = join(dir, 'install');
      writeFixedSecrets(install);
      const answers = writeAnswers(join(dir, 'answers.yml'), c.answers);
      assert.equal(await render({ dir: install, answers, yes: true }), 0);

      const files = listFiles(install, (rel) => rel === '.sentry-onprem' || rel === 'tls');
      const actual = new Map<string, string>();
      for (const f of files) {
        let text = readFileSync(join(install, f), 'utf8');
        if (c.maskWorkers && f === 'sentry/sentry.conf.py') {
          assert.equal(text.match(WORKERS)?.[0].match(/\d+/)?.[0], String(availableParallelism()), 'workers default to the CPU count');
          text = text.replace(WORKERS, '$1<cpu count>,');
        }
        actual.set(f, text);
      }
      assert.ok([...actual.values()].some((v) => v.includes(FIXED_SECRET_KEY)), 'the fixed secret key is used');

      const goldenDir = join(GOLDEN, c.name);
      if (process.env.UPDATE_GOLDEN) {
        rmSync(goldenDir, { recursive: true, force: true });
        for (const [f, text] of actual) {
          mkdirSync(dirname(join(goldenDir, f)), { recursive: true });
          writeFileSync(join(goldenDir, f), text);
        }
      }
      assert.ok(existsSync(goldenDir), `no golden files for ${c.name}: run with UPDATE_GOLDEN=1 once and review them`);
      assert.deepEqual(files, listFiles(goldenDir, () => false), 'the same set of files');
      for (const [f, text] of actual) assert.equal(text, readFileSync(join(goldenDir, f), 'utf8'), `${c.name}/${f} differs from the golden copy`);
    } finally {
      removeDir(dir);
    }
  });
}
