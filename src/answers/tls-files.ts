/** Checks a user's certificate and key before anything is written: readable, matching, current, covering the host. */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { FieldProblem } from '../errors.js';

export function checkTlsFiles(certPath: string, keyPath: string, host: string, now = new Date()): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let cert: X509Certificate | undefined;
  let certPem: string | undefined;
  let keyPem: string | undefined;
  try {
    certPem = readFileSync(certPath, 'utf8');
  } catch (err) {
    problems.push({ path: 'tls.cert', given: certPath, expected: `a readable PEM certificate (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` });
  }
  try {
    keyPem = readFileSync(keyPath, 'utf8');
  } catch (err) {
    problems.push({ path: 'tls.key', given: keyPath, expected: `a readable PEM private key (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` });
  }
  if (certPem !== undefined) {
    try {
      cert = new X509Certificate(certPem);
    } catch {
      problems.push({ path: 'tls.cert', given: certPath, expected: 'a PEM-encoded X.509 certificate' });
    }
  }
  if (cert) {
    if (new Date(cert.validTo) <= now) {
      problems.push({ path: 'tls.cert', given: `${certPath} (expired ${cert.validTo})`, expected: 'a certificate that has not expired' });
    }
    if (new Date(cert.validFrom) > now) {
      problems.push({ path: 'tls.cert', given: `${certPath} (valid from ${cert.validFrom})`, expected: 'a certificate that is already valid' });
    }
    const covered = isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
    if (!covered) {
      problems.push({ path: 'tls.cert', given: `${certPath} (subject ${cert.subject.replace(/\n/g, ', ')})`, expected: `a certificate that covers the url's host ${host}` });
    }
  }
  if (cert && keyPem !== undefined) {
    try {
      if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
        problems.push({ path: 'tls.key', given: keyPath, expected: `the private key of the certificate ${certPath}` });
      }
    } catch {
      problems.push({ path: 'tls.key', given: keyPath, expected: 'an unencrypted PEM private key' });
    }
  }
  return problems;
}
