/**
 * Versions as tools print them, turned into semver: `17.05.0-ce`, `20.10.24+dfsg1`, `v2.0.0-rc.3`,
 * `2.26.1-4`. Only rc/alpha/beta/dev/tp suffixes are pre-releases; a distro revision (`-1`, `-4`,
 * `-0ubuntu1`) or an edition (`-ce`) is the release itself, not something older than it.
 */
const VERSION = /v?(\d+)\.(\d+)(?:\.(\d+))?([-+~][0-9A-Za-z.+~-]*)?/;
const PRERELEASE = /(?:^|[-.~])((?:rc|alpha|beta|pre|preview|dev|tp)[-.]?\d*(?:\.\d+)*)/i;

export function toSemver(text: string): string | null {
  const m = VERSION.exec(text);
  if (!m) return null;
  const [, major, minor, patch = '0', suffix = ''] = m;
  const core = `${Number(major)}.${Number(minor)}.${Number(patch)}`;
  const pre = PRERELEASE.exec(suffix.split('+')[0]);
  return pre ? `${core}-${pre[1].replace(/[^0-9A-Za-z.-]/g, '').replace(/^([A-Za-z]+)-/, '$1.')}` : core;
}

/**
 * a >= b for the semver strings toSemver returns (x.y.z with an optional pre-release), by semver's
 * precedence rules: a release is newer than its pre-releases; pre-release fields compare as numbers
 * when both are numeric, numbers sort before words, and more fields win when all before are equal.
 */
export function semverGte(a: string, b: string): boolean {
  return compareSemver(a, b) >= 0;
}

export function compareSemver(a: string, b: string): number {
  const [ac, ap] = splitSemver(a);
  const [bc, bp] = splitSemver(b);
  for (let i = 0; i < 3; i++) if (ac[i] !== bc[i]) return ac[i] < bc[i] ? -1 : 1;
  if (ap === bp) return 0;
  if (ap === null) return 1;
  if (bp === null) return -1;
  const x = ap.split('.');
  const y = bp.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (i >= x.length) return -1;
    if (i >= y.length) return 1;
    const xn = /^\d+$/.test(x[i]);
    const yn = /^\d+$/.test(y[i]);
    if (xn && yn) {
      if (Number(x[i]) !== Number(y[i])) return Number(x[i]) < Number(y[i]) ? -1 : 1;
    } else if (xn !== yn) return xn ? -1 : 1;
    else if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

function splitSemver(v: string): [number[], string | null] {
  const plain = v.split('+')[0];
  const dash = plain.indexOf('-');
  const core = (dash < 0 ? plain : plain.slice(0, dash)).split('.').map(Number);
  if (core.length !== 3 || core.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`not a semver version: ${v}`);
  return [core, dash < 0 ? null : plain.slice(dash + 1)];
}
