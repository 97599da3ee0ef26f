/** Progress of a long byte stream: one rewritten line with bytes, rate and ETA on a terminal; plain lines otherwise. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u ? 1 : 0)} ${units[u]}`;
}

export class Progress {
  private done = 0;
  private readonly t0 = Date.now();
  private lastPlain = Date.now();
  private lastTty = 0;

  constructor(
    private readonly what: string,
    /** Expected bytes (an estimate: the ETA's base); 0 when unknown. */
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(out.isTTY) && !process.env.CI,
  ) {}

  line(): string {
    const secs = (Date.now() - this.t0) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const pct = this.total ? ` of ~${formatBytes(this.total)} (${Math.min(99, Math.floor((this.done / this.total) * 100))}%)` : '';
    const eta = this.total && rate > 0 && this.done < this.total ? `, ETA ${Math.ceil((this.total - this.done) / rate)} s` : '';
    return `${this.what}: ${formatBytes(this.done)}${pct}, ${formatBytes(rate)}/s${eta}`;
  }

  add(bytes: number): void {
    this.done += bytes;
    const now = Date.now();
    if (this.tty && now - this.lastTty >= 200) {
      this.lastTty = now;
      this.out.write(`\r\x1b[2K${this.line()}`);
    } else if (!this.tty && now - this.lastPlain >= 10_000) {
      this.lastPlain = now;
      this.out.write(`${this.line()}\n`);
    }
  }

  finish(): void {
    const secs = ((Date.now() - this.t0) / 1000).toFixed(1);
    const text = `${this.what}: ${formatBytes(this.done)} in ${secs} s`;
    this.out.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}
