/**
 * Runs `docker compose` (v2) or `docker-compose` (v1) in the install directory. Every run is logged;
 * output streams to a callback (the task's output line), never to the console directly.
 * A run can be cancelled: the child is stopped and the caller removes one-off containers.
 */
import type { ResultPromise } from 'execa';
import { CancelledError, UserError, EXIT } from '../src/errors.js';

/** Where the runner logs each command and its output (the install's RunLog, cleanup's rotating log). */
export interface CommandLog {
  write(text: string): void;
  clean(text: string): string;
}

export interface ComposeCommand {
  /** e.g. ['docker', 'compose'] or ['docker-compose']. */
  argv: string[];
  v2: boolean;
  version: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  onLine?: (line: string) => void;
  /** Exit codes that are answers, not failures (e.g. 3 = "user exists"). */
  okCodes?: number[];
  /**
   * The command prints a secret on stdout (relay's `credentials generate --stdout`): stdout goes neither
   * to the log nor to onLine nor into a failure's message; stderr is logged as usual.
   */
  secretStdout?: boolean;
}

export interface RunResult {
  exitCode: number;
  output: string;
  stdout: string;
}

export class CommandError extends UserError {
  constructor(
    readonly command: string,
    readonly commandExit: number,
    readonly tail: string,
    /** what the output means, when we know (runc's rlimit error) */
    explanation?: { message: string; hint: string },
  ) {
    super(`\`${command}\` exited with code ${commandExit}${tail ? `; last output:\n${tail}` : ''}${explanation ? `\n${explanation.message}` : ''}`, EXIT.failure, explanation?.hint);
    this.name = 'CommandError';
  }
}

export class ComposeRunner {
  private running = new Set<ResultPromise>();
  cancelled = false;

  constructor(
    readonly compose: ComposeCommand,
    readonly dir: string,
    readonly log: CommandLog,
  ) {}

  /** Global flags: no colours, no progress bars, in every supported version. */
  private globalArgs(): string[] {
    const [major, minor] = this.compose.version.split('.').map(Number);
    if (this.compose.v2 || major > 1 || (major === 1 && minor >= 28)) return ['--ansi', 'never'];
    return ['--no-ansi'];
  }

  display(args: string[]): string {
    return [...this.compose.argv, ...args].join(' ');
  }

  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    if (this.cancelled) throw new CancelledError('cancelled');
    const [cmd, ...pre] = this.compose.argv;
    const full = [...pre, ...this.globalArgs(), ...args];
    const shown = this.display(args);
    this.log.write(`$ ${shown}`);
    // Loaded on the first command: a run with nothing to do starts no process and skips ~40 modules.
    const { execa } = await import('execa');
    // Cancelled while execa was loading: start nothing (cancel() saw no child to stop).
    if (this.cancelled) throw new CancelledError(`cancelled before \`${shown}\``);
    const child = execa(cmd, full, {
      cwd: this.dir,
      env: opts.env,
      input: opts.input ?? '',
      all: true,
      reject: false,
      buffer: true,
      // The child must not see our terminal's Ctrl-C first: we stop it ourselves, then clean up.
      detached: true,
    });
    this.running.add(child);
    let out = '';
    const shownStream = opts.secretStdout ? child.stderr : child.all;
    if (opts.secretStdout) this.log.write('(stdout not logged: it holds a secret)');
    shownStream?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      out += text;
      this.log.write(text);
      if (opts.onLine) for (const line of this.log.clean(text).split('\n')) if (line.trim()) opts.onLine(line.trimEnd());
    });
    const result = await child;
    this.running.delete(child);
    const exitCode = result.exitCode ?? (result.signal ? 128 : 1);
    this.log.write(`exit ${exitCode}${result.signal ? ` (${result.signal})` : ''}: ${shown}`);
    if (this.cancelled) throw new CancelledError(`cancelled during \`${shown}\``);
    if (exitCode !== 0 && !(opts.okCodes ?? []).includes(exitCode)) {
      const tail = this.log.clean(out).trimEnd().split('\n').slice(-15).join('\n');
      const { explainRlimitFailure } = await import('./rlimit-error.js');
      throw new CommandError(shown, exitCode, tail, (await explainRlimitFailure(out, this.dir)) ?? undefined);
    }
    return { exitCode, output: out, stdout: String(result.stdout ?? '') };
  }

  /** Stops every running child (SIGTERM, then SIGKILL after a grace period). */
  async cancel(): Promise<void> {
    this.cancelled = true;
    const kids = [...this.running];
    for (const k of kids) {
      try {
        if (k.pid) process.kill(-k.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    // The grace timer is cleared once the children are gone: a pending timer would keep Node alive (and the
    // command from exiting) for the rest of the 10 s after the clean-up is done.
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((r) => (timer = setTimeout(r, 10_000)));
    await Promise.race([Promise.allSettled(kids), grace]);
    clearTimeout(timer);
    for (const k of kids) {
      try {
        if (k.pid) process.kill(-k.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}
