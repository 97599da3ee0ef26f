/**
 * A separate process that takes an install directory's lock, for the lock tests. It prints "ready", waits
 * for a line on stdin (the barrier: all children try at once), then tries once:
 * - "hold": prints "got PID" and holds the lock until the next line on stdin, or "busy PID" (the holder's);
 * - "count N": N times: take the lock (retrying while busy), add one to DIR/counter by read-then-write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { layoutFor } from '../../src/layout.js';
import { withDirLock } from '../../src/lock/dir-lock.js';

const [dir, command, mode, count] = process.argv.slice(2);
const layout = layoutFor(dir);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const nextLine = async () => (await lines.next()).value as string | undefined;

process.stdout.write('ready\n');
await nextLine();
if (mode === 'hold') {
  const out = await withDirLock(
    layout,
    command,
    async () => {
      process.stdout.write(`got ${process.pid}\n`);
      await nextLine();
      return 'released';
    },
    { onBusy: (h) => `busy ${h.pid}` },
  );
  process.stdout.write(`${out}\n`);
} else {
  const counter = join(dir, 'counter');
  for (let done = 0; done < Number(count); ) {
    const ok = await withDirLock(
      layout,
      command,
      async () => {
        const n = Number(readFileSync(counter, 'utf8'));
        await sleep(1); // give a second holder, if the lock let one in, the time to read the same value
        writeFileSync(counter, String(n + 1));
        return true;
      },
      { onBusy: () => false },
    );
    if (ok) done++;
    else await sleep(Math.random() * 3);
  }
  process.stdout.write('counted\n');
}
process.stdin.destroy();
