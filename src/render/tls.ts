/**
 * The self-signed certificate for `tls.mode: self-signed`: made once for the url's host, kept while it
 * still covers that host and has more than 30 days left. The key is created 0600 and never printed.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { writeFileAtomic } from '../fs/atomic.js';

export interface SelfSignedPaths {
  cert: string;
  key: string;
}

export function selfSignedIsCurrent(paths: SelfSignedPaths, host: string, now = Date.now()): boolean {
  if (!existsSync(paths.cert) || !existsSync(paths.key)) return false;
  try {
    const cert = new X509Certificate(readFileSync(paths.cert));
    const covers = isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
    const fresh = new Date(cert.validTo).getTime() - now > 30 * 86400_000;
    return covers && fresh && cert.checkPrivateKey(createPrivateKey(readFileSync(paths.key)));
  } catch {
    return false;
  }
}

/** Makes a new key (ECDSA P-256: fast to make, supported by every TLS 1.2+ client) and certificate with openssl; the key never passes through argv or stdout. */
export function makeSelfSigned(paths: SelfSignedPaths, host: string, days = 825): void {
  const work = mkdtempSync(join(tmpdir(), 'sentry-onprem-tls-'));
  chmodSync(work, 0o700);
  try {
    const keyTmp = join(work, 'key.pem');
    const certTmp = join(work, 'cert.pem');
    const san = isIP(host) ? `IP:${host}` : `DNS:${host}`;
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256', '-days', String(days), '-subj', `/CN=${host}`,
        '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:FALSE',
        '-addext', 'extendedKeyUsage=serverAuth', '-keyout', keyTmp, '-out', certTmp],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    writeFileAtomic(paths.key, readFileSync(keyTmp), { mode: 0o600 });
    writeFileAtomic(paths.cert, readFileSync(certTmp), { mode: 0o644 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
