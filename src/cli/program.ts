/**
 * The whole command line, parsed by commander: every command with its flags and help. Each command's
 * code is imported only when that command runs, so start-up stays short.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../errors.js';
import { packageRoot } from '../paths.js';
import { CHECK_FLAGS } from './check-args.js';
import { handleError } from './handle-error.js';

const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Every command with its flags; each action stores its exit code for exitCode(). */
export function buildProgram(): { program: Command; exitCode: () => number } {
  const program = new Command('sentry-onprem')
    .description('Install and run self-hosted Sentry on one server with Docker Compose.')
    .version(pkg.version, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  let code: number = EXIT.ok;

  const answerFlags = (cmd: Command) =>
    cmd
      .option('--dir <dir>', 'install directory', '.')
      .option('--answers <file>', 'YAML answers file')
      .option('--tag <tag>', 'Sentry release')
      .option('--url <url>', 'answer: url')
      .option('--admin-email <email>', 'answer: admin.email')
      .option('--admin-password-file <file>', 'answer: admin.passwordFile')
      .option('--timezone <zone>', 'answer: timezone')
      .option('--http-port <port>', 'answer: ports.http')
      .option('--https-port <port>', 'answer: ports.https')
      .option('--tls <mode>', 'answer: tls.mode (self-signed | files | off)')
      .option('--registry <prefix>', 'answer: images.registry')
      .option('--plugin <requirement>', 'answer: plugins (repeatable, replaces the list)', collect, [])
      .option('--yes', 'never ask; fail on missing answers instead');

  answerFlags(program.command('render').description('render every file of the install directory for a tag'))
    .option('--dry-run', 'print a unified diff of what would change; write nothing')
    .option('--force', 'overwrite files edited since the last render (a timestamped backup is kept)')
    .action(async (opts) => {
      const { render } = await import('../commands/render.js');
      code = await render(opts);
    });

  answerFlags(program.command('install').description('install (or bring up to date) Sentry in the install directory'))
    .option('--dry-run', 'walk the pipeline and print what each step would do; change nothing')
    .option('--force', 'overwrite files edited since the last render (a timestamped backup is kept)')
    .option('--adopt-volumes', 'take existing volumes that no install owns (no label, no container) as this install\'s; recorded in its state')
    .option('--bundle <file>', 'install from this bundle (`bundle create`): verified first, images loaded from it, no pull')
    .addOption(new Option('--skip-check <id>', 'turn a failure of this preflight check into a warning').argParser(collect).default([]))
    .action(async (opts) => {
      const { install } = await import('../commands/install.js');
      code = await install(opts);
    });

  program
    .command('reconfigure')
    .description('apply changed answers (sentry-onprem.yml) to an install: rebuild, migrate, recreate only what changed')
    .option('--dir <dir>', 'install directory', '.')
    .option('--yes', 'do not ask for confirmation')
    .option('--dry-run', 'print what each step would do; change nothing')
    .option('--force', 'overwrite files edited since the last render (a timestamped backup is kept)')
    .addOption(new Option('--skip-check <id>', 'turn a failure of this preflight check into a warning').argParser(collect).default([]))
    .action(async (opts) => {
      const { reconfigure } = await import('../commands/reconfigure.js');
      code = await reconfigure(opts);
    });

  program
    .command('cleanup')
    .description("remove events older than --days with Sentry's cleanup, then vacuum the database")
    .option('--dir <dir>', 'install directory', '.')
    .option('--days <n>', "delete data older than this many days (default: the answers' cleanup.days)")
    .addOption(new Option('--vacuum <mode>', 'analyze: online VACUUM (ANALYZE); full: VACUUM FULL, gives disk back, locks each table; off').choices(['analyze', 'full', 'off']).default('analyze'))
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'print nothing on success (errors still go to stderr)')
    .option('--log-file <file>', 'append the log here (rotated at 1 MiB, 5 kept); default DIR/logs/cleanup.log')
    .option('--scheduled', "run by the cron entry: leave Sentry's cleanup to the release's sentry-cleanup service when it has one")
    .option('--assume-free-disk <size>', 'external PostgreSQL: the free disk of the server (it reports none), e.g. 20GiB, for the VACUUM FULL guard')
    .action(async (opts) => {
      const { cleanup } = await import('../commands/cleanup.js');
      code = await cleanup(opts);
    });

  const cron = program.command('cron').description('the cron entry that runs `sentry-onprem cleanup` for an install directory');
  const cronFlags = (cmd: Command) => cmd.option('--dir <dir>', 'install directory', '.');
  cronFlags(cron.command('install').description('install or update the entry (one per install directory)'))
    .option('--days <n>', 'cleanup --days (saved as cleanup.days)')
    .option('--schedule <expr>', 'five-field cron schedule (saved as cleanup.schedule)')
    .option('--vacuum <mode>', 'analyze, full or off (saved as cleanup.vacuum)')
    .action(async (opts) => {
      const { cronInstall } = await import('../commands/cron.js');
      code = await cronInstall(opts);
    });
  cronFlags(cron.command('remove').description('remove the entry; install and reconfigure will not add it back')).action(async (opts) => {
    const { cronRemove } = await import('../commands/cron.js');
    code = await cronRemove(opts);
  });
  cronFlags(cron.command('show').description('print the entry')).action(async (opts) => {
    const { cronShow } = await import('../commands/cron.js');
    code = await cronShow(opts);
  });

  program
    .command('upgrade')
    .description('upgrade to a newer Sentry release: path over the hard stops, backup first, rollback on failure')
    .requiredOption('--tag <tag>', 'the Sentry release to upgrade to')
    .option('--dir <dir>', 'install directory', '.')
    .option('--yes', 'never ask: go ahead, and restore the database on a failed migration')
    .option('--dry-run', 'print the plan (hops, images, files, steps); change nothing')
    .option('--no-backup', 'skip the database dump (the configuration is still kept for the rollback)')
    .option('--bundle <file>', 'upgrade from this bundle (`bundle create --from`): verified first, images loaded from it, no pull')
    .addOption(new Option('--skip-check <id>', 'turn a failure of this preflight check into a warning').argParser(collect).default([]))
    .action(async (opts) => {
      const { upgrade } = await import('../commands/upgrade.js');
      code = await upgrade(opts);
    });

  program
    .command('images')
    .description('every image an install (or an upgrade from --from) of a release needs, with registry, id and digest')
    .requiredOption('--tag <tag>', 'the Sentry release')
    .option('--from <tag>', 'the installed release an upgrade starts from: every hop\'s images')
    .option('--dir <dir>', 'install directory whose saved answers apply')
    .option('--answers <file>', 'YAML answers file (images.registry, profile, plugins)')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const { images } = await import('../commands/images.js');
      code = await images(opts);
    });

  const bundle = program.command('bundle').description('one file that installs or upgrades Sentry on a host without a registry');
  bundle
    .command('create')
    .description('save every image a release needs, this package and a manifest into one file')
    .requiredOption('--tag <tag>', 'the Sentry release')
    .option('--from <tag>', 'an upgrade bundle: from this installed release')
    .requiredOption('-o, --output <file>', 'the bundle file to write')
    .option('--dir <dir>', 'install directory whose saved answers apply')
    .option('--answers <file>', 'YAML answers file (images.registry, profile, plugins)')
    .action(async (opts) => {
      const { bundleCreate } = await import('../commands/bundle.js');
      code = await bundleCreate(opts);
    });

  program
    .command('backup')
    .description('back up the database (a consistent dump), the answers, rendered files and secrets into backups/')
    .option('--dir <dir>', 'install directory', '.')
    .action(async (opts) => {
      const { backup } = await import('../commands/backup.js');
      code = await backup(opts);
    });

  program
    .command('restore')
    .description('put a backup back: same release only, checksums verified, ends with a healthy stack')
    .argument('<backup-dir>', 'a directory made by `sentry-onprem backup` or by an upgrade')
    .option('--dir <dir>', 'install directory', '.')
    .option('--yes', 'do not ask for confirmation')
    .option('--force-connections', 'external PostgreSQL: end the sessions of other clients of the database instead of refusing')
    .action(async (backupDir: string, opts) => {
      const { restore } = await import('../commands/restore.js');
      code = await restore(backupDir, opts);
    });

  const database = program.command('database').description("the install's PostgreSQL: move it between the bundled server and an external one");
  database
    .command('move')
    .description('move the database between the bundled server and an external one: the target checked empty, dump, load, row counts compared, the install re-run; the source is kept')
    .requiredOption('--to <where>', 'external (with --answers) or bundled')
    .option('--answers <file>', 'YAML with postgres.external (merged over the saved answers)')
    .option('--dir <dir>', 'install directory', '.')
    .option('--yes', 'go ahead (Sentry is stopped during the move)')
    .action(async (opts) => {
      const { databaseMove } = await import('../commands/database.js');
      code = await databaseMove(opts);
    });

  program
    .command('uninstall')
    .description("take the install off the Docker engine: its containers, networks, built images and cron entry; its files stay")
    .option('--dir <dir>', 'install directory', '.')
    .option('--delete-data', 'also delete the volumes this install owns (its database and files); never another install\'s')
    .option('--yes', 'do not ask for confirmation (needed for --delete-data without a terminal)')
    .action(async (opts) => {
      const { uninstall } = await import('../commands/uninstall.js');
      code = await uninstall(opts);
    });

  const checkCmd = program.command('check').description('preflight checks of this host for a Sentry release');
  for (const f of CHECK_FLAGS) {
    const option = new Option(f.value ? `${f.name} <${f.value}>` : f.name, f.description);
    if (f.repeat) option.argParser(collect);
    if (f.default !== undefined) option.default(f.default);
    checkCmd.addOption(option);
  }
  checkCmd.action(async (opts) => {
    const { check } = await import('../commands/check.js');
    code = await check(opts);
  });

  return { program, exitCode: () => code };
}

export async function runProgram(argv: string[]): Promise<number> {
  const { program, exitCode } = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return handleError(err);
  }
  return exitCode();
}
