/**
 * The little of the tar format bundles need: writing regular files one after another (ustar headers, sizes
 * above 8 GiB in GNU base-256) and listing the members of a file with their offsets, so a part is read (hashed,
 * streamed into `docker load`) in place, without unpacking the bundle.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A 512-byte ustar header of a regular file. */
export function tarHeader(name: string, size: number, mtime = 0, mode = 0o644): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const nameBytes = Buffer.from(name);
  if (nameBytes.length > 100) throw new Error(`tar member name too long: ${name}`);
  nameBytes.copy(h, 0);
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  if (size < 8 ** 11) h.write(octal(size, 12), 124, 'ascii');
  else {
    // GNU base-256: the high bit of the first byte marks a big-endian binary size.
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

/** Zero bytes that pad a member of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2, 0);

export interface TarMember {
  name: string;
  /** Offset of the member's data in the file. */
  offset: number;
  size: number;
  type: string;
}

function parseSize(h: Buffer): number {
  if (h[124] & 0x80) {
    let v = 0n;
    for (let i = 125; i < 136; i++) v = (v << 8n) | BigInt(h[i]);
    return Number(v);
  }
  return parseInt(h.toString('ascii', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
}

export class TarFormatError extends Error {}

/**
 * The members of the tar archive that starts at `base` in `path` (and is `length` bytes long, when it is
 * itself a member of another archive). A header whose checksum is wrong or a member cut short is an error.
 */
export function listTar(path: string, base = 0, length = Infinity): TarMember[] {
  const fd = openSync(path, 'r');
  const out: TarMember[] = [];
  try {
    const h = Buffer.alloc(BLOCK);
    let pos = 0;
    let longName: string | undefined;
    while (pos + BLOCK <= length) {
      const n = readSync(fd, h, 0, BLOCK, base + pos);
      if (n < BLOCK) throw new TarFormatError(`cut short: a header at byte ${base + pos} is incomplete`);
      if (h.every((b) => b === 0)) return out;
      const stored = parseInt(h.toString('ascii', 148, 156).replace(/\0.*$/, '').trim(), 8);
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
      if (stored !== sum) throw new TarFormatError(`a header at byte ${base + pos} is damaged (checksum)`);
      const size = parseSize(h);
      const type = String.fromCharCode(h[156] || 48);
      const prefix = h.toString('utf8', 345, 500).replace(/\0.*$/s, '');
      const plain = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const name = longName ?? (prefix ? `${prefix}/${plain}` : plain);
      const offset = base + pos + BLOCK;
      pos += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L') {
        const buf = Buffer.alloc(size);
        readSync(fd, buf, 0, size, offset);
        longName = buf.toString('utf8').replace(/\0.*$/s, '');
        continue;
      }
      longName = undefined;
      if (type === 'x' || type === 'g') continue;
      out.push({ name, offset, size, type });
    }
    if (length === Infinity) throw new TarFormatError('cut short: no end-of-archive marker');
    return out;
  } finally {
    closeSync(fd);
  }
}
