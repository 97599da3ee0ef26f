/** Step lines on stderr, the same shape the install prints: "> title", indented output, "+ title: what (s)". */
import type { RunLog } from '../install/log.js';
import type { StepResult } from '../install/context.js';

export type Line = (line: string) => void;

export class Progress {
  constructor(
    private readonly err: NodeJS.WritableStream,
    private readonly log: RunLog | undefined,
  ) {}

  line(text: string): void {
    this.err.write(`${this.log ? this.log.clean(text) : text}\n`);
    this.log?.write(text);
  }

  async step(title: string, run: (out: Line) => Promise<StepResult>): Promise<StepResult> {
    const started = Date.now();
    this.err.write(`> ${title}\n`);
    this.log?.write(`== ${title}`);
    const out: Line = (l) => {
      this.err.write(`    ${this.log ? this.log.clean(l) : l}\n`);
      this.log?.write(l);
    };
    const result = await run(out);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if ('skipped' in result) this.line(`  - ${title}: skipped, ${result.skipped} (${secs} s)`);
    else this.line(`  + ${title}: ${result.done} (${secs} s)`);
    return result;
  }
}
