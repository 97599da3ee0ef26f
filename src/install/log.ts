/** The run's log file: every command and its output, secrets redacted, in the install directory. */
import { appendFileSync, mkdirSync, chmodSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { redact } from '../secrets.js';

export class RunLog {
  readonly path: string;
  private secrets: string[] = [];

  constructor(logsDir: string, command: string, stamp: string) {
    mkdirSync(logsDir, { recursive: true, mode: 0o700 });
    chmodSync(logsDir, 0o700);
    this.path = join(logsDir, `${command}-${stamp}.log`);
    appendFileSync(this.path, '', { mode: 0o600 });
  }

  /** Removes this run's log file (a run that changed nothing), and the logs directory when asked and empty. */
  discard(dirToo: boolean): void {
    rmSync(this.path, { force: true });
    if (dirToo) {
      try {
        rmdirSync(dirname(this.path));
      } catch {
        /* not empty: another run's logs */
      }
    }
  }

  addSecrets(values: Array<string | undefined>): void {
    for (const v of values) if (v && v.length >= 4 && !this.secrets.includes(v)) this.secrets.push(v);
  }

  clean(text: string): string {
    return redact(text, this.secrets);
  }

  write(text: string): void {
    const stamp = new Date().toISOString();
    const body = this.clean(text).replace(/\n$/, '');
    appendFileSync(this.path, body.split('\n').map((l) => `${stamp} ${l}`).join('\n') + '\n');
  }
}
