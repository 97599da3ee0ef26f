import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { CHECK_FLAGS, parseCheckArgs } from '../../src/cli/check-args.js';
import { buildProgram } from '../../src/cli/program.js';
import type { CheckOptions } from '../../src/commands/check.js';

/** What commander hands the check action for these arguments, or the commander error code. */
async function viaCommander(args: string[]): Promise<CheckOptions | string> {
  const { program } = buildProgram();
  const silence = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    c.commands.forEach(silence);
  };
  silence(program);
  let got: CheckOptions | undefined;
  program.commands.find((c) => c.name() === 'check')!.action(async (opts: CheckOptions) => {
    got = { ...opts };
  });
  try {
    await program.parseAsync(['check', ...args], { from: 'user' });
  } catch (err) {
    return (err as { code: string }).code;
  }
  return got!;
}

// Every form the fast path takes must mean exactly what it means to commander.
const TAKEN: string[][] = [
  [],
  ['--json'],
  ['--json', '--json'],
  ['--tag', '9.1.2'],
  ['--tag=20.7.0', '--json'],
  ['--dir', '/opt/sentry', '--answers', 'a.yml'],
  ['--dir=', '--json'],
  ['--skip-check', 'memory'],
  ['--skip-check', 'memory', '--skip-check=disk', '--json', '--tag', '20.7.0'],
  ['--tag', '9.1.2', '--tag', '20.7.0'],
  ['--answers=a=b.yml'],
  ['--dir', 'a dir with spaces'],
];

// Everything else goes to commander, which prints help or the error.
const LEFT: string[][] = [
  ['--help'],
  ['-h'],
  ['--jsn'],
  ['--tag'],
  ['--tag', '--json'],
  ['--skip-check', '-x'],
  ['--json=yes'],
  ['extra'],
  ['--', '--json'],
  ['-V'],
];

test('the fast parser reads every plain check command line exactly as commander does', async () => {
  for (const args of TAKEN) {
    const fast = parseCheckArgs(args);
    assert.ok(fast, `fast path should take: ${JSON.stringify(args)}`);
    assert.deepEqual(fast, await viaCommander(args), JSON.stringify(args));
  }
});

test('anything else is left to commander (help, unknown flags, missing values)', async () => {
  for (const args of LEFT) assert.equal(parseCheckArgs(args), null, JSON.stringify(args));
  assert.equal(await viaCommander(['--jsn']), 'commander.unknownOption');
  assert.equal(await viaCommander(['--tag']), 'commander.optionMissingArgument');
  assert.equal(await viaCommander(['--help']), 'commander.helpDisplayed');
});

test('commander builds check from the same flag table', () => {
  const cmd = buildProgram().program.commands.find((c) => c.name() === 'check')!;
  assert.deepEqual(
    cmd.options.map((o) => o.long).sort(),
    CHECK_FLAGS.map((f) => f.name).sort(),
  );
});
