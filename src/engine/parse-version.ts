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
