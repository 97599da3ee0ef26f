/**
 * An append-only log that rotates itself (FILE, FILE.1 … FILE.<keep>): cleanup runs from cron every day
 * for years, so its log must not grow without bound and needs no logrotate configuration.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { redact } from '../secrets.js';
import type { CommandLog } from '../../compose/runner.js';

export const ROTATE_BYTES = 1 << 20;
export const ROTATE_KEEP = 5;

export class RotatingLog implements CommandLog {
  private secrets: string[] = [];

  constructor(
    readonly path: string,
    private readonly maxBytes = ROTATE_BYTES,
    private readonly keep = ROTATE_KEEP,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  addSecrets(values: Array<string | undefined>): void {
    for (const v of values) if (v && v.length >= 4 && !this.secrets.includes(v)) this.secrets.push(v);
  }

  clean(text: string): string {
    return redact(text, this.secrets);
  }

  write(text: string): void {
    this.rotateIfFull();
    const stamp = new Date().toISOString();
    const body = this.clean(text).replace(/\n$/, '');
    appendFileSync(this.path, body.split('\n').map((l) => `${stamp} ${l}`).join('\n') + '\n', { mode: 0o600 });
  }

  private rotateIfFull(): void {
    let size = 0;
    try {
      size = statSync(this.path).size;
    } catch {
      return;
    }
    if (size < this.maxBytes) return;
    const oldest = `${this.path}.${this.keep}`;
    if (existsSync(oldest)) unlinkSync(oldest);
    for (let i = this.keep - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    renameSync(this.path, `${this.path}.1`);
  }
}
