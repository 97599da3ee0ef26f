/**
 * The first processor's block of /proc/cpuinfo (they are all the same model), or null where there is
 * none (macOS, Windows). Read only that far: the kernel writes the file as it is read, and on a host
 * with many CPUs the whole of it takes tens of milliseconds (some kernels ask every CPU its clock).
 */
import { close, open, read } from 'node:fs';

const CHUNK = 16 * 1024;
const MOST = 256 * 1024; // a block is a few KiB; stop here whatever the file looks like

export function readCpuinfo(path = '/proc/cpuinfo'): Promise<string | null> {
  return new Promise((resolve) => {
    open(path, 'r', (err, fd) => {
      if (err) return resolve(null);
      const parts: Buffer[] = [];
      let size = 0;
      const done = (text: string | null) => close(fd, () => resolve(text));
      const next = () =>
        read(fd, Buffer.alloc(CHUNK), 0, CHUNK, null, (e, n, buf) => {
          if (e) return done(size ? Buffer.concat(parts).toString('utf8') : null);
          if (n > 0) {
            parts.push(buf.subarray(0, n));
            size += n;
          }
          const text = Buffer.concat(parts).toString('utf8');
          const end = text.indexOf('\n\n');
          if (end >= 0) return done(text.slice(0, end + 1));
          if (n === 0 || size >= MOST) return done(text);
          next();
        });
      next();
    });
  });
}
