/** Test certificates made with openssl: a key and a self-signed certificate with chosen host and dates. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface CertOptions {
  host: string;
  /** openssl dates, YYYYMMDDHHMMSSZ */
  start?: string;
  end?: string;
  /** Sign with this existing key instead of a new one. */
  key?: string;
}

/** Writes `${name}.cert.pem` and `${name}.key.pem` into dir; returns their paths. */
export function makeCert(dir: string, name: string, o: CertOptions): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  const work = mkdtempSync(join(dir, '.ca-'));
  try {
    const req = join(work, 'req.pem');
    const keyArgs = o.key ? ['-key', o.key] : ['-newkey', 'rsa:2048', '-nodes', '-keyout', key];
    execFileSync('openssl', ['req', '-new', ...keyArgs, '-subj', `/CN=${o.host}`, '-addext', `subjectAltName=DNS:${o.host}`, '-out', req], { stdio: 'pipe' });
    if (o.key) copyFileSync(o.key, key);
    mkdirSync(join(work, 'db'));
    writeFileSync(join(work, 'db', 'index.txt'), '');
    writeFileSync(join(work, 'db', 'serial'), '01\n');
    writeFileSync(
      join(work, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = test_ca',
        '[ test_ca ]',
        `database = ${join(work, 'db', 'index.txt')}`,
        `new_certs_dir = ${join(work, 'db')}`,
        `serial = ${join(work, 'db', 'serial')}`,
        'default_md = sha256',
        'policy = any',
        'copy_extensions = copy',
        'unique_subject = no',
        '[ any ]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
    const now = new Date();
    const fmt = (d: Date) => d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
    const start = o.start ?? fmt(new Date(now.getTime() - 86400_000));
    const end = o.end ?? fmt(new Date(now.getTime() + 365 * 86400_000));
    execFileSync(
      'openssl',
      ['ca', '-batch', '-config', join(work, 'ca.cnf'), '-selfsign', '-keyfile', key, '-in', req, '-out', cert, '-startdate', start, '-enddate', end, '-notext'],
      { stdio: 'pipe' },
    );
    return { cert, key };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A CA and a server certificate it signed for `hosts` (DNS names or IP addresses), with openssl:
 * `ca.pem`, `server.pem`, `server.key` in dir. A second call with another dir makes an unrelated CA.
 */
export function makeCaAndServer(dir: string, hosts: string[]): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  const san = hosts.map((h) => (/^[\d.]+$/.test(h) || h.includes(':') ? `IP:${h}` : `DNS:${h}`)).join(',');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '30', '-subj', '/CN=sentry-onprem test CA']);
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${hosts[0]}`]);
  writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  run(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '30', '-extfile', ext]);
  rmSync(csr, { force: true });
  return { ca, cert, key };
}
