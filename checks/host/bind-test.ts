/** Tries to listen on a port for a moment: the direct answer to "could Docker publish it?". */
import net from 'node:net';

export type BindResult = 'free' | 'in-use' | 'denied' | 'unavailable';

/** host undefined: the wildcard, [::] dual-stack where there is IPv6, else 0.0.0.0 (Node's own fallback). */
export function bindTest(port: number, host?: string): Promise<BindResult> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve('in-use');
      else if (err.code === 'EACCES' || err.code === 'EPERM') resolve('denied'); // < 1024 without root
      else resolve('unavailable');
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('free')));
  });
}
