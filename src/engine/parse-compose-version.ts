/**
 * Reads the version out of everything `docker compose version` and `docker-compose --version` print,
 * including the v2 forms that broke install.sh's sed (`Docker Compose version v2.0.1`) and distro builds
 * (`2.24.6-1`). `docker compose --version` without the plugin prints the *Docker* version; that line is
 * never taken for a Compose version.
 */
import { toSemver } from './parse-version.js';

export interface ParsedComposeVersion {
  /** semver, for comparisons: 2.26.1, 2.0.0-rc.3 */
  version: string;
  /** as printed, for messages: v2.0.1, 2.26.1-4, 1.29.2 */
  printed: string;
  major: number;
}

export function parseComposeVersion(output: string): ParsedComposeVersion | null {
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const printed = printedVersion(line);
    if (!printed) continue;
    const version = toSemver(printed);
    if (version) return { version, printed, major: Number(version.split('.')[0]) };
  }
  return null;
}

function printedVersion(line: string): string | null {
  if (line.startsWith('{')) {
    try {
      const v = (JSON.parse(line) as { version?: unknown }).version; // `version --format json`
      return typeof v === 'string' ? v : null;
    } catch {
      return null;
    }
  }
  // "docker-compose version 1.29.2, build 5becea4c" / "Docker Compose version v2.0.1"
  const named = /^(?:docker[- ]compose)\s+version:?\s+(v?\d[^\s,]*)/i.exec(line);
  if (named) return named[1];
  // `--short` output: "v2.0.0-rc.3", "2.24.6-1"
  const bare = /^(v?\d+\.\d+[^\s,]*)$/.exec(line);
  return bare ? bare[1] : null;
}

/** The docker CLI's answer when there is no compose plugin (or it predates the flag we passed). */
export function isMissingPluginOutput(text: string): boolean {
  return /unknown (flag|command|shorthand flag)|is not a docker command/i.test(text);
}
