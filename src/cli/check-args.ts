/**
 * `check`'s flags as one table. Commander builds the command (help, errors) from it, and the
 * installed command (bin.cts) parses exactly these flags without loading commander: `check` is the
 * command people run on every host, so it starts with as little code as possible. Anything the
 * table does not plainly cover (help, an unknown flag, a missing value, a value that looks like a
 * flag) returns null, and commander takes the whole command line as usual.
 */
import type { CheckOptions } from '../commands/check.js';

export interface CheckFlag {
  name: `--${string}`;
  key: keyof CheckOptions;
  /** the name of the flag's value in help (`--dir <dir>`); absent for a switch */
  value?: string;
  /** may be given more than once; the values are collected in order */
  repeat?: boolean;
  default?: string | string[];
  description: string;
}

export const CHECK_FLAGS: readonly CheckFlag[] = [
  { name: '--dir', key: 'dir', value: 'dir', default: '.', description: 'install directory' },
  { name: '--answers', key: 'answers', value: 'file', description: 'YAML answers file (ports, tag)' },
  { name: '--tag', key: 'tag', value: 'tag', description: 'Sentry release' },
  { name: '--json', key: 'json', description: 'print the results as JSON' },
  { name: '--skip-check', key: 'skipCheck', value: 'id', repeat: true, default: [], description: 'turn a failure of this check into a warning' },
];

/** The options `check` gets for these arguments (after the word `check`), or null: let commander parse them. */
export function parseCheckArgs(args: readonly string[]): CheckOptions | null {
  const opts: Record<string, unknown> = {};
  for (const f of CHECK_FLAGS) if (f.default !== undefined) opts[f.key] = Array.isArray(f.default) ? [...f.default] : f.default;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = CHECK_FLAGS.find((f) => f.name === name);
    if (!flag) return null;
    if (!flag.value) {
      if (eq > 0) return null; // `--json=x`: commander says what is wrong with it
      opts[flag.key] = true;
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= args.length) return null;
      value = args[++i];
      if (value.startsWith('-')) return null; // a flag where a value belongs: leave the reading to commander
    }
    if (flag.repeat) (opts[flag.key] as string[]).push(value);
    else opts[flag.key] = value;
  }
  return opts as CheckOptions;
}
