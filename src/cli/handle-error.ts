/** Any error that reaches the top of the CLI becomes one message on stderr and an exit code. */
import { EXIT, UserError } from '../errors.js';

export function handleError(err: unknown): number {
  const e = err as { code?: string; exitCode?: number; name?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`next: ${err.hint}\n`);
    return err.exitCode;
  }
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    process.stderr.write('Cancelled.\n');
    return EXIT.cancelled;
  }
  process.stderr.write(`error: ${e?.message ?? String(err)}\n`);
  if (process.env.SENTRY_ONPREM_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return EXIT.failure;
}
