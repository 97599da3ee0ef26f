/**
 * Runs a short read-only probe (`docker compose version`) and returns what it printed.
 * node:child_process rather than execa here: execa's import alone costs ~70 ms, half of what a whole
 * `check` may take; the install's long-running compose commands still go through execa. child_process
 * itself loads on first use: with a cached Compose version, `check` spawns nothing.
 */
export interface ProbeResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  spawnError?: string;
}

export type RunProbe = (file: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }) => Promise<ProbeResult>;

export const runProbe: RunProbe = (file, args, opts = {}) =>
  new Promise((resolve) => {
    process.getBuiltinModule('node:child_process').execFile(
      file,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 20_000, maxBuffer: 1 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
        if (e?.killed) {
          resolve({ exitCode: -1, stdout, stderr, spawnError: 'ETIMEDOUT' });
        } else if (e && typeof e.code === 'string') {
          resolve({ exitCode: -1, stdout, stderr, spawnError: e.code });
        } else {
          resolve({ exitCode: e ? Number(e.code ?? 1) : 0, stdout, stderr });
        }
      },
    );
  });
