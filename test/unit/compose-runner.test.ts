import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../../compose/runner.ts', import.meta.url));

// A Node process that starts a long "compose" command, cancels it once it runs, and then has nothing left
// to do: it must exit at once, not when cancel()'s 10 s grace timer would have fired.
const SCRIPT = `
const { ComposeRunner } = await import(${JSON.stringify(RUNNER)});
const log = { write() {}, clean: (s) => s };
// sh -c stands in for docker compose (the global flags and arguments become its $0, $1...).
const runner = new ComposeRunner({ argv: ['sh', '-c', 'echo started; sleep 30'], v2: true, version: '2.0.0' }, process.cwd(), log);
let started;
const running = new Promise((r) => (started = r));
const run = runner.run(['run', '--rm', 'web'], { onLine: started });
await running;
const t0 = Date.now();
await runner.cancel();
const err = await run.catch((e) => e);
process.stdout.write(JSON.stringify({ cancelMs: Date.now() - t0, exitCode: err.exitCode, name: err.name, at: Date.now() }) + '\\n');
`;

test('ComposeRunner.cancel(): the child stops, run() rejects with CancelledError (exit 130), and Node exits at once', () => {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 20_000 });
  const ended = Date.now();
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cancelMs: number; exitCode: number; name: string; at: number };
  assert.equal(out.name, 'CancelledError');
  assert.equal(out.exitCode, 130);
  assert.ok(out.cancelMs < 3000, `cancel() took ${out.cancelMs} ms`);
  assert.ok(ended - out.at < 2000, `the process lived ${ended - out.at} ms after the clean-up`);
  assert.ok(ended - started < 10_000);
});

test('ComposeRunner secretStdout: the secret on stdout reaches the caller, never the log or onLine; stderr is still logged', async () => {
  const { ComposeRunner } = await import('../../compose/runner.js');
  const logged: string[] = [];
  const lines: string[] = [];
  const log = { write: (t: string) => logged.push(t), clean: (s: string) => s };
  const secret = 'S3CRET-relay-key-0123456789';
  // sh -c stands in for docker compose (its global flags become $0 and $1); the secret comes from its env
  const runner = new ComposeRunner({ argv: ['sh', '-c', 'echo "{\\"secret_key\\":\\"$RELAY_SECRET\\"}"; echo pulling relay >&2'], v2: true, version: '2.40.3' }, process.cwd(), log);
  const env = { ...process.env, RELAY_SECRET: secret } as Record<string, string>;
  const r = await runner.run(['run', 'relay'], { secretStdout: true, env, onLine: (l) => lines.push(l) });
  assert.match(r.stdout, new RegExp(secret));
  assert.ok(!logged.join('\n').includes(secret), 'the secret reached the log');
  assert.ok(!lines.join('\n').includes(secret), 'the secret reached onLine');
  assert.match(logged.join('\n'), /pulling relay/);
  assert.match(logged.join('\n'), /stdout not logged: it holds a secret/);
  // without the option, stdout is logged (the option is what keeps it out)
  const plain: string[] = [];
  await new ComposeRunner(runner.compose, process.cwd(), { write: (t: string) => plain.push(t), clean: (s: string) => s }).run(['x'], { env });
  assert.ok(plain.join('\n').includes(secret));
});
