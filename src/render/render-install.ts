/**
 * One render of an install directory: answers + secrets -> managed files, saved answers, TLS material.
 * Shared by `render`, `install` and `reconfigure`; the callers decide whether to write.
 */
import { optionLines, readSwitchover } from '../upgrade/one-offs/tsdb.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Answers } from '../answers/schema.js';
import { parseUrl } from '../answers/validators.js';
import type { Layout } from '../layout.js';
import { RELEASES } from '../catalog.js';
import { generateSecret, redact, secretValues, writeSecrets, type Secrets } from '../secrets.js';
import { writeFileAtomic, ensureDir } from '../fs/atomic.js';
import { buildView } from './view.js';
import { renderFilesCached, type ManagedFile } from './files.js';
import { planChanges, applyChanges, unifiedDiff, type FileChange } from './apply.js';
import { makeSelfSigned, selfSignedIsCurrent } from './tls.js';
import { externalPasswords } from '../answers/external.js';

export interface RenderPlan {
  answers: Answers;
  secrets: Secrets;
  secretsChanged: boolean;
  newSecretKey: boolean;
  files: ManagedFile[];
  changes: FileChange[];
  savedAnswersText: string;
  savedAnswersChanged: boolean;
  tls: { needed: boolean; reason?: string; cert: string; key: string; host: string };
  redactor: (s: string) => string;
  fingerprint: { file: string; value: string };
}

const running_as_root = () => process.getuid?.() === 0;

/** The answers as saved in the install directory: secrets are kept out (they live in the 0600 secrets file). */
export function savedAnswersYaml(a: Answers): string {
  const copy = structuredClone(a) as Record<string, any>;
  delete copy.admin.password;
  delete copy.mail.password;
  delete copy.ldap.bindPassword;
  if (copy.postgres?.external) delete copy.postgres.external.password;
  if (copy.redis?.external) delete copy.redis.external.password;
  return (
    '# sentry-onprem answers of this install. Edit and run `sentry-onprem render` (or install) again.\n' +
    '# Passwords are not kept here; they are in .sentry-onprem/secrets.json (mode 0600).\n' +
    yaml.dump(copy, { lineWidth: -1, noRefs: true, sortKeys: false })
  );
}

export function planRender(layout: Layout, answers: Answers, adminPasswordInline: boolean, known: Secrets, force = false, opts: { offlineWheels?: boolean } = {}): RenderPlan {
  const secrets: Secrets = { ...known };
  const newSecretKey = !secrets.secretKey;
  if (newSecretKey) secrets.secretKey = generateSecret(50);
  for (const name of RELEASES[answers.tag].generatedSecrets ?? []) {
    if (!secrets.generated?.[name]) secrets.generated = { ...secrets.generated, [name]: generateSecret(50) };
  }
  if (adminPasswordInline && answers.admin.password) secrets.adminPassword = answers.admin.password;
  if (!adminPasswordInline) delete secrets.adminPassword;
  secrets.mailPassword = answers.mail.password || undefined;
  secrets.ldapBindPassword = answers.ldap.bindPassword || undefined;
  secrets.postgresPassword = answers.postgres?.external?.password || undefined;
  secrets.redisPassword = answers.redis?.external?.password || undefined;
  const external = externalPasswords(answers, layout.dir);
  const secretsChanged = JSON.stringify(clean(secrets)) !== JSON.stringify(clean(known));

  const switchover = readSwitchover(layout.dir);
  const view = buildView(answers, secrets.secretKey!, layout.dir, secrets.generated, { ...opts, passwords: external, tsdbOptions: switchover && optionLines(switchover) });
  // Beside the kept copies it vouches for, so backups and rollbacks carry it with them.
  const fingerprintFile = join(layout.renderedDir, '.fingerprint');
  const rendered = renderFilesCached(view, layout.renderedDir, fingerprintFile);
  let files = rendered.files;
  if (!running_as_root()) {
    // Without root the files cannot be given to the containers' user; they must stay readable to it.
    files = files.map((f) => (f.containerSecret ? { ...f, mode: 0o644 } : f));
  }
  const changes = planChanges(layout, files, force);

  const savedAnswersText = savedAnswersYaml(answers);
  const savedAnswersChanged = !existsSync(layout.answersFile) || readFileSync(layout.answersFile, 'utf8') !== savedAnswersText;

  const host = parseUrl(answers.url)!.hostname.replace(/^\[|\]$/g, '');
  const cert = join(layout.dir, 'tls/cert.pem');
  const key = join(layout.dir, 'tls/key.pem');
  let tls: RenderPlan['tls'] = { needed: false, cert, key, host };
  if (answers.tls.mode === 'self-signed' && !selfSignedIsCurrent({ cert, key }, host)) {
    tls = { ...tls, needed: true, reason: existsSync(cert) ? `the certificate does not cover ${host} or expires within 30 days` : 'none yet' };
  }
  // The secrets being replaced too: a diff's removed lines still hold them.
  const values = [...secretValues(secrets), ...secretValues(known), answers.admin.password ?? '', external.postgres ?? '', external.redis ?? ''].filter((v) => v.length >= 4);
  return {
    answers,
    secrets,
    secretsChanged,
    newSecretKey,
    files,
    changes,
    savedAnswersText,
    savedAnswersChanged,
    tls,
    redactor: (s) => redact(s, values),
    fingerprint: { file: fingerprintFile, value: rendered.fingerprint },
  };
}

function clean(s: Secrets): Secrets {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== '')) as Secrets;
}

function fingerprintStale(plan: RenderPlan): boolean {
  return !existsSync(plan.fingerprint.file) || readFileSync(plan.fingerprint.file, 'utf8') !== plan.fingerprint.value;
}

export function conflicts(plan: RenderPlan): FileChange[] {
  return plan.changes.filter((c) => c.kind === 'conflict');
}

export function hasWork(plan: RenderPlan): boolean {
  return (
    plan.secretsChanged ||
    plan.savedAnswersChanged ||
    plan.tls.needed ||
    plan.changes.some((c) => c.kind !== 'unchanged') ||
    fingerprintStale(plan)
  );
}

export interface RenderResult {
  written: string[];
  backups: string[];
}

/** Writes the plan: secrets first (a key once made is never lost), then TLS, files and the saved answers. */
export function commitRender(layout: Layout, plan: RenderPlan, timestamp: string): RenderResult {
  ensureDir(layout.dir, 0o755);
  ensureDir(layout.stateDir, 0o700);
  if (plan.secretsChanged) writeSecrets(layout.secretsFile, plan.secrets);
  const written: string[] = [];
  if (plan.tls.needed) {
    makeSelfSigned({ cert: plan.tls.cert, key: plan.tls.key }, plan.tls.host);
    written.push('tls/cert.pem', 'tls/key.pem');
  }
  const result = applyChanges(layout, plan.changes, { containerUid: RELEASES[plan.answers.tag].sentryUid, timestamp });
  // Written after the kept copies: it vouches for them.
  if (fingerprintStale(plan)) {
    writeFileAtomic(plan.fingerprint.file, plan.fingerprint.value, { mode: 0o600 });
  }
  written.push(...result.written);
  if (plan.savedAnswersChanged) {
    writeFileAtomic(layout.answersFile, plan.savedAnswersText, { mode: 0o600 });
    written.push('sentry-onprem.yml');
  }
  return { written, backups: result.backups };
}

export function describeChanges(plan: RenderPlan): string[] {
  return plan.changes.map((c) => `${c.kind.padEnd(9)} ${c.file.path}`);
}

export function diffs(plan: RenderPlan): string {
  return plan.changes
    .filter((c) => c.kind !== 'unchanged')
    .map((c) => unifiedDiff(c, plan.redactor))
    .join('');
}
