/**
 * Listening TCP sockets from /proc/net/tcp and /proc/net/tcp6. Readable by every user (unlike the
 * owners' /proc/<pid>/fd), so a taken port is seen even when its process cannot be named.
 */
export interface Listener {
  address: string;
  port: number;
  inode: number;
}

const LISTEN = '0A';

export function parseProcNetTcp(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== LISTEN) continue;
    const [addrHex, portHex] = f[1].split(':');
    if (!addrHex || !portHex) continue;
    out.push({ address: formatAddress(addrHex), port: parseInt(portHex, 16), inode: Number(f[9]) });
  }
  return out;
}

/** The kernel prints each 32-bit word of the address in host (little-endian) byte order. */
function formatAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 12).join() === '0,0,0,0,0,0,0,0,0,0,255,255') return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // Shorten the longest run of zero groups to "::", the usual way of writing IPv6 addresses.
  const joined = groups.join(':');
  const runs = joined.match(/(^|:)0(:0)+(:|$)/g);
  if (!runs) return joined;
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a));
  return joined.replace(longest, '::');
}
